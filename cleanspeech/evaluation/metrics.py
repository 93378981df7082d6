"""Multi-label metrics that respect unknown labels.

A NaN target means the source did not annotate that label: the row is masked for that label, never counted as a
negative. A label whose known targets hold only one class has no ROC/PR-AUC: it gets NaN, and `evaluate` warns
(`roc_aucs`, made for searches over many candidates, does not).
"""

import warnings

import numpy as np
import pandas as pd

from ..classifiers import flag_matrix
from ..labels import LABEL2ID, LABELS

METRIC_COLUMNS = ["roc_auc", "pr_auc", "precision", "recall", "f1", "threshold", "n", "positives"]


class MetricWarning(UserWarning):
    """A metric could not be computed for a label (e.g. only one class present)."""


def _known(y_true: pd.DataFrame, y_score: pd.DataFrame, label: str) -> tuple[np.ndarray, np.ndarray]:
    truth = y_true[label].to_numpy(dtype=float)
    score = y_score[label].to_numpy(dtype=float)
    mask = ~np.isnan(truth) & ~np.isnan(score)
    return truth[mask].astype(int), score[mask]


def _has_both_classes(truth: np.ndarray, label: str, what: str) -> bool:
    if truth.size and 0 < truth.sum() < truth.size:
        return True
    message = f"{label}: only one class among {truth.size} known targets, {what} is undefined (NaN)"
    warnings.warn(message, MetricWarning, stacklevel=3)
    return False


def precision_recall_f1(truth: np.ndarray, score: np.ndarray, threshold: float) -> tuple[float, float, float]:
    """Precision, recall and F1 of `score >= threshold`. Without a positive, recall and F1 are NaN (and precision too
    where nothing was flagged), so that a macro mean leaves such a label out as it leaves out its NaN ROC-AUC instead
    of counting a 0 that says the model failed on it; with positives and nothing flagged, all three are 0."""
    predicted = score >= threshold
    tp = float(np.sum(predicted & (truth == 1)))
    if not truth.sum():  # no positive: recall and F1 say nothing, precision only where something was flagged
        return (0.0 if predicted.sum() else np.nan), np.nan, np.nan
    precision = tp / predicted.sum() if predicted.sum() else 0.0  # positives, none flagged: a miss, counted as one
    recall = tp / truth.sum()
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_f1_threshold(truth: np.ndarray, score: np.ndarray, flagged_anyway: np.ndarray | None = None) -> float:
    """The score threshold that maximises F1 (0.5 when the label has no positives to tune on). Rows marked in
    `flagged_anyway` count as flagged whatever the threshold (`toxic` where a label that implies it is flagged)."""
    if truth.sum() == 0:
        return 0.5
    from sklearn.metrics import precision_recall_curve  # see `evaluate`

    anyway = np.zeros(truth.size, bool) if flagged_anyway is None else np.asarray(flagged_anyway, bool)
    if anyway.shape != truth.shape:
        raise ValueError(f"flagged_anyway has {anyway.size} rows for {truth.size} targets")
    if anyway.all():  # nothing left for the threshold to decide
        return 0.5
    # a row flagged anyway ranks above every other score (scikit-learn takes no infinity): the cut-off at `above`
    # flags those rows alone, every lower one some of the others too
    above = np.max(score) + 1.0
    precision, recall, thresholds = precision_recall_curve(truth, np.where(anyway, above, score))
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    best = float(thresholds[int(np.argmax(f1[:-1]))])
    return best if best < above else float(np.nextafter(np.max(score[~anyway]), np.inf))  # nothing more is flagged


def roc_aucs(y_true: pd.DataFrame, y_score: pd.DataFrame) -> pd.Series:
    """ROC-AUC per label, unknown targets masked; NaN, without a warning, where a label's known targets hold one
    class. Computed from ranks (the Mann-Whitney U statistic, ties counted half: scikit-learn's `roc_auc_score` to
    the last digit) in a tenth of its time, for searches that score many candidate mixes."""
    from scipy.stats import rankdata

    aucs = dict.fromkeys(LABELS, np.nan)
    for label in LABELS:
        if label not in y_true or label not in y_score:
            continue
        truth, score = _known(y_true, y_score, label)
        positives = float(np.count_nonzero(truth))  # a float: the product below never overflows an int32
        negatives = truth.size - positives
        if positives and negatives:
            rank_sum = rankdata(score)[truth == 1].sum()  # ties get their mean rank: counted half
            aucs[label] = (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
    return pd.Series(aucs, dtype=float)


def tune_thresholds(y_true: pd.DataFrame, y_score: pd.DataFrame) -> dict[str, float]:
    """Per-label thresholds that maximise F1 on (validation) data, unknown targets masked, for the flags as they are
    served: each label on its own score, then `toxic` with the labels that imply it (`tune_toxic_threshold`)."""
    thresholds = {label: best_f1_threshold(*_known(y_true, y_score, label)) for label in LABELS}
    return thresholds | {"toxic": tune_toxic_threshold(y_true, y_score, thresholds)}


def tune_toxic_threshold(y_true: pd.DataFrame, y_score: pd.DataFrame, thresholds: dict[str, float]) -> float:
    """`toxic`'s threshold that maximises the F1 of its flags as served (`classifiers.flag_matrix`): a row where a
    label of `IMPLIES_TOXIC` reaches its threshold in `thresholds` counts as flagged whatever toxic's own score."""
    # the served rule itself, with toxic's own score out of it: the rows the other labels flag toxic on
    implied = flag_matrix(y_score, thresholds | {"toxic": np.inf})[:, LABEL2ID["toxic"]]
    truth, score = y_true["toxic"].to_numpy(dtype=float), y_score["toxic"].to_numpy(dtype=float)
    known = ~np.isnan(truth) & ~np.isnan(score)
    return best_f1_threshold(truth[known].astype(int), score[known], implied[known])


def evaluate(y_true: pd.DataFrame, y_score: pd.DataFrame, thresholds: dict[str, float] | None = None) -> pd.DataFrame:
    """Per-label ROC-AUC, PR-AUC and precision/recall/F1 at `thresholds` (0.5 by default), plus a `macro` row.

    Labels with no known targets are left out; `macro` is the mean over the labels where a value exists.
    """
    # sklearn.metrics takes ~2 s to import: imported when something is measured, not whenever the CLI starts
    from sklearn.metrics import average_precision_score, roc_auc_score

    thresholds = thresholds or {}
    rows = {}
    for label in LABELS:
        if label not in y_true or label not in y_score:
            continue
        truth, score = _known(y_true, y_score, label)
        if truth.size == 0:
            continue
        both = _has_both_classes(truth, label, "ROC-AUC/PR-AUC")
        threshold = thresholds.get(label, 0.5)
        rows[label] = {
            "roc_auc": roc_auc_score(truth, score) if both else np.nan,
            "pr_auc": average_precision_score(truth, score) if both else np.nan,
            **dict(zip(("precision", "recall", "f1"), precision_recall_f1(truth, score, threshold))),
            "threshold": threshold,
            "n": int(truth.size),
            "positives": int(truth.sum()),
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=METRIC_COLUMNS, dtype=float)
    if not table.empty:
        table.loc["macro"] = table.mean(numeric_only=True, skipna=True)
        table.loc["macro", ["threshold", "n", "positives"]] = np.nan
    return table


def curve_points(y_true: pd.DataFrame, y_score: pd.DataFrame, max_points: int = 200) -> dict:
    """ROC and PR curve points per label, thinned to at most `max_points` each (for plotting)."""
    from sklearn.metrics import precision_recall_curve, roc_curve  # see `evaluate`

    curves = {}
    for label in LABELS:
        truth, score = _known(y_true, y_score, label)
        if truth.size == 0 or truth.sum() in (0, truth.size):
            continue
        fpr, tpr, _ = roc_curve(truth, score)
        precision, recall, _ = precision_recall_curve(truth, score)
        roc_idx = np.unique(np.linspace(0, len(fpr) - 1, min(max_points, len(fpr))).round().astype(int))
        pr_idx = np.unique(np.linspace(0, len(recall) - 1, min(max_points, len(recall))).round().astype(int))
        curves[label] = {
            "roc": {"fpr": fpr[roc_idx].round(5).tolist(), "tpr": tpr[roc_idx].round(5).tolist()},
            "pr": {"recall": recall[pr_idx].round(5).tolist(), "precision": precision[pr_idx].round(5).tolist()},
        }
    return curves
