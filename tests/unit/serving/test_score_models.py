"""`score_models`: every model over the same texts, an ensemble reading the scores its members gave."""

import pandas as pd

from cleanspeech.classifiers.ensemble import EnsembleModel
from cleanspeech.serving import score_models
from tests.helpers.scoring import Counted


def test_an_ensemble_beside_its_members_reuses_their_scores(shipped_baseline, small_baseline):
    members = {"baseline": Counted(shipped_baseline), "small": Counted(small_baseline)}
    ensemble = EnsembleModel(members, {"baseline": 0.7, "small": 0.3}, shipped_baseline.thresholds)
    texts = ["you are an idiot", "thanks for the sources", "I will find you", "ok", "what a stupid edit"]
    alone = ensemble.predict_proba(texts)
    assert [m.scored for m in members.values()] == [5, 5]
    done = []
    scores = score_models({"ensemble": ensemble, **members}, texts, batch_size=2, progress=done.append)
    assert done == [2, 2, 1] * 3  # every model's batches are reported, the ensemble's too: progress reaches the end
    assert list(scores) == ["ensemble", "baseline", "small"]  # the caller's order, whatever order they ran in
    assert [m.scored for m in members.values()] == [10, 10]  # once each, not once more inside the ensemble
    pd.testing.assert_frame_equal(scores["ensemble"], alone)
    pd.testing.assert_frame_equal(scores["small"], small_baseline.predict_proba(texts))
    # A model of the same name that is not the ensemble's own member is not taken for it
    stranger = Counted(shipped_baseline)
    score_models({"ensemble": ensemble, "baseline": stranger}, texts)
    assert stranger.scored == 5 and [m.scored for m in members.values()] == [15, 15]
