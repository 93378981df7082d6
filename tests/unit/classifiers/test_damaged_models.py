"""A model directory with a damaged file (a copy cut short, a broken JSON) is a one-line error, never a traceback."""

import json
import shutil

import pytest

from cleanspeech import load_model
from cleanspeech.errors import ModelNotFound
from cleanspeech.labels import LABELS
from tests.helpers import run_cli, run_script
from tests.helpers.training import train_args


def _cut_short(path, keep: float = 0.3) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.fixture
def damaged_transformer(tiny_classifier_dir, tmp_path):
    directory = tmp_path / "transformer"
    shutil.copytree(tiny_classifier_dir, directory)
    _cut_short(directory / "model.safetensors")
    return directory


def test_a_damaged_baseline_is_named_not_traced(small_baseline, tmp_path):
    small_baseline.save(tmp_path)
    _cut_short(tmp_path / "baseline_pipeline.pkl.gz")
    with pytest.raises(ModelNotFound, match=r"cannot read the model in .*damaged or incomplete"):
        load_model(tmp_path)


@pytest.mark.parametrize("keep", [0.3, 0.0])
def test_a_damaged_embedding_head_is_named_not_traced(tmp_path, keep):
    import numpy as np

    from cleanspeech.classifiers.embedding import EmbeddingModel

    hidden = (np.ones((4, 384)), np.zeros(4))  # on e5's 384 numbers
    EmbeddingModel(np.ones((len(LABELS), 4)), np.zeros(len(LABELS)), hidden=hidden).save(tmp_path)
    _cut_short(tmp_path / "embedding_head.npz", keep)  # an .npz is a zip archive: cut short, it is no zip at all
    with pytest.raises(ModelNotFound, match=r"cannot read the model in .*damaged or incomplete"):
        load_model(tmp_path)


@pytest.mark.parametrize("content", ["[1, 2]", '{"toxic": "high"}', '{"toxic": true}', '{"toxic": 2}', "{"])
def test_a_damaged_thresholds_file_is_named_not_traced(tmp_path, tiny_classifier_dir, content):
    import numpy as np

    from cleanspeech.classifiers.embedding import EmbeddingModel

    EmbeddingModel(np.ones((len(LABELS), 384)), np.zeros(len(LABELS))).save(tmp_path / "embedding")
    shutil.copytree(tiny_classifier_dir, tmp_path / "transformer")
    for directory in (tmp_path / "embedding", tmp_path / "transformer"):
        (directory / "thresholds.json").write_text(content)
        with pytest.raises(ModelNotFound, match=r"thresholds.json is damaged"):
            load_model(directory)


def test_a_damaged_transformer_is_named_not_traced(damaged_transformer, capsys):
    with pytest.raises(ModelNotFound, match=r"cannot read the transformer in .*damaged or incomplete"):
        load_model(damaged_transformer)
    result = run_cli(capsys, "predict", "--model", str(damaged_transformer), "a comment")
    assert result.returncode != 0 and result.stderr.startswith("error: cannot read the transformer")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_ensemble_with_a_broken_spec_is_named_not_traced(tmp_path):
    (tmp_path / "ensemble.json").write_text('{"members": [')
    with pytest.raises(ModelNotFound, match="cannot read the model in"):
        load_model(tmp_path)
    (tmp_path / "ensemble.json").write_text(json.dumps({"members": [{"name": "x"}]}))  # no path, no weight
    with pytest.raises(ModelNotFound, match="cannot read the model in"):
        load_model(tmp_path)


def test_an_ensemble_that_averages_an_unknown_way_is_refused_by_name(tmp_path, shipped_baseline_dir):
    from cleanspeech.classifiers.ensemble import save_ensemble

    thresholds = dict.fromkeys(LABELS, 0.5)
    spec = save_ensemble(tmp_path, {"baseline": shipped_baseline_dir}, {"baseline": 1.0}, thresholds, combine="logit")
    assert json.loads(spec.read_text())["combine"] == "logit" and load_model(tmp_path).combine == "logit"
    spec.write_text(spec.read_text().replace('"logit"', '"median"'))
    with pytest.raises(ModelNotFound, match="cannot read the model in"):
        load_model(tmp_path)
    spec.write_text(spec.read_text().replace(',"combine":"median"', ""))  # written before `combine`: the mean
    assert load_model(tmp_path).combine == "mean"


def test_training_from_a_damaged_model_or_teacher_is_refused(damaged_transformer, tiny_model, small_data, tmp_path,
                                                             capsys):  # fmt: skip
    result = run_script(capsys, "train", *train_args(str(damaged_transformer), small_data, tmp_path / "a"))
    assert result.returncode == 2 and "cannot load model" in result.stderr and "Traceback" not in result.stderr
    args = train_args(tiny_model, small_data, tmp_path / "b", "--distill-from", str(damaged_transformer))
    result = run_script(capsys, "train", *args)
    assert result.returncode == 2 and "cannot load the teacher" in result.stderr and "Traceback" not in result.stderr


def test_serve_with_workers_stops_on_a_model_damaged_past_the_parents_checks(shipped_baseline_dir, tmp_path):
    """The parent finds the model's files (they are all there); each worker fails to read them. uvicorn restarted
    such a worker for ever, each time with a traceback; the server now stops, with the reason, as one worker does."""
    import socket
    import subprocess
    import sys

    damaged = tmp_path / "baseline"
    shutil.copytree(shipped_baseline_dir, damaged)
    _cut_short(damaged / "baseline_pipeline.pkl.gz")
    for _attempt in range(3):  # a free port may be taken by another test between the probe and the server
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "cleanspeech", "serve", "--workers", "2", "--port", str(port),
                               "--model", str(damaged), "--store", str(tmp_path / "s.sqlite3")],
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        if "Address already in use" not in done.stderr:
            break
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(f"error: cannot read the model in {damaged}")
