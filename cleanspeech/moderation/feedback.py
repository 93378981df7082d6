"""What the moderators' decisions teach: how often each model's verdict agreed with them, which threshold would
reach the precision a team wants, and training rows for `scripts/train.py` and `scripts/train_baseline.py`.

A decision is read per label. The model "flagged" a label when the item's verdict put it over its review threshold;
the moderator "confirmed" it when they removed the comment for that harm (reason codes name harms, see
`reasons.REMOVAL_LABELS`), and denied it when they approved the comment. Spam removals and escalations say nothing
about toxicity and are left out. Only the latest decision on each item counts (an escalated item decided later).
"""

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..labels import LABELS
from ..serving import score_texts
from .reasons import REMOVAL_LABELS
from .schema import by_reviewer, decisions, items
from .verdicts import judge_texts

EXPORT_COLUMNS = ["comment_text", *LABELS, "language", "decided_at", "reviewer", "action", "reason_code"]


def decided_items(engine: sa.Engine, since=None, reviewer: str | None = None) -> pd.DataFrame:
    """One row per decided item (its latest approve/remove decision that teaches something), with per label the
    score, whether the model flagged it (`flag_<label>`) and the moderator's answer (`human_<label>`: 0/1).
    `reviewer`: only the items whose latest such decision is theirs (the name in any case)."""
    latest = (
        sa.select(sa.func.max(decisions.c.id)).where(decisions.c.action != "escalate").group_by(decisions.c.item_id)
    )
    query = (sa.select(decisions.c.item_id, decisions.c.decided_at, decisions.c.reviewer, decisions.c.action,
                       decisions.c.reason_code, decisions.c.model, decisions.c.scores, items.c.text, items.c.language,
                       items.c.label_flags)
             .join(items, items.c.id == decisions.c.item_id).where(decisions.c.id.in_(latest)))  # fmt: skip
    if since is not None:
        query = query.where(decisions.c.decided_at >= since)
    with engine.connect() as conn:
        query = by_reviewer(query, conn, reviewer) if reviewer else query
        frame = pd.DataFrame([dict(r._mapping) for r in conn.execute(query.order_by(decisions.c.id))])
    if frame.empty:
        return pd.DataFrame(columns=["item_id", "decided_at", "reviewer", "action", "reason_code", "model", "text",
                                     "language", *LABELS, *(f"flag_{lb}" for lb in LABELS),
                                     *(f"human_{lb}" for lb in LABELS)])  # fmt: skip
    frame = frame[(frame["action"] == "approve") | frame["reason_code"].isin(REMOVAL_LABELS)].reset_index(drop=True)
    for i, label in enumerate(LABELS):
        frame[label] = [float(s.get(label, np.nan)) for s in frame["scores"]]
        frame[f"flag_{label}"] = (frame["label_flags"].astype(int) & (1 << i)) != 0
        # 1: removed for this harm; 0: approved; NaN: removed for another harm, so this label was not judged
        frame[f"human_{label}"] = [0.0 if a == "approve" else 1.0 if label in REMOVAL_LABELS.get(r, ()) else np.nan
                                   for a, r in zip(frame["action"], frame["reason_code"])]  # fmt: skip
    frame["decided_at"] = pd.to_datetime(frame["decided_at"], utc=True)
    return frame.drop(columns=["scores", "label_flags"])


def _precision_recall(flagged: pd.Series, human: pd.Series) -> tuple[float, float]:
    """Over the decisions that judged this label (NaN: not judged)."""
    known = human.notna()
    flagged, human = flagged[known], human[known]
    hits = int((flagged & (human == 1)).sum())
    precision = hits / int(flagged.sum()) if flagged.any() else np.nan
    recall = hits / int((human == 1).sum()) if (human == 1).any() else np.nan
    return precision, recall


def agreement(decided: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """Per model and label (and per `period`, e.g. "W" for weeks): the decisions that judged the label (every
    approval and every removal for this harm; a removal for another harm does not judge it), the moderators'
    positives among them, and the precision and recall of the model's flags against them. `decisions` counts what
    precision and recall are measured on, as in `propose_thresholds`."""
    rows = []
    groups = [decided["model"]] + ([decided["decided_at"].dt.tz_convert(None).dt.to_period(period)] if period else [])
    for key, part in decided.groupby(groups, sort=True) if len(decided) else []:
        key = key if isinstance(key, tuple) else (key,)
        for label in LABELS:
            precision, recall = _precision_recall(part[f"flag_{label}"], part[f"human_{label}"])
            confirmed = int((part[f"human_{label}"] == 1).sum())
            judged = int(part[f"human_{label}"].notna().sum())
            row = {"model": key[0], "label": label, "decisions": judged, "confirmed": confirmed,
                   "precision": precision, "recall": recall}  # fmt: skip
            if period:
                row["period"] = str(key[1])
            rows.append(row)
    return pd.DataFrame(rows, columns=["model", "label", "decisions", "confirmed", "precision", "recall"]
                        + (["period"] if period else []))  # fmt: skip


def propose_thresholds(decided: pd.DataFrame, current: dict[str, float], target_precision: float,
                       min_decisions: int = 20) -> pd.DataFrame:  # fmt: skip
    """Per label: the lowest review threshold whose flags the moderators confirmed at `target_precision` or better
    on the decided items, beside the current one. Labels with fewer than `min_decisions` decided items, or where no
    threshold reaches the target, keep their threshold (`proposed` is NaN) and say why."""
    rows = []
    for label in LABELS:
        known = decided[f"human_{label}"].notna().to_numpy()  # only the decisions that judged this label
        scores, human = decided[label].to_numpy(float)[known], decided[f"human_{label}"].to_numpy(float)[known]
        row = {"label": label, "current": current[label], "proposed": np.nan, "decisions": len(scores),
               "precision_now": _precision_at(scores, human, current[label]), "precision_then": np.nan,
               "recall_now": _recall_at(scores, human, current[label]), "recall_then": np.nan, "why": ""}  # fmt: skip
        if len(scores) < min_decisions or human.sum() == 0:
            row["why"] = f"too few decisions ({len(scores)}, {int(human.sum())} confirmed)"
        else:
            reaching = [t for t in np.unique(scores) if _precision_at(scores, human, t) >= target_precision]
            if reaching:
                row["proposed"] = round(float(min(reaching)), 4)
                row["precision_then"] = _precision_at(scores, human, row["proposed"])
                row["recall_then"] = _recall_at(scores, human, row["proposed"])
            else:
                row["why"] = f"no threshold reaches precision {target_precision:.2f}"
        rows.append(row)
    return pd.DataFrame(rows)


def _precision_at(scores: np.ndarray, human: np.ndarray, threshold: float) -> float:
    flagged = scores >= threshold
    return float(human[flagged].mean()) if flagged.any() else np.nan


def _recall_at(scores: np.ndarray, human: np.ndarray, threshold: float) -> float:
    positives = human == 1
    return float((scores[positives] >= threshold).mean()) if positives.any() else np.nan


def training_rows(decided: pd.DataFrame) -> pd.DataFrame:
    """The decisions as training rows (`--extra-data`): an approval says every label is 0; a removal says its
    reason's labels are 1 and leaves the others blank, since a moderator who removed an insult did not judge
    whether it was also obscene."""
    out = pd.DataFrame({"comment_text": decided["text"]})
    for label in LABELS:
        out[label] = decided[f"human_{label}"].astype("Int64")  # blank where the moderator did not judge it
    for column in ("language", "decided_at", "reviewer", "action", "reason_code"):
        out[column] = decided[column]
    return out[EXPORT_COLUMNS]


def as_judged_by(decided: pd.DataFrame, model, policy) -> pd.DataFrame:
    """`decided` as if `model` had scored it under `policy`: its scores and flags replace the stored ones, so the
    moderators' decisions measure every model, not only the one that was in force."""
    judged = decided.copy()
    if judged.empty:
        return judged.assign(model=getattr(model, "name", "model"))
    texts = judged["text"].tolist()
    verdicts, scores = judge_texts(policy, model, texts, score_texts(model, texts))  # flags as a verdict gives them
    for label in LABELS:
        judged[label] = scores[label].to_numpy()
        judged[f"flag_{label}"] = [label in verdict.labels for verdict in verdicts]
    return judged.assign(model=getattr(model, "name", "model"))
