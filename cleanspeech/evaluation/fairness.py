"""Fairness reports: identity-term bias on our templates and on real held-out comments, and the functional suite.

`fairness_report(model, frame)` is what `scripts/evaluate_fairness.py` writes beside each model as `fairness.json`,
which the Compare models page and the model cards show. Real comments are the held-out rows (validation, test and
evaluation-only sets) in the six template languages; a comment belongs to a subgroup when it mentions the term (its
form in that language, or a listed identity word sharing its first four letters: plurals and gendered forms).
Keyword membership is coarser than Jigsaw 2019's human identity annotations, so the templates are the controlled
measure and the real comments the check that it holds outside them.
"""

import re

import numpy as np
import pandas as pd

from ..classifiers import flag_matrix
from ..data.identity_terms import IDENTITY_TERMS
from .bias import bias_report
from .functional import run_functional_suite
from .identity_templates import LANGUAGES, TERMS, template_rows

HELD_OUT = ("validation", "test", "evaluation")
REAL_ROWS = 3000  # per language: mentions first, then as many background comments (sampled with a fixed seed)
SEED = 42


def _flags(model, scores: pd.DataFrame) -> np.ndarray:
    return flag_matrix(scores, model.thresholds).any(axis=1)


def _round(value):
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_round(v) for v in value]
    if isinstance(value, float):
        return None if value != value else round(value, 4)
    return value


def template_report(model, languages=LANGUAGES, terms=None) -> dict:
    """Per language (and all together): `bias_report` over the template sentences, each term a subgroup."""
    rows = pd.DataFrame(template_rows(languages, terms))
    scores = model.predict_proba(rows["text"].tolist())
    flagged = _flags(model, scores)
    report = {}
    for lang in ["all", *languages]:
        part = np.ones(len(rows), bool) if lang == "all" else (rows["lang"] == lang).to_numpy()
        sub = rows[part]
        groups = {term: (sub["term"] == term).to_numpy() for term in sub["term"].unique()}
        report[lang] = bias_report(sub["toxic"].to_numpy(), scores["toxic"].to_numpy()[part], flagged[part], groups)
    benign = rows["toxic"].to_numpy() == 0
    failing = rows[benign & flagged].groupby("term").head(1)[["term", "lang", "text"]]
    return {"sentences": len(rows), "languages": report, "flagged_benign_examples": failing.head(40).to_dict("records")}


def term_words(term: str, lang: str) -> set[str]:
    """The words that make a comment in `lang` mention `term`."""
    category, forms = TERMS[term]
    own = forms[LANGUAGES.index(lang)].lower().split()[-1]
    listed = IDENTITY_TERMS.get(category, {}).get(lang, ())
    return {own} | {w for w in listed if w[:4] == own[:4] and len(own) >= 4}


def _mentions(texts: pd.Series, lang: str) -> dict[str, np.ndarray]:
    lowered = texts.str.lower()
    groups = {}
    for term in TERMS:
        pattern = r"(?<!\w)(?:" + "|".join(re.escape(w) for w in sorted(term_words(term, lang))) + r")(?!\w)"
        groups[term] = lowered.str.contains(pattern, regex=True).to_numpy()
    return groups


def real_comments(frame: pd.DataFrame, lang: str, rows: int = REAL_ROWS) -> pd.DataFrame:
    """Held-out comments in `lang` with a toxic label: those mentioning any term first, then a background sample."""
    held = frame[frame["fold"].isin(HELD_OUT) & (frame["lang"] == lang) & frame["toxic"].notna()]
    mentions = np.any(np.column_stack(list(_mentions(held["text"], lang).values())), axis=1) if len(held) else []
    mentioning, background = held[mentions], held[~np.asarray(mentions, bool)]
    mentioning = mentioning.sample(min(len(mentioning), rows), random_state=SEED)
    background = background.sample(min(len(background), rows), random_state=SEED)
    return pd.concat([mentioning, background])


def real_report(model, frame: pd.DataFrame, languages=LANGUAGES, rows: int = REAL_ROWS) -> dict:
    """Per language: `bias_report` over held-out comments that mention identity terms, against a background."""
    report = {}
    for lang in languages:
        comments = real_comments(frame, lang, rows)
        if comments.empty:
            continue
        scores = model.predict_proba(comments["text"].tolist())
        groups = {t: m for t, m in _mentions(comments["text"], lang).items() if m.sum()}
        result = bias_report(comments["toxic"].astype(int).to_numpy(), scores["toxic"].to_numpy(),
                             _flags(model, scores), groups)  # fmt: skip
        result["comments"] = len(comments)
        report[lang] = result
    return report


def fairness_report(model, frame: pd.DataFrame | None, languages=LANGUAGES, terms=None, rows: int = REAL_ROWS) -> dict:
    """Templates, real held-out comments (when `frame`, the built dataset, is given) and the functional suite."""
    report = {"templates": template_report(model, languages, terms), "functional": run_functional_suite(model)}
    if frame is not None:
        report["real_comments"] = real_report(model, frame, languages, rows)
    return _round(report)
