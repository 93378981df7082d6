"""Scores remembered by text: a run that scores the same comments with several models runs each model once."""

import pandas as pd

from cleanspeech.classifiers import remember_scores
from cleanspeech.classifiers.ensemble import EnsembleModel
from tests.helpers.scoring import Counted

TEXTS = ["you are an idiot", "thanks for the sources", "I will find you", "you are an idiot", "what a stupid edit"]


def test_each_distinct_text_is_scored_once_and_the_ensemble_reads_its_members(shipped_baseline, small_baseline):
    members = {"baseline": Counted(shipped_baseline), "small": Counted(small_baseline)}
    ensemble = EnsembleModel(members, {"baseline": 0.7, "small": 0.3}, shipped_baseline.thresholds)
    expected = {"small": small_baseline.predict_proba(TEXTS), "ensemble": ensemble.predict_proba(TEXTS)}
    before = [m.scored for m in members.values()]
    models = remember_scores({"small": members["small"], "ensemble": ensemble})
    pd.testing.assert_frame_equal(models["small"].predict_proba(TEXTS), expected["small"])
    pd.testing.assert_frame_equal(models["ensemble"].predict_proba(TEXTS), expected["ensemble"])
    pd.testing.assert_frame_equal(
        models["ensemble"].predict_proba(TEXTS[::-1]), expected["ensemble"][::-1].reset_index(drop=True)
    )
    spent = [m.scored - b for m, b in zip(members.values(), before)]
    assert spent == [4, 4]  # four distinct texts each: the ensemble read "small" from memory, and scored no text twice
    assert models["ensemble"].thresholds == ensemble.thresholds and models["small"].model is members["small"]
    assert ensemble.members["small"] is members["small"]  # the models given are not changed
    assert models["small"].predict_proba([]).shape == (0, 6)
