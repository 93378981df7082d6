"""Fairness reports: identity-term bias on our templates and on real held-out comments, and the functional suite.

`fairness_report(model, frame)` is what `scripts/evaluate_fairness.py` writes beside each model as `fairness.json`,
which the Compare models page and the model cards show. Real comments are the held-out rows (validation, test and
evaluation-only sets) in the six template languages; a comment belongs to a subgroup when it mentions the term in
one of its forms in that language (`mentions`: plurals, gendered forms, nouns and phrases).
Keyword membership is coarser than Jigsaw 2019's human identity annotations, so the templates are the controlled
measure and the real comments the check that it holds outside them.
"""

import numpy as np
import pandas as pd

from ..classifiers import flag_matrix
from .bias import bias_report
from .functional import run_functional_suite
from .identity_templates import LANGUAGES, TERMS, chosen, template_rows
from .mentions import mentions

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
    languages = chosen(languages, LANGUAGES, "language")
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


def real_comments(frame: pd.DataFrame, lang: str, rows: int = REAL_ROWS, terms=None) -> pd.DataFrame:
    """Held-out comments in `lang` with a toxic label: those mentioning a term (any, or one of `terms`) first, then a
    background sample of as many."""
    held = frame[frame["fold"].isin(HELD_OUT) & (frame["lang"] == lang) & frame["toxic"].notna()]
    named = np.column_stack(list(mentions(held["text"], lang, terms).values())).any(axis=1) if len(held) else []
    mentioning, background = held[named], held[~np.asarray(named, bool)]
    mentioning = mentioning.sample(min(len(mentioning), rows), random_state=SEED)
    background = background.sample(min(len(background), rows), random_state=SEED)
    return pd.concat([mentioning, background])


def real_report(model, frame: pd.DataFrame, languages=LANGUAGES, rows: int = REAL_ROWS, terms=None) -> dict:
    """Per language: `bias_report` over held-out comments that mention identity terms, against a background."""
    languages, terms = chosen(languages, LANGUAGES, "language"), chosen(terms, tuple(TERMS), "identity term")
    report = {}
    for lang in languages:
        comments = real_comments(frame, lang, rows, terms)
        if comments.empty:
            continue
        scores = model.predict_proba(comments["text"].tolist())
        groups = {t: m for t, m in mentions(comments["text"], lang, terms).items() if m.sum()}
        result = bias_report(comments["toxic"].astype(int).to_numpy(), scores["toxic"].to_numpy(),
                             _flags(model, scores), groups)  # fmt: skip
        result["comments"] = len(comments)
        report[lang] = result
    return report


def fairness_report(model, frame: pd.DataFrame | None, languages=LANGUAGES, terms=None, rows: int = REAL_ROWS) -> dict:
    """Templates, real held-out comments (when `frame`, the built dataset, is given) and the functional suite."""
    report = {"templates": template_report(model, languages, terms), "functional": run_functional_suite(model)}
    if frame is not None:
        report["real_comments"] = real_report(model, frame, languages, rows, terms)
    return _round(report)
