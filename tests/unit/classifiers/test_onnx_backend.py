"""ONNX Runtime serving (fp32 and int8) and long-comment windowing of the transformer: agreement with PyTorch on a
real e5 classifier, the rest on a tiny BERT."""

import json
import os

import numpy as np
import pytest
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from cleanspeech.classifiers.onnx_backend import BACKEND_FILE, choose_backend, default_backend, model_fingerprint
from cleanspeech.classifiers.transformer import TransformerModel
from cleanspeech.errors import InputError
from cleanspeech.paths import cache_root
from cleanspeech.sysinfo import available_cores

# e5 is decoded, built and exported once per process: under pytest-xdist these tests share one worker
pytestmark = pytest.mark.xdist_group("e5")

TEXTS = ["You are a disgusting idiot.", "Obrigado pela ajuda!", "", "Ты просто идиот.", "a " * 400 + "die, idiot"]


def _spread(source, out):
    """A copy of a random-head classifier with its head scaled up, so its logits spread over several units."""
    model = AutoModelForSequenceClassification.from_pretrained(source)
    with torch.no_grad():
        model.classifier.weight.mul_(60)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(source).save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def spread_dir(e5_classifier_dir, tmp_path_factory):
    """e5 with a random, scaled-up head: how far int8 moves e5's logits is a property of e5."""
    return _spread(e5_classifier_dir, tmp_path_factory.mktemp("spread"))


@pytest.fixture(scope="module")
def tiny_spread_dir(tiny_classifier_dir, tmp_path_factory):
    """The tiny BERT classifier, head scaled up: caching, backend choice and windowing are the same code for any
    BERT, and it loads in a fraction of a second where e5 takes seconds (a 470 MB file)."""
    return _spread(tiny_classifier_dir, tmp_path_factory.mktemp("tiny-spread"))


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CLEANSPEECH_CACHE", str(tmp_path_factory.getbasetemp() / "onnx-cache"))


def test_onnx_backends_agree_with_pytorch(spread_dir):
    reference = TransformerModel.load(spread_dir, backend="torch").predict_logits(TEXTS)
    assert reference.std() > 1.0  # the comparison below means something
    fp32 = TransformerModel.load(spread_dir, backend="onnx")
    assert fp32.backend == "onnx"
    np.testing.assert_allclose(fp32.predict_logits(TEXTS), reference, atol=1e-3)
    int8 = TransformerModel.load(spread_dir, backend="onnx-int8").predict_logits(TEXTS)
    assert np.abs(int8 - reference).max() < 0.25 * np.abs(reference).max()
    assert not np.allclose(int8, reference, atol=1e-4)  # really quantised
    assert np.corrcoef(int8.ravel(), reference.ravel())[0, 1] > 0.98


def test_graphs_are_built_once_and_rebuilt_for_a_changed_model(tiny_spread_dir):
    TransformerModel.load(tiny_spread_dir, backend="onnx-int8")
    graph = cache_root() / "onnx" / model_fingerprint(tiny_spread_dir) / "model-int8.onnx"
    assert graph.is_file()
    built = graph.stat().st_mtime_ns
    TransformerModel.load(tiny_spread_dir, backend="onnx-int8")
    assert graph.stat().st_mtime_ns == built  # reused from the cache
    (tiny_spread_dir / "thresholds.json").write_text(json.dumps({"toxic": 0.3}))  # a side file: same network
    assert model_fingerprint(tiny_spread_dir) == graph.parent.name
    config = json.loads((tiny_spread_dir / "config.json").read_text())
    (tiny_spread_dir / "config.json").write_text(json.dumps({**config, "classifier_dropout": 0.2}))  # the network file
    try:
        assert model_fingerprint(tiny_spread_dir) != graph.parent.name
    finally:
        (tiny_spread_dir / "config.json").write_text(json.dumps(config))


def test_backend_choice_follows_the_measured_auc(tiny_spread_dir):
    assert choose_backend({"torch": 0.970, "onnx": 0.970, "onnx-int8": 0.9685}) == "onnx-int8"
    assert choose_backend({"torch": 0.970, "onnx": 0.970, "onnx-int8": 0.9670}) == "onnx"
    assert choose_backend({"torch": 0.970, "onnx": 0.960, "onnx-int8": 0.950}) == "torch"
    aucs = {"torch": 0.970, "onnx": 0.970, "onnx-int8": 0.9695}
    assert choose_backend(aucs, {"onnx": 0.0, "onnx-int8": 0.004}) == "onnx-int8"
    assert choose_backend(aucs, {"onnx": 0.0, "onnx-int8": 0.025}) == "onnx"  # flags that move with the runtime
    assert choose_backend(aucs, {"onnx": 0.01, "onnx-int8": 0.025}) == "torch"
    assert default_backend(tiny_spread_dir) == "torch"  # nothing measured yet
    (tiny_spread_dir / BACKEND_FILE).write_text(json.dumps({"backend": "onnx-int8"}))
    try:
        assert TransformerModel.load(tiny_spread_dir).backend == "onnx-int8"
    finally:
        os.remove(tiny_spread_dir / BACKEND_FILE)


def test_the_environment_chooses_the_backend_where_auto_would_follow_the_file(tiny_spread_dir, monkeypatch):
    (tiny_spread_dir / BACKEND_FILE).write_text(json.dumps({"backend": "onnx"}))
    try:
        monkeypatch.setenv("CLEANSPEECH_TRANSFORMER_BACKEND", " ONNX-int8")
        assert TransformerModel.load(tiny_spread_dir).backend == "onnx-int8"
        assert TransformerModel.load(tiny_spread_dir, backend="torch").backend == "torch"  # a named backend wins
        monkeypatch.setenv("CLEANSPEECH_TRANSFORMER_BACKEND", "int4")
        with pytest.raises(InputError, match="CLEANSPEECH_TRANSFORMER_BACKEND='int4' is not a backend"):
            TransformerModel.load(tiny_spread_dir)
        monkeypatch.setenv("CLEANSPEECH_TRANSFORMER_BACKEND", "")  # set but empty: the file decides
        assert TransformerModel.load(tiny_spread_dir).backend == "onnx"
    finally:
        os.remove(tiny_spread_dir / BACKEND_FILE)


def test_long_comments_score_the_maximum_over_their_windows(tiny_spread_dir):
    model = TransformerModel.load(tiny_spread_dir, backend="torch")
    long_text = " ".join(f"word{i}" for i in range(600)) + " you stupid idiot"
    prepared = model.prepare([long_text])
    windows, owners = model.windows(prepared)
    assert len(windows) > 3 and set(owners.tolist()) == {0}
    assert all(len(w) <= model.settings["max_length"] for w in windows)
    each = np.stack([model.batch_logits([w])[0][model.columns] for w in windows])
    np.testing.assert_allclose(model.predict_logits([long_text])[0], each.max(axis=0), atol=1e-4)
    # in a batch with other comments, every comment keeps its own score and its place
    mixed = model.predict_logits(["Thanks!", long_text, ""])
    np.testing.assert_allclose(mixed[1], each.max(axis=0), atol=1e-4)
    np.testing.assert_allclose(mixed[[0, 2]], model.predict_logits(["Thanks!", ""]), atol=1e-4)
    assert model.predict_proba([]).shape == (0, 6)


def test_int8_scores_do_not_depend_on_the_batch(tiny_spread_dir):
    int8 = TransformerModel.load(tiny_spread_dir, backend="onnx-int8")
    alone = np.vstack([int8.predict_logits([text]) for text in TEXTS])
    np.testing.assert_array_equal(int8.predict_logits(TEXTS), alone)
    assert len(int8.onnx.sessions) == available_cores()  # one single-threaded session per core, side by side
    one_session = TransformerModel.load(tiny_spread_dir, backend="onnx-int8", threads=1)
    assert len(one_session.onnx.sessions) == 1
    np.testing.assert_array_equal(one_session.predict_logits(TEXTS), alone)


def test_processes_building_one_graph_at_once_build_it_once(tiny_classifier_dir, monkeypatch, tmp_path):
    """Replicas starting on a cold cache take turns: one builds, the others wait and read its graphs."""
    from concurrent.futures import ThreadPoolExecutor

    from cleanspeech.classifiers import onnx_backend

    monkeypatch.setenv("CLEANSPEECH_CACHE", str(tmp_path))  # cold
    model = AutoModelForSequenceClassification.from_pretrained(tiny_classifier_dir)
    exports = []
    real_export = onnx_backend.export_onnx
    monkeypatch.setattr(onnx_backend, "export_onnx", lambda *args: exports.append(args) or real_export(*args))
    with ThreadPoolExecutor(3) as pool:  # FileLock is per thread by default: threads contend as processes do
        folders = list(pool.map(lambda _: onnx_backend.build_graphs(model, tiny_classifier_dir), range(3)))
    assert len(exports) == 1 and len(set(folders)) == 1
    assert (folders[0] / "model-int8.onnx").is_file() and not list(folders[0].parent.glob(".building-*"))


def test_the_torch_device_is_chosen_by_argument_or_variable_and_a_bad_one_is_refused(tiny_spread_dir, monkeypatch):
    reference = TransformerModel.load(tiny_spread_dir, backend="torch").predict_logits(TEXTS)
    monkeypatch.setenv("CLEANSPEECH_TORCH_DEVICE", "cpu")
    on_cpu = TransformerModel.load(tiny_spread_dir)  # a named device means the torch backend, even where int8 won
    assert on_cpu.backend == "torch" and on_cpu.model.device.type == "cpu"
    np.testing.assert_allclose(on_cpu.predict_logits(TEXTS), reference, atol=1e-5)
    monkeypatch.setenv("CLEANSPEECH_TORCH_DEVICE", "toaster")
    with pytest.raises(InputError, match="not a torch device"):
        TransformerModel.load(tiny_spread_dir)
    with pytest.raises(InputError, match="CPU only"):
        TransformerModel.load(tiny_spread_dir, backend="onnx", device="meta")
    if not torch.cuda.is_available():
        with pytest.raises(InputError, match="no CUDA device"):
            TransformerModel.load(tiny_spread_dir, device="cuda")


def test_evaluation_measures_each_backend_and_the_flags_it_moves(tiny_spread_dir):
    import pandas as pd

    from cleanspeech.classifiers.onnx_backend import BACKENDS
    from cleanspeech.labels import LABELS
    from tests.helpers import load_script

    texts = [f"comment {i}: " + "you are kind " * (i % 5) + "idiot " * (i % 3) for i in range(40)]
    labels = {label: [float(i % 3 == 0) for i in range(40)] for label in LABELS}
    frame = pd.DataFrame({"text": texts, "fold": "validation", **labels})
    measured = load_script("evaluate_transformer").measure_backends(tiny_spread_dir, frame, 30)
    assert measured["rows"] == 30 and set(measured["macro_roc_auc"]) == set(BACKENDS)
    assert set(measured["flag_changes"]) == {"onnx", "onnx-int8"}
    assert measured["flag_changes"]["onnx"] == 0.0  # fp32 ONNX flags what PyTorch flags
    assert measured["backend"] == choose_backend(measured["macro_roc_auc"], measured["flag_changes"])
