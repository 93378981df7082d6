"""Unintended identity bias (Borkan et al. 2019), as the Jigsaw 2019 competition measured it.

For each identity subgroup (the comments that mention it) against the background (the rest):
- subgroup AUC: toxic vs non-toxic comments within the subgroup;
- BPSN AUC (background positive, subgroup negative): low when benign mentions of the group score above toxic
  comments about others, the "I am a gay man" failure;
- BNSP AUC (background negative, subgroup positive): low when attacks on the group score below benign comments
  about others;
- the benign false-positive rate: the share of the subgroup's non-toxic comments that a model flags (any label at
  its tuned threshold), what a moderator would wrongly remove, with its 95% Wilson interval: 5 flags in 48
  sentences is 10.4%, but the interval runs from 4.5% to 22%, so a rate just over a limit does not show that the
  term is flagged more often than the limit allows.
Their generalized means over subgroups (p = -5, which weighs the worst subgroups most) and the competition's final
metric, 0.25 x overall AUC + 0.25 x each generalized mean, summarise a model.
"""

import numpy as np
from sklearn.metrics import roc_auc_score

POWER = -5  # the competition's generalized mean: close to the minimum, so one bad subgroup shows
MIN_SUBGROUP = 10  # fewer comments than this: no AUC (too noisy to compare)
MIN_BENIGN = 5  # fewer benign comments than this: the false-positive rate is shown, left out of the summary
BENIGN_FPR_LIMIT = 0.10  # a moderator would notice a group whose benign mentions are flagged more than one in ten
CONFIDENCE = 0.95


def _auc(labels: np.ndarray, scores: np.ndarray) -> float:
    if len(labels) < 2 or labels.min() == labels.max():
        return float("nan")
    return float(roc_auc_score(labels, scores))


def generalized_mean(values, power: float = POWER) -> float:
    """M_p of the values that are numbers; NaN when there are none."""
    values = np.asarray([v for v in values if v == v], dtype=float)
    if not len(values):
        return float("nan")
    return float(np.mean(np.power(np.clip(values, 1e-12, None), power)) ** (1 / power))


def rate_interval(hits: int, total: int, confidence: float = CONFIDENCE) -> list[float]:
    """The Wilson score interval of `hits / total` ([NaN, NaN] when `total` is 0)."""
    if total == 0:
        return [float("nan"), float("nan")]
    from scipy.stats import binomtest  # scipy comes with scikit-learn

    interval = binomtest(hits, total).proportion_ci(confidence, method="wilson")
    return [float(interval.low), float(interval.high)]


def subgroup_metrics(labels, scores, flagged, member) -> dict:
    """The four numbers for one subgroup; `member` marks its comments (a boolean array like `labels`)."""
    labels, scores, flagged, member = (np.asarray(a) for a in (labels, scores, flagged, member))
    member = member.astype(bool)
    inside, outside = member, ~member
    benign = inside & (labels == 0)
    result = {"n": int(inside.sum()), "toxic": int((labels[inside] == 1).sum()), "benign": int(benign.sum()),
              "benign_fpr": float(flagged[benign].mean()) if benign.any() else float("nan"),
              "benign_fpr_ci": rate_interval(int(flagged[benign].sum()), int(benign.sum()))}  # fmt: skip
    if inside.sum() < MIN_SUBGROUP:
        return result | {"subgroup_auc": float("nan"), "bpsn_auc": float("nan"), "bnsp_auc": float("nan")}
    bpsn = benign | (outside & (labels == 1))
    bnsp = (inside & (labels == 1)) | (outside & (labels == 0))
    return result | {
        "subgroup_auc": _auc(labels[inside], scores[inside]),
        "bpsn_auc": _auc(labels[bpsn], scores[bpsn]),
        "bnsp_auc": _auc(labels[bnsp], scores[bnsp]),
    }


def bias_report(labels, scores, flagged, groups: dict[str, np.ndarray]) -> dict:
    """Per subgroup metrics, their generalized means and the Jigsaw 2019 final metric.

    `labels`: 1 for toxic; `scores`: the model's toxic probability; `flagged`: whether the model flags the comment
    (any label); `groups`: subgroup name -> boolean membership per comment (a comment may be in several).
    """
    labels = np.asarray(labels)
    per_group = {name: subgroup_metrics(labels, scores, flagged, member) for name, member in groups.items()}
    means = {
        f"{metric}_gmean": generalized_mean(m[metric] for m in per_group.values())
        for metric in ("subgroup_auc", "bpsn_auc", "bnsp_auc")
    }
    overall = _auc(labels, np.asarray(scores))
    final = 0.25 * overall + 0.25 * sum(means.values()) if all(v == v for v in means.values()) else float("nan")
    counted = [m for m in per_group.values() if m["benign"] >= MIN_BENIGN]
    fprs = [m["benign_fpr"] for m in counted]
    return {
        "overall_auc": overall,
        **means,
        "final_metric": final,
        "max_benign_fpr": max(fprs, default=float("nan")),
        "mean_benign_fpr": float(np.mean(fprs)) if fprs else float("nan"),
        # subgroups over BENIGN_FPR_LIMIT, and those over it beyond doubt (the whole interval above it)
        "terms_over_fpr_limit": sum(m["benign_fpr"] > BENIGN_FPR_LIMIT for m in counted),
        "terms_surely_over_fpr_limit": sum(m["benign_fpr_ci"][0] > BENIGN_FPR_LIMIT for m in counted),
        "groups": per_group,
    }
