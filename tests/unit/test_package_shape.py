"""The package's promises about its own shape: a cheap import, one-line errors for mistaken arguments, model
directories that load from anywhere, and an ONNX cache keyed by the network alone."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cleanspeech import CleanSpeechError
from cleanspeech._io import import_optional
from cleanspeech.classifiers import load_model, load_models
from cleanspeech.classifiers.ensemble import save_ensemble
from cleanspeech.cli import main as cli_main
from cleanspeech.errors import InputError, MissingExtra
from cleanspeech.labels import LABELS

REPO = Path(__file__).resolve().parents[2]
TEXTS = ["You are a disgusting idiot.", "Thanks for the fix!"]


def test_import_cleanspeech_loads_no_model_library():
    # a fresh interpreter is the point: this process has torch loaded already
    code = "import sys, cleanspeech; print(sorted(m for m in ('torch', 'sklearn', 'transformers') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def test_mistaken_arguments_are_one_line_errors():
    from cleanspeech.classifiers.baseline import BaselineModel
    from cleanspeech.classifiers.transformer import TransformerModel

    with pytest.raises(CleanSpeechError, match="unknown baseline settings"):
        BaselineModel(ngrams=3)
    with pytest.raises(CleanSpeechError, match="unknown backend 'gpu'"):
        TransformerModel.load(REPO / "models" / "transformer", backend="gpu")
    with pytest.raises(
        MissingExtra,
        match=r"the onnx backend needs no_such_runtime: pip install '\.\[onnx\]' in the CleanSpeech checkout",
    ):
        import_optional("no_such_runtime", "onnx", "the onnx backend")


def test_no_models_found_names_the_variable(tmp_path):
    with pytest.raises(CleanSpeechError, match="CLEANSPEECH_MODELS"):
        load_models(root=tmp_path)
    with pytest.raises(CleanSpeechError, match="CLEANSPEECH_MODELS"):
        load_model("baseline", root=tmp_path)
    (tmp_path / "transformer").mkdir()  # the folder, without the files that make it a model
    (tmp_path / "transformer" / "README.md").write_text("a model card alone")
    with pytest.raises(CleanSpeechError, match=r"model 'transformer' in .* is incomplete .*create it again with: "):
        load_model("transformer", root=tmp_path)  # was: "neither a known model name (..., transformer, ...)"


def test_an_ensemble_written_elsewhere_loads_its_members(tmp_path):
    members = tmp_path / "trained" / "baseline"
    shutil.copytree(REPO / "models" / "baseline", members)
    baseline = load_model(members)
    save_ensemble(tmp_path / "elsewhere" / "ensemble", {"baseline": members}, {"baseline": 1.0}, baseline.thresholds)
    moved = tmp_path / "moved"
    shutil.move(tmp_path / "trained", moved / "trained")
    shutil.move(tmp_path / "elsewhere", moved / "elsewhere")  # relative member paths survive a move of both
    ensemble = load_model(moved / "elsewhere" / "ensemble")
    pd.testing.assert_frame_equal(ensemble.predict_proba(TEXTS), baseline.predict_proba(TEXTS))


def test_an_ensemble_file_of_the_first_format_still_loads(tmp_path):
    shutil.copytree(REPO / "models" / "baseline", tmp_path / "baseline")
    (tmp_path / "ensemble").mkdir()
    spec = {"weights": {"baseline": 1.0}, "thresholds": {label: 0.5 for label in LABELS}}
    (tmp_path / "ensemble" / "ensemble.json").write_text(json.dumps(spec))
    assert list(load_model(tmp_path / "ensemble").members) == ["baseline"]


def test_onnx_cache_key_ignores_files_written_after_training(tmp_path):
    from cleanspeech.classifiers.onnx_backend import model_fingerprint

    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "trained_weights.safetensors").write_bytes(b"weights")
    before = model_fingerprint(tmp_path)
    for name in ("faithfulness.json", "evaluation.json", "thresholds.json", "backend.json", "training_config.json"):
        (tmp_path / name).write_text("{}")
    assert model_fingerprint(tmp_path) == before
    (tmp_path / "trained_weights.safetensors").write_bytes(b"retrained")
    assert model_fingerprint(tmp_path) != before


def test_pack_model_refuses_to_overwrite_without_force(tmp_path, capsys):
    trained, target = tmp_path / "best", tmp_path / "transformer"
    trained.mkdir()
    (trained / "config.json").write_text("{}")
    target.mkdir()
    (target / "config.json").write_text('{"kept": true}')
    assert cli_main(["pack-model", str(trained), "--out-dir", str(target)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert json.loads((target / "config.json").read_text()) == {"kept": True}


def test_an_item_that_is_not_text_is_scored_as_an_empty_comment_by_every_family(shipped_baseline):
    """NaN from an empty cell, None, a number: python-api.md promises an empty comment's scores. The ensemble handed
    such an item to its language detector when it has weights per language, and failed with a TypeError."""
    from cleanspeech.classifiers.ensemble import EnsembleModel

    by_language = {"en": {"baseline": 1.0}, "de": {"baseline": 1.0}}
    thresholds = shipped_baseline.thresholds
    ensemble = EnsembleModel({"baseline": shipped_baseline}, {"baseline": 1.0}, thresholds, by_language)
    items = pd.Series(["", None, float("nan"), pd.NA, 5], index=[10, 11, 12, 13, 14])
    for model in (shipped_baseline, ensemble):
        scores = model.predict_proba(items)
        assert list(scores.index) == list(items.index) and (scores == scores.iloc[0]).all().all()
    assert [route["language"] for route in ensemble.route(items)] == ["und"] * 5


def test_an_item_that_holds_several_values_is_refused_not_scored_as_an_empty_comment(shipped_baseline):
    """A 2-D array's rows, records and tuples were each scored as an empty comment: results that looked clean."""
    import numpy as np

    frame = pd.DataFrame({"comment_text": ["you stupid idiot", "thanks"]})
    for texts in (frame[["comment_text"]].to_numpy(), [{"text": "you stupid idiot"}], [("you stupid idiot",)],
                  [["you stupid idiot"]]):  # fmt: skip
        with pytest.raises(InputError, match=r"texts\[0\] is a .*, not a comment"):
            shipped_baseline.predict_proba(texts)
    assert len(shipped_baseline.predict_proba(np.array(["you stupid idiot", "thanks"]))) == 2  # a 1-D array is fine


def test_one_folder_named_twice_is_loaded_once(shipped_baseline_dir):
    other = shipped_baseline_dir.parent / ".." / shipped_baseline_dir.parent.name / shipped_baseline_dir.name
    models = load_models([str(shipped_baseline_dir), str(other)])
    assert len(models) == 2 and models[str(shipped_baseline_dir)] is models[str(other)]
