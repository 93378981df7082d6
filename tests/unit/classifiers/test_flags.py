"""Which labels a comment's scores flag: each label at its threshold, and toxic wherever a graver label is."""

import numpy as np
import pandas as pd
import pytest

from cleanspeech.classifiers import flag_matrix, flagged_column, flagged_labels
from cleanspeech.labels import IMPLIES_TOXIC, LABELS

THRESHOLDS = {"toxic": 0.5, "severe_toxic": 0.6, "obscene": 0.4, "threat": 0.7, "insult": 0.45, "identity_hate": 0.55}


def _scores(**above) -> dict:
    """Every label just under its threshold, the named ones at it."""
    return {label: THRESHOLDS[label] - (0 if above.get(label) else 0.01) for label in LABELS}


def test_a_label_is_flagged_at_its_own_threshold():
    assert flagged_labels(_scores(), THRESHOLDS) == []
    assert flagged_labels(_scores(toxic=True, insult=True), THRESHOLDS) == ["toxic", "insult"]


@pytest.mark.parametrize("label", IMPLIES_TOXIC)
def test_a_graver_label_flags_toxic_too(label):
    assert flagged_labels(_scores(**{label: True}), THRESHOLDS) == ["toxic", label]


@pytest.mark.parametrize("label", ["obscene", "insult"])
def test_profanity_and_rudeness_do_not_imply_toxic(label):
    assert flagged_labels(_scores(**{label: True}), THRESHOLDS) == [label]


def test_the_matrix_the_list_and_the_column_agree():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.uniform(0.3, 0.8, size=(200, len(LABELS))), columns=list(LABELS))
    hits = flag_matrix(frame, THRESHOLDS)
    assert np.array_equal(hits, flag_matrix(frame.to_numpy(), THRESHOLDS))
    as_lists = [flagged_labels(row, THRESHOLDS) for _, row in frame.iterrows()]
    assert [[label for label, hit in zip(LABELS, row) if hit] for row in hits] == as_lists
    assert flagged_column(frame, THRESHOLDS) == [",".join(labels) for labels in as_lists]
    implied = hits[:, [LABELS.index(label) for label in IMPLIES_TOXIC]].any(axis=1)
    assert hits[implied, 0].all() and (frame["toxic"].to_numpy() < THRESHOLDS["toxic"])[implied].any()
