"""Applying a policy: score comments with the policy's model and give each one verdict, ready for the queue.

The one path the CLI (`--policy`, `score --enqueue`), the app and the service take from text to verdict. An
allowlist hides its words from the model: texts that contain one are scored again without them, and their verdict
comes from those scores (the stored scores are the ones the verdict used).
"""

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ..classifiers import available_models, load_model, resolve_model_dir
from ..classifiers.files import model_version
from ..errors import ModelNotFound
from ..labels import LABELS
from ..languages import default_detector
from ..serving import score_texts
from ..text import clean_text
from .matching import mask_phrases
from .policy import Policy, Verdict
from .queue import label_flags

# "auto": the language-aware ensemble where it is shipped, else the first family that is.
_AUTO_ORDER = ("ensemble", "transformer", "baseline")


def policy_model_name(policy: Policy) -> str:
    if policy.model != "auto":
        return policy.model
    shipped = available_models()
    for name in _AUTO_ORDER:
        if name in shipped:
            return name
    if shipped:
        return shipped[0]
    raise ModelNotFound("no shipped models found for the policy's model 'auto'")


@lru_cache(maxsize=32)
def _version_of(directory: str, _stamp: float) -> str:
    return model_version(directory)


def version_of(model_name: str) -> str:
    """The model's version (a hash of its scoring files), recomputed only when its folder changes."""
    directory = resolve_model_dir(model_name)
    return _version_of(str(directory), directory.stat().st_mtime)


def row_ids(rows: pd.DataFrame, first: int = 1) -> list[str]:
    """The queue's id for each row of a comment file: its `id` column, else its row number (1 for the first row
    of the file, `first` for the first row of `rows`)."""
    if "id" in rows.columns:
        return rows["id"].astype(str).tolist()
    return [str(first + i) for i in rows.index]


@dataclass
class Moderation:
    """Scores and one verdict per text, under one policy and one model."""

    texts: list[str]
    scores: pd.DataFrame  # one row per text, one column per label: the scores the verdict used
    verdicts: list[Verdict]
    languages: list[str]
    policy: Policy
    model_name: str
    model_version: str

    def frame(self) -> pd.DataFrame:
        """Scores plus `verdict`, `severity`, `reasons` columns (reasons joined with "; ")."""
        frame = self.scores.copy()
        frame["verdict"] = [v.action for v in self.verdicts]
        frame["severity"] = [v.severity for v in self.verdicts]
        frame["reasons"] = ["; ".join(v.reasons) for v in self.verdicts]
        return frame

    def queue_rows(self, source: str, external_ids=None, community_id: str | None = None,
                   only=("review", "remove")) -> list[dict]:  # fmt: skip
        """Rows for `ReviewQueue.enqueue`: the texts whose verdict is in `only`, with everything a review needs."""
        rows = []
        for i, verdict in enumerate(self.verdicts):
            if verdict.action not in only:
                continue
            rows.append({
                "source": source, "external_id": _external_id(external_ids, i),
                "community_id": community_id, "text": self.texts[i], "language": self.languages[i],
                "model": self.model_name, "model_version": self.model_version,
                "scores": {label: round(float(self.scores.iloc[i][label]), 5) for label in LABELS},
                "policy_name": self.policy.name, "policy_version": self.policy.version, "verdict": verdict.action,
                "severity": verdict.severity_rank, "reasons": list(verdict.reasons),
                "label_flags": label_flags(verdict.labels),
            })  # fmt: skip
        return rows


def _external_id(external_ids, i: int) -> str | None:
    """The caller's id of text `i` as a string; None where there are no ids or this text has none."""
    if external_ids is None or external_ids[i] is None:
        return None
    return str(external_ids[i])


def judge_texts(policy: Policy, model, texts: list[str], scores: pd.DataFrame) -> tuple[list[Verdict], pd.DataFrame]:
    """Each comment's verdict under `policy` from `model`'s `scores` (one row per text), the allowlist applied: the
    comments holding an allowlisted word are scored again without it, and those scores (returned with the verdicts)
    decide."""
    scores = scores.reset_index(drop=True)
    seen = list(texts)
    if policy.allowlist:
        seen = [mask_phrases(t, policy.allowlist) for t in texts]
        changed = [i for i, (t, s) in enumerate(zip(texts, seen)) if s != clean_text(t)]
        if changed:
            rescored = score_texts(model, [seen[i] for i in changed])
            scores = scores.copy()
            scores.loc[changed, list(LABELS)] = rescored[list(LABELS)].to_numpy()
    return [policy.judge(scores.iloc[i], model.thresholds, seen[i]) for i in range(len(texts))], scores


def moderate(texts, policy: Policy, model=None, scores: pd.DataFrame | None = None) -> Moderation:
    """Score `texts` with the policy's model (or `model`, or reuse `scores` already made by it) and judge each."""
    texts = ["" if not isinstance(t, str) else t for t in texts]
    name = getattr(model, "name", None) or policy_model_name(policy)
    model = model or load_model(name)
    verdicts, scores = judge_texts(policy, model, texts, score_texts(model, texts) if scores is None else scores)
    try:
        version = version_of(name)
    except (ModelNotFound, OSError):
        version = "unknown"  # a model given in memory that was never saved
    languages = [default_detector().identify(t) if t.strip() else "und" for t in texts]  # "nl" named, not `und`
    return Moderation(texts, scores, verdicts, languages, policy, name, version)
