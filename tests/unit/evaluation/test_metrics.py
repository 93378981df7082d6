import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score, roc_auc_score

from cleanspeech.evaluation.metrics import (
    MetricWarning,
    curve_points,
    evaluate,
    precision_recall_f1,
    roc_aucs,
    tune_thresholds,
)
from cleanspeech.labels import LABELS


@pytest.fixture
def scored():
    rng = np.random.default_rng(0)
    truth = pd.DataFrame({lb: rng.integers(0, 2, 400).astype(float) for lb in LABELS})
    scores = pd.DataFrame({lb: np.clip(truth[lb] * 0.3 + rng.random(400) * 0.7, 0, 1) for lb in LABELS})
    return truth, scores


def test_matches_sklearn_on_complete_labels(scored):
    truth, scores = scored
    table = evaluate(truth, scores, {lb: 0.5 for lb in LABELS})
    for label in LABELS:
        assert table.loc[label, "roc_auc"] == pytest.approx(roc_auc_score(truth[label], scores[label]))
        assert table.loc[label, "f1"] == pytest.approx(f1_score(truth[label], scores[label] >= 0.5))
    assert table.loc["macro", "roc_auc"] == pytest.approx(table.loc[list(LABELS), "roc_auc"].mean())


def test_rank_aucs_match_sklearn_with_ties_masks_and_one_class_labels(scored):
    truth, scores = scored
    scores = scores.round(1)  # many ties
    truth.loc[truth.index[:150], "threat"] = np.nan  # unknown targets: masked
    truth["obscene"] = 0.0  # one class: NaN, and no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        aucs = roc_aucs(truth, scores)
    assert list(aucs.index) == list(LABELS) and np.isnan(aucs["obscene"])
    for label in set(LABELS) - {"obscene"}:
        known = truth[label].notna()
        expected = roc_auc_score(truth.loc[known, label], scores.loc[known, label])
        assert aucs[label] == pytest.approx(expected, abs=1e-12)


def test_unknown_targets_are_masked_not_negatives(scored):
    truth, scores = scored
    masked = truth.copy()
    hide = masked.index[:200]
    masked.loc[hide, "threat"] = np.nan
    table = evaluate(masked, scores)
    kept = masked.index[200:]
    assert table.loc["threat", "n"] == 200
    assert table.loc["threat", "roc_auc"] == pytest.approx(
        roc_auc_score(truth.loc[kept, "threat"], scores.loc[kept, "threat"])
    )
    # Counting the hidden rows as negatives would give a different answer.
    as_zero = masked.fillna(0)
    assert evaluate(as_zero, scores).loc["threat", "roc_auc"] != pytest.approx(table.loc["threat", "roc_auc"])


def test_one_class_label_gives_nan_and_a_warning(scored):
    truth, scores = scored
    truth["threat"] = 0.0
    with pytest.warns(MetricWarning, match="threat"):
        table = evaluate(truth, scores)
    assert np.isnan(table.loc["threat", "roc_auc"]) and np.isnan(table.loc["threat", "pr_auc"])
    assert not np.isnan(table.loc["macro", "roc_auc"])  # macro averages over the labels that have a value
    # Without a positive, recall and F1 are undefined too: left out of the macro mean, not counted as a 0
    assert np.isnan(table.loc["threat", "recall"]) and np.isnan(table.loc["threat", "f1"])
    others = table.drop(index=["threat", "macro"])
    assert table.loc["macro", "f1"] == pytest.approx(others["f1"].mean())


def test_label_with_no_known_targets_is_left_out(scored):
    truth, scores = scored
    truth["severe_toxic"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = evaluate(truth, scores)
    assert "severe_toxic" not in table.index


def test_tuned_threshold_maximises_f1(scored):
    truth, scores = scored
    thresholds = tune_thresholds(truth, scores)
    for label in LABELS:
        best = precision_recall_f1(truth[label].to_numpy(), scores[label].to_numpy(), thresholds[label])[2]
        grid = max(f1_score(truth[label], scores[label] >= t) for t in np.linspace(0, 1, 201))
        assert best >= grid - 1e-9


def test_precision_recall_f1_by_hand():
    truth = np.array([1, 1, 0, 0, 1])
    score = np.array([0.9, 0.2, 0.8, 0.1, 0.7])
    precision, recall, f1 = precision_recall_f1(truth, score, 0.5)
    assert (precision, recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3)) and f1 == pytest.approx(2 / 3)
    assert precision_recall_f1(truth, score, 0.95) == (0.0, 0.0, 0.0)  # positives, none flagged: a miss, not a gap
    no_positive = precision_recall_f1(np.zeros(5), score, 0.95)
    assert all(np.isnan(no_positive))  # nothing to find and nothing flagged: undefined, left out of a macro mean


def test_curve_points_are_thinned_and_monotone(scored):
    truth, scores = scored
    curves = curve_points(truth, scores, max_points=50)
    roc = curves["toxic"]["roc"]
    assert len(roc["fpr"]) <= 50 and roc["fpr"][0] == 0 and roc["fpr"][-1] == 1
    assert all(a <= b for a, b in zip(roc["fpr"], roc["fpr"][1:]))
