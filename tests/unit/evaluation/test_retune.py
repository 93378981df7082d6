"""Toxic's threshold tuned again from a model's stored predictions: `with_toxic_threshold_retuned` and the script."""

import json
import shutil

import numpy as np
import pytest

from cleanspeech.classifiers import flag_matrix
from cleanspeech.evaluation.reports import PREDICTION_DECIMALS, with_toxic_threshold_retuned
from cleanspeech.labels import LABELS
from tests.helpers import REPO, load_script

TOXIC = LABELS.index("toxic")


def _report(name: str) -> dict:
    return json.loads((REPO / "models" / name / "evaluation.json").read_text())


def _stored(report: dict, fold: str = "validation") -> tuple[np.ndarray, np.ndarray]:
    stored = report["predictions"][fold]
    scores = np.column_stack([np.asarray(stored["scores"][label], dtype=float) for label in LABELS])
    return np.asarray(stored["labels"]["toxic"], dtype=float), scores


def _served_f1(truth: np.ndarray, scores: np.ndarray, thresholds: dict) -> float:
    known = ~np.isnan(truth)
    flagged = flag_matrix(scores, thresholds)[known, TOXIC]
    positive = truth[known] == 1
    return 2 * (flagged & positive).sum() / (flagged.sum() + positive.sum())


@pytest.fixture(scope="module")
def transformer_report():
    return _report("transformer")


def test_the_retuned_threshold_is_the_best_for_the_served_flags(transformer_report):
    retuned = with_toxic_threshold_retuned(transformer_report)
    truth, scores = _stored(transformer_report)
    thresholds = retuned["thresholds"]
    assert {k: v for k, v in thresholds.items() if k != "toxic"} == {
        k: v for k, v in transformer_report["thresholds"].items() if k != "toxic"
    }
    best = _served_f1(truth, scores, thresholds)
    # about 400 of the distinct stored toxic scores, evenly spaced, as candidates: none gives a higher F1
    candidates = np.unique(scores[:, TOXIC])[:: max(1, len(np.unique(scores[:, TOXIC])) // 400)]
    assert all(best >= _served_f1(truth, scores, thresholds | {"toxic": t}) - 1e-12 for t in candidates)
    # half a rounding step below a stored score: moved a quarter step either way it flags the same stored rows, so
    # which rows it flags does not hang on how their full-precision scores were rounded
    step = 10.0**-PREDICTION_DECIMALS
    for nudge in (-step / 4, step / 4):
        nudged = thresholds | {"toxic": thresholds["toxic"] + nudge}
        assert _served_f1(truth, scores, nudged) == pytest.approx(best, abs=1e-12)


def test_only_toxic_and_the_macro_means_change_and_a_second_pass_changes_nothing(transformer_report):
    once = with_toxic_threshold_retuned(transformer_report)
    twice = with_toxic_threshold_retuned(once)
    assert twice["thresholds"] == once["thresholds"] and twice["splits"] == once["splits"]
    for fold, split in once["splits"].items():
        before = transformer_report["splits"][fold]
        assert split["curves"] == before["curves"]
        for table, kept in [(split["metrics"], before["metrics"]), *((split["by_source"][s], t) for s, t in
                                                                      before["by_source"].items())]:  # fmt: skip
            # the other labels' figures were measured on full-precision scores: kept to the last digit
            assert {row: f for row, f in table.items() if row not in ("toxic", "macro")} == {
                row: f for row, f in kept.items() if row not in ("toxic", "macro")
            }
            for row in ("toxic", "macro"):
                if row in kept:
                    assert {k: table[row][k] for k in ("roc_auc", "pr_auc", "n", "positives")} == {
                        k: kept[row][k] for k in ("roc_auc", "pr_auc", "n", "positives")
                    }
        f1s = [split["metrics"][label]["f1"] for label in LABELS if split["metrics"][label]["f1"] is not None]
        assert split["metrics"]["macro"]["f1"] == pytest.approx(np.mean(f1s))
    # toxic's own figures at the new threshold, computed here from the stored predictions
    truth, scores = _stored(transformer_report, "test")
    flagged = scores[:, TOXIC] >= once["thresholds"]["toxic"]
    recall = (flagged & (truth == 1)).sum() / (truth == 1).sum()
    assert once["splits"]["test"]["metrics"]["toxic"]["recall"] == pytest.approx(recall)
    assert once["by_language"] == transformer_report["by_language"]


def _copy_model(name: str, tmp_path):
    target = tmp_path / name
    target.mkdir()
    for path in (REPO / "models" / name).glob("*.json"):
        shutil.copy(path, target / path.name)
    return target


@pytest.mark.parametrize("name, holder", [("embedding", "thresholds.json"), ("ensemble", "ensemble.json"),
                                          ("baseline", "baseline_meta.json")])  # fmt: skip
def test_the_script_writes_the_threshold_where_the_model_reads_it(name, holder, tmp_path, capsys):
    directory = _copy_model(name, tmp_path)
    layout_before = (directory / holder).read_text().count("\n")
    assert load_script("retune_thresholds").main(["--model", str(directory)]) == 0
    evaluation = json.loads((directory / "evaluation.json").read_text())
    expected = with_toxic_threshold_retuned(_report(name))
    assert evaluation["thresholds"] == expected["thresholds"]
    stored = json.loads((directory / holder).read_text())
    assert stored.get("thresholds", stored) == expected["thresholds"]
    assert (directory / holder).read_text().count("\n") == layout_before  # compact stays compact, indented indented
    meta = directory / {"embedding": "embedding_meta.json", "baseline": "baseline_meta.json"}.get(name, "none")
    if meta.is_file():
        assert json.loads(meta.read_text())["metrics"]["validation"] == expected["splits"]["validation"]["metrics"]
    assert f"{directory}: toxic threshold" in capsys.readouterr().out


def test_a_model_without_stored_predictions_is_a_clear_error(tmp_path, capsys):
    directory = _copy_model("embedding", tmp_path)
    report = json.loads((directory / "evaluation.json").read_text())
    del report["predictions"]
    (directory / "evaluation.json").write_text(json.dumps(report))
    assert load_script("retune_thresholds").run_main(load_script("retune_thresholds").main,
                                                      ["--model", str(directory)]) == 2  # fmt: skip
    assert "stores no validation predictions" in capsys.readouterr().err


def test_a_directory_without_thresholds_is_a_clear_error(tmp_path, capsys):
    directory = tmp_path / "not-a-model"
    directory.mkdir()
    shutil.copy(REPO / "models" / "embedding" / "evaluation.json", directory / "evaluation.json")
    script = load_script("retune_thresholds")
    assert script.run_main(script.main, ["--model", str(directory)]) == 2
    assert "keeps no thresholds" in capsys.readouterr().err
