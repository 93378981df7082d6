"""What a policy change would do, measured before it is saved: how many comments move between allow, review and
remove, on the model's stored validation predictions (scores only) and on the comments moderators decided (text
too, so blocklist and allowlist changes count there)."""

import pandas as pd

from ..labels import LABELS
from .policy import ACTIONS, Policy
from .verdicts import judge_texts


def _actions(policy: Policy, scores: pd.DataFrame, model, texts=None) -> list[str]:
    rows = scores[list(LABELS)].to_dict("records")
    if texts is None:  # scores only: thresholds and labels count, the lists cannot
        return [policy.judge(row, model.thresholds).action for row in rows]
    return [verdict.action for verdict in judge_texts(policy, model, list(texts), scores)[0]]


def verdict_moves(before: Policy, after: Policy, scores: pd.DataFrame, model, texts=None) -> pd.DataFrame:
    """A table of counts: rows are the verdict under `before`, columns the verdict under `after` (allow, review,
    remove), so the off-diagonal cells are the comments the change moves. With `texts`, blocklist and allowlist
    count too (an allowlisted word makes `model` score the comment again without it)."""
    pairs = pd.DataFrame({"before": _actions(before, scores, model, texts),
                          "after": _actions(after, scores, model, texts)})  # fmt: skip
    moves = pd.crosstab(pairs["before"], pairs["after"]).reindex(index=list(ACTIONS), columns=list(ACTIONS))
    return moves.fillna(0).astype(int)


def moved(moves: pd.DataFrame) -> int:
    """How many comments change verdict."""
    return int(moves.to_numpy().sum() - moves.to_numpy().trace())


def validation_scores(report: dict) -> pd.DataFrame:
    """The stored validation predictions of a model's evaluation.json as a frame of scores, one column per label."""
    predictions = report["predictions"]["validation"]
    return pd.DataFrame({label: predictions["scores"][label] for label in LABELS}, dtype=float)
