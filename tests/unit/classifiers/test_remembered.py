"""Scores remembered: a run that scores the same comments with several models runs each model once on them."""

import pandas as pd

from cleanspeech.classifiers import remember_scores
from cleanspeech.classifiers.ensemble import EnsembleModel
from tests.helpers.scoring import Counted

TEXTS = ["you are an idiot", "thanks for the sources", "I will find you", "you are an idiot", "what a stupid edit"]


def test_the_ensemble_reads_the_scores_its_members_gave(shipped_baseline, small_baseline):
    members = {"baseline": Counted(shipped_baseline), "small": Counted(small_baseline)}
    ensemble = EnsembleModel(members, {"baseline": 0.7, "small": 0.3}, shipped_baseline.thresholds)
    expected = {"small": small_baseline.predict_proba(TEXTS), "ensemble": ensemble.predict_proba(TEXTS)}
    before = [m.scored for m in members.values()]
    models = remember_scores({"small": members["small"], "ensemble": ensemble})
    pd.testing.assert_frame_equal(models["small"].predict_proba(TEXTS), expected["small"])
    for _ in range(2):
        pd.testing.assert_frame_equal(models["ensemble"].predict_proba(TEXTS), expected["ensemble"])
    # "small" ran once, not again inside the ensemble; "baseline" is not among the models, so the ensemble ran it
    assert [m.scored - b for m, b in zip(members.values(), before)] == [5, 5]
    changed = models["small"].predict_proba(TEXTS)
    changed["toxic"] = 2.0  # what a caller does with its scores does not change the remembered ones
    pd.testing.assert_frame_equal(models["small"].predict_proba(TEXTS), expected["small"])
    models["small"].predict_proba(TEXTS[:2])  # another list of texts is scored
    assert members["small"].scored - before[1] == 7
    assert models["ensemble"].thresholds == ensemble.thresholds and models["small"].wrapped is members["small"]
    assert ensemble.members["small"] is members["small"]  # the models given are not changed
