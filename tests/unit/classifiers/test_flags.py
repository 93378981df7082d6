"""Which labels a comment's scores flag: each label at its threshold, and toxic wherever a graver label or obscene
is."""

import numpy as np
import pandas as pd
import pytest

from cleanspeech.classifiers import flag_matrix, flagged_column, flagged_labels
from cleanspeech.labels import IMPLIES_TOXIC, LABELS

THRESHOLDS = {"toxic": 0.5, "severe_toxic": 0.6, "obscene": 0.4, "threat": 0.7, "insult": 0.45, "identity_hate": 0.55}
GRAVER = ("severe_toxic", "obscene", "threat", "identity_hate")  # the documented rule, pinned, not read back


def _scores(**above) -> dict:
    """Every label just under its threshold, the named ones at it."""
    return {label: THRESHOLDS[label] - (0 if above.get(label) else 0.01) for label in LABELS}


def test_the_rule_is_the_documented_one():
    assert IMPLIES_TOXIC == GRAVER


def test_a_label_is_flagged_at_its_own_threshold():
    assert flagged_labels(_scores(), THRESHOLDS) == []
    assert flagged_labels(_scores(toxic=True, insult=True), THRESHOLDS) == ["toxic", "insult"]


@pytest.mark.parametrize("label", GRAVER)
def test_a_graver_label_flags_toxic_too(label):
    assert flagged_labels(_scores(**{label: True}), THRESHOLDS) == ["toxic", label]
    assert flagged_labels(pd.Series(_scores(**{label: True})), THRESHOLDS) == ["toxic", label]


def test_rudeness_does_not_imply_toxic():
    assert flagged_labels(_scores(insult=True), THRESHOLDS) == ["insult"]


def test_a_missing_score_is_never_flagged_but_a_graver_flag_still_implies_toxic():
    scores = {**_scores(threat=True), "toxic": float("nan"), "insult": float("nan")}
    assert flagged_labels(scores, THRESHOLDS) == ["toxic", "threat"]
    assert flagged_labels({**_scores(), "threat": float("nan")}, THRESHOLDS) == []


def test_every_label_needs_a_threshold():
    with pytest.raises(KeyError):
        flagged_labels(_scores(), {k: v for k, v in THRESHOLDS.items() if k != "insult"})


def test_the_matrix_matches_the_rule_written_out_and_the_list_and_column_agree():
    rng = np.random.default_rng(0)
    values = rng.uniform(0.3, 0.8, size=(300, len(LABELS)))
    # columns shuffled and one more beside them: the frame is read by name, not by position
    frame = pd.DataFrame(values, columns=list(LABELS)).assign(lang="en")[["lang", *reversed(LABELS)]]
    expected = values >= np.array([THRESHOLDS[label] for label in LABELS])
    expected[:, 0] |= expected[:, [1, 2, 3, 5]].any(axis=1)  # severe_toxic, obscene, threat, identity_hate
    assert (expected[:, 0] & (values[:, 0] < THRESHOLDS["toxic"])).any()  # the rule is exercised
    hits = flag_matrix(frame, THRESHOLDS)
    assert np.array_equal(hits, expected)
    assert np.array_equal(flag_matrix(values.astype(np.float32), THRESHOLDS), flag_matrix(values, THRESHOLDS))
    assert np.array_equal(flag_matrix(values[0], THRESHOLDS), expected[:1])  # one comment's row
    as_lists = [flagged_labels(row, THRESHOLDS) for _, row in frame.iterrows()]
    assert as_lists == [[label for label, hit in zip(LABELS, row) if hit] for row in expected]
    assert flagged_column(frame, THRESHOLDS) == [",".join(labels) for labels in as_lists]
