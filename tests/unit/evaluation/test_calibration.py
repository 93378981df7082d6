"""Calibration: Platt scaling under natural base rates, ECE and reliability bins, and the script that fits them."""

import json
import shutil

import numpy as np
import pytest

from cleanspeech.evaluation.calibration import (
    Calibration,
    expected_calibration_error,
    fit_platt,
    prior_weights,
    reliability_bins,
)
from cleanspeech.labels import LABELS
from tests.helpers import run_script


def test_ece_is_zero_for_calibrated_scores_and_large_for_overconfident_ones():
    rng = np.random.default_rng(0)
    score = rng.uniform(size=200_000)
    truth = rng.uniform(size=score.size) < score  # outcomes drawn at the stated probability
    assert expected_calibration_error(truth, score) < 0.01
    assert expected_calibration_error(truth, np.sqrt(score)) > 0.1  # every score too high
    bins = reliability_bins(truth, score)
    assert len(bins) == 10 and sum(b["rows"] for b in bins) == score.size


def test_prior_weights_give_the_natural_rate_and_keep_the_total():
    truth = np.array([1] * 40 + [0] * 60)
    weights = prior_weights(truth, 0.1)
    assert weights.sum() == pytest.approx(100) and weights[truth == 1].sum() / weights.sum() == pytest.approx(0.1)
    assert (prior_weights(np.zeros(5), 0.1) == 1).all()


def test_platt_recovers_a_known_miscalibration_and_keeps_the_ranking():
    rng = np.random.default_rng(1)
    true_logit = rng.normal(-2, 2, size=50_000)
    truth = rng.uniform(size=true_logit.size) < 1 / (1 + np.exp(-true_logit))
    raw = 1 / (1 + np.exp(-(0.5 * true_logit + 1)))  # what an overconfident model trained on enriched data says
    a, b = fit_platt(truth, raw)
    assert a == pytest.approx(2, rel=0.1) and b == pytest.approx(-2, abs=0.2)
    calibration = Calibration({"toxic": (a, b)})
    scores = np.tile(raw[:, None], (1, len(LABELS)))
    calibrated = calibration.apply(scores)
    assert (np.argsort(calibrated[:, 0]) == np.argsort(raw)).all()  # monotone: the ranking is unchanged
    assert (calibrated[:, 1:] == scores[:, 1:]).all()  # labels without parameters pass through
    assert expected_calibration_error(truth, calibrated[:, 0]) < expected_calibration_error(truth, raw) / 4


def test_calibration_round_trips_through_its_file(tmp_path):
    calibration = Calibration({"toxic": (1.5, -2.0), "threat": (0.8, -4.0)}, {"per_label": {"toxic": {"x": 1}}})
    calibration.save(tmp_path)
    loaded = Calibration.load(tmp_path)
    assert loaded.params == calibration.params and loaded.report == calibration.report
    assert Calibration.load(tmp_path / "nowhere") is None


@pytest.mark.parametrize("content", ["{bad", "[]", '{"labels": {"toxic": 3}}', '{"labels": {"toxic": {"a": 1}}}'])
def test_a_damaged_calibration_file_is_one_message_that_says_how_to_go_on(tmp_path, content):
    from cleanspeech.errors import ModelNotFound

    (tmp_path / "calibration.json").write_text(content)
    with pytest.raises(ModelNotFound, match="calibration.json.*--uncalibrated"):
        Calibration.load(tmp_path)


def test_calibrate_script_fits_on_validation_and_measures_on_test(tmp_path, shipped_baseline_dir, data_dir, capsys):
    model = tmp_path / "baseline"
    shutil.copytree(shipped_baseline_dir, model, ignore=shutil.ignore_patterns("calibration.json"))
    ran = run_script(capsys, "calibrate", "--model", str(model), "--data-dir", str(data_dir),
                     "--plot-dir", str(tmp_path / "plots"))  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    report = json.loads((model / "calibration.json").read_text())
    assert set(report["labels"]) == set(LABELS)
    toxic = report["per_label"]["toxic"]
    assert toxic["test_rows"] == 1027 and toxic["fit_rows"] > 5000  # the natural test rows; Jigsaw validation rows
    assert toxic["ece_after"] < toxic["ece_before"]
    assert 0.05 < toxic["natural_base_rate"] < 0.15  # Jigsaw's ~10 % toxic, not the enriched rate
    assert (tmp_path / "plots" / "reliability_baseline.svg").read_text().lstrip().startswith("<?xml")
