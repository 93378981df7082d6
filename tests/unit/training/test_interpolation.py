"""scripts/interpolate_weights.py for real: two saved classifiers of one network in, a third between them out, loaded
back by the transformer family."""

import json
import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from cleanspeech.classifiers.transformer import TransformerModel
from cleanspeech.training.config import TrainingError
from cleanspeech.training.interpolation import interpolate_state
from tests.helpers import run_script

TEXTS = ["You are a wonderful person.", "I hate all of you, idiots.", "The meeting is on Tuesday."]


@pytest.fixture
def end_dir(tiny_classifier_dir, tmp_path):
    """The tiny classifier with every weight moved, as a continued run would leave it, with its training record."""
    from transformers import AutoModelForSequenceClassification

    out = tmp_path / "end"
    shutil.copytree(tiny_classifier_dir, out)
    model = AutoModelForSequenceClassification.from_pretrained(out)
    torch.manual_seed(1)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(torch.randn_like(parameter))
    model.save_pretrained(out)
    (out / "training_config.json").write_text(json.dumps({"learning_rate": 2e-5, "identity_statements": 1500}))
    return out


def _logits(directory) -> np.ndarray:
    return TransformerModel.load(directory, backend="torch").predict_logits(TEXTS)


def test_each_weight_lies_between_the_two_models():
    start = {"w": torch.zeros(2, 2), "ids": torch.tensor([1, 2])}
    end = {"w": torch.full((2, 2), 4.0), "ids": torch.tensor([3, 4])}
    mixed = interpolate_state(start, end, 0.25)
    assert torch.equal(mixed["w"], torch.ones(2, 2)) and torch.equal(mixed["ids"], end["ids"])
    for bad, message in (({**end, "extra": torch.ones(1)}, "not the same network"),
                         ({**end, "w": torch.ones(3)}, "shape")):  # fmt: skip
        with pytest.raises(TrainingError, match=message):
            interpolate_state(start, bad, 0.5)
    with pytest.raises(TrainingError, match="from 0 to 1"):
        interpolate_state(start, end, 1.5)


def test_the_script_writes_a_model_between_them(capsys, tiny_classifier_dir, end_dir, tmp_path):
    out = tmp_path / "mixed"
    result = run_script(capsys, "interpolate_weights", "--start", str(tiny_classifier_dir), "--end", str(end_dir),
                        "--weight", "0.5", "--output-dir", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    record = json.loads((out / "training_config.json").read_text())
    assert record["identity_statements"] == 1500 and record["interpolation"]["weight"] == 0.5
    start, end, mixed = _logits(tiny_classifier_dir), _logits(end_dir), _logits(out)
    assert not np.allclose(mixed, start, atol=1e-3) and not np.allclose(mixed, end, atol=1e-3)
    tensors = [load_file(d / "model.safetensors") for d in (tiny_classifier_dir, end_dir, out)]
    for name, value in tensors[2].items():
        if value.is_floating_point():
            assert torch.allclose(value, (tensors[0][name] + tensors[1][name]) / 2, atol=1e-6), name
    # weight 0 is the start model itself
    run_script(capsys, "interpolate_weights", "--start", str(tiny_classifier_dir), "--end", str(end_dir),
               "--weight", "0", "--output-dir", str(tmp_path / "zero"))  # fmt: skip
    np.testing.assert_allclose(_logits(tmp_path / "zero"), start, atol=1e-5)


def test_a_directory_without_a_training_record_or_a_model_is_refused(capsys, tiny_classifier_dir, end_dir, tmp_path):
    result = run_script(capsys, "interpolate_weights", "--start", str(tiny_classifier_dir), "--end",
                        str(tiny_classifier_dir), "--output-dir", str(tmp_path / "out"))  # fmt: skip
    assert result.returncode != 0 and "training_config.json" in result.stderr
    assert not (tmp_path / "out").exists()
    result = run_script(capsys, "interpolate_weights", "--start", str(tmp_path / "no-model"), "--end",
                        str(end_dir), "--output-dir", str(tmp_path / "out"))  # fmt: skip
    assert result.returncode == 2 and "no transformer model" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
