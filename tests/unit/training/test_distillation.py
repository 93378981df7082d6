"""Distillation toward a teacher (`--distill-from`): its targets, and scripts/train.py with it, for real on the CPU."""

import numpy as np
import pandas as pd
import pytest
import torch

from cleanspeech import load_model
from cleanspeech.data.corpus import build_dataset
from cleanspeech.training.distillation import anchored_rows, teacher_targets
from tests.helpers import run_script
from tests.helpers.training import read_json, train_args


def test_only_real_comments_are_anchored():
    rows = pd.DataFrame({"id": ["j1", "j1~cf0", "en~stmt-3", "j2~atk1", "j2", "j3~bal-gay-0"]})
    assert anchored_rows(rows).tolist() == [True, False, False, False, True, False]


def test_the_teacher_scores_the_anchored_rows_alone(tiny_classifier_dir):
    from accelerate import Accelerator
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    teacher = AutoModelForSequenceClassification.from_pretrained(tiny_classifier_dir).eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_classifier_dir)
    texts = ["You are an idiot.", "A statement we wrote.", "The meeting moved to a much later date, sadly.", "twin"]
    batch = dict(tokenizer(texts, padding=True, return_tensors="pt"))
    anchor = torch.tensor([True, False, True, False])  # the last row: a logit-pairing twin
    targets = teacher_targets(teacher, batch, anchor, Accelerator(cpu=True))
    assert torch.isnan(targets[[1, 3]]).all() and not torch.isnan(targets[[0, 2]]).any()
    for i in (0, 2):  # the same probabilities as the teacher gives the comment alone, unpadded
        alone = dict(tokenizer([texts[i]], return_tensors="pt"))
        with torch.no_grad():
            expected = torch.sigmoid(teacher(**alone).logits[0])
        assert targets[i] == pytest.approx(expected, abs=1e-5)


def _validation_texts(data_dir, n: int = 150) -> list[str]:
    frame = build_dataset(data_dir)
    return frame.loc[frame["fold"] == "validation", "text"].head(n).tolist()


def test_a_distilled_run_stays_closer_to_its_teacher(capsys, tiny_model, small_data, tmp_path):
    # The teacher weighs rare labels by inverse frequency, so it scores them far higher than the plain BCE the two
    # students train with, from the same random start on the same rows; one of them also distils.
    steps = ["--max-steps", "40", "--patience", "10", "--learning-rate", "1e-2", "--save-last"]
    teacher_args = train_args(tiny_model, small_data, tmp_path / "teacher", *steps, "--class-weight-power", "1")
    assert run_script(capsys, "train", *teacher_args).returncode == 0
    teacher = tmp_path / "teacher" / "last"
    plain, distilled = tmp_path / "plain", tmp_path / "distilled"
    student = [*steps, "--class-weight-power", "0"]
    assert run_script(capsys, "train", *train_args(tiny_model, small_data, plain, *student)).returncode == 0
    extra = [*student, "--distill-from", str(teacher), "--distill-weight", "10"]
    result = run_script(capsys, "train", *train_args(tiny_model, small_data, distilled, *extra))
    assert result.returncode == 0, result.stderr[-3000:]
    config = read_json(distilled / "last" / "training_config.json")
    assert config["distill_from"] == str(teacher) and config["distill_weight"] == 10

    texts = _validation_texts(small_data)
    reference = load_model(teacher).predict_proba(texts).to_numpy()
    gaps = {
        name: float(np.abs(load_model(run / "last").predict_proba(texts).to_numpy() - reference).mean())
        for name, run in (("plain", plain), ("distilled", distilled))
    }
    assert gaps["distilled"] < 0.7 * gaps["plain"], gaps


def test_a_teacher_that_reads_text_otherwise_is_refused(capsys, tiny_model, small_data, tiny_classifier_dir, tmp_path):
    args = train_args(tiny_model, small_data, tmp_path / "run", "--max-steps", "2", "--distill-from",
                      str(tiny_classifier_dir))  # fmt: skip
    result = run_script(capsys, "train", *args)
    assert result.returncode == 2 and "does not read text as the model trained does" in result.stderr
    missing = train_args(tiny_model, small_data, tmp_path / "run2", "--distill-from", str(tmp_path / "nowhere"))
    result = run_script(capsys, "train", *missing)
    assert result.returncode == 2 and "cannot load the teacher" in result.stderr
