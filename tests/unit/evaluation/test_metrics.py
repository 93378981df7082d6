import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score, roc_auc_score

from cleanspeech.classifiers import flag_matrix
from cleanspeech.evaluation.metrics import (
    MetricWarning,
    best_f1_threshold,
    curve_points,
    evaluate,
    precision_recall_f1,
    roc_aucs,
    tune_thresholds,
)
from cleanspeech.labels import IMPLIES_TOXIC, LABELS


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


def _served_toxic_f1(truth, scores, thresholds):
    """F1 of the toxic flags a user gets (`flag_matrix`: the rule included), on the rows whose toxic is known."""
    known = truth["toxic"].notna().to_numpy()
    served = flag_matrix(scores, thresholds)[:, LABELS.index("toxic")]
    return f1_score(truth["toxic"][known], served[known])


def test_tuned_threshold_maximises_f1(scored):
    truth, scores = scored
    truth.loc[truth.index[:50], "toxic"] = np.nan  # unknown toxic targets: left out of its tuning
    thresholds = tune_thresholds(truth, scores)
    for label in set(LABELS) - {"toxic"}:  # each on its own score
        best = precision_recall_f1(truth[label].to_numpy(), scores[label].to_numpy(), thresholds[label])[2]
        grid = max(f1_score(truth[label], scores[label] >= t) for t in np.linspace(0, 1, 201))
        assert best >= grid - 1e-9
    # toxic: for the flags as served, the labels that imply it included
    best = _served_toxic_f1(truth, scores, thresholds)
    grid = max(_served_toxic_f1(truth, scores, thresholds | {"toxic": t}) for t in np.linspace(0, 1, 201))
    assert best >= grid - 1e-9


def test_toxic_threshold_rises_where_implying_flags_catch_its_positives():
    # 40 toxic identity attacks with a low toxic score but a high identity_hate one, 40 toxic comments scored high,
    # and 120 benign ones scored from 0 to 0.6: on its own score, toxic's best threshold has to reach down to 0.25 for
    # the attacks; with the rule they are flagged through identity_hate and the threshold stays above the benign rows
    truth = pd.DataFrame(0.0, index=range(200), columns=list(LABELS))
    scores = pd.DataFrame(0.01, index=range(200), columns=list(LABELS))
    truth.loc[:79, "toxic"] = 1.0
    truth.loc[:39, "identity_hate"] = 1.0
    scores.loc[:39, "toxic"], scores.loc[:39, "identity_hate"] = 0.25, 0.9
    scores.loc[40:79, "toxic"] = 0.8
    scores.loc[80:, "toxic"] = np.linspace(0.0, 0.6, 120)
    own = best_f1_threshold(truth["toxic"].to_numpy(int), scores["toxic"].to_numpy())
    thresholds = tune_thresholds(truth, scores)
    assert "identity_hate" in IMPLIES_TOXIC and own == pytest.approx(0.25)
    assert thresholds["toxic"] == pytest.approx(0.8) and thresholds["identity_hate"] == pytest.approx(0.9)
    assert _served_toxic_f1(truth, scores, thresholds) == 1.0


def test_flagged_anyway_rows_only_add_flags():
    rng = np.random.default_rng(1)
    truth, score = rng.integers(0, 2, 300), rng.random(300)
    assert best_f1_threshold(truth, score, np.zeros(300, bool)) == best_f1_threshold(truth, score)
    assert best_f1_threshold(truth, score, np.ones(300, bool)) == 0.5  # nothing left to decide
    anyway = rng.random(300) < 0.3
    threshold = best_f1_threshold(truth, score, anyway)
    assert np.isfinite(threshold) and threshold in score[~anyway]  # a real threshold among the undecided rows
    best = f1_score(truth, anyway | (score >= threshold))
    assert all(best >= f1_score(truth, anyway | (score >= t)) - 1e-9 for t in np.linspace(0, 1, 101))


def test_flagging_no_more_than_the_implied_rows_can_be_best():
    truth, anyway = np.array([1, 1, 0, 0]), np.array([True, True, False, False])
    threshold = best_f1_threshold(truth, np.array([0.1, 0.1, 0.9, 0.8]), anyway)
    assert 0.9 < threshold < 0.9 + 1e-9  # just above the highest other score: they stay unflagged (F1 1.0)
    with pytest.raises(ValueError, match="1 rows for 4 targets"):
        best_f1_threshold(truth, np.array([0.1, 0.1, 0.9, 0.8]), np.array([True]))


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
