"""Distillation toward a teacher (`--distill-from`): its targets, and scripts/train.py with it, for real on the CPU."""

import numpy as np
import pandas as pd
import pytest
import torch

from cleanspeech import load_model
from cleanspeech.data.corpus import build_dataset
from cleanspeech.labels import LABELS
from cleanspeech.training.distillation import anchored_rows, teacher_targets
from tests.helpers import run_script
from tests.helpers.training import read_json, train_args


def test_only_real_comments_are_anchored():
    rows = pd.DataFrame({"id": ["j1", "j1~cf0", "en~stmt-3", "j2~atk1", "j2", "j3~bal-gay-0"]})
    assert anchored_rows(rows).tolist() == [True, False, False, False, True, False]


def test_batches_carry_each_comments_anchor_and_never_anchor_a_twin(tiny_classifier_dir):
    from transformers import AutoTokenizer

    from cleanspeech.training import CommentDataset, make_collate

    tokenizer = AutoTokenizer.from_pretrained(tiny_classifier_dir)
    texts = ["real comment", "written statement", "another real one"]
    twins = [None, None, dict(tokenizer("its twin"))]  # the third comment pairs with a swapped twin
    targets = np.zeros((3, len(LABELS)), dtype=np.float32)
    dataset = CommentDataset(dict(tokenizer(texts)), targets, twins, anchors=np.array([True, False, True]))
    batch = make_collate(tokenizer, None)([dataset[i] for i in range(3)])
    assert batch["anchor"].tolist() == [True, False, True, False]  # comments in order, then the twin
    assert batch["pairs"].tolist() == [[2, 3]] and len(batch["input_ids"]) == 4
    plain = make_collate(tokenizer, None)([CommentDataset(dict(tokenizer(texts)), targets)[0]])
    assert "anchor" not in plain  # no teacher, no anchors (and validation batches never carry them)


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


def _confident_teacher(tiny_model, directory):
    """The tiny backbone with a six-label head that scores every comment 0.95 on every label: a teacher far from
    what the labels teach (base rates of 1-40%)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from cleanspeech.labels import ID2LABEL, LABEL2ID

    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(
        tiny_model, num_labels=len(LABELS), id2label=ID2LABEL, label2id=LABEL2ID
    )
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.fill_(float(np.log(0.95 / 0.05)))
    model.save_pretrained(directory)
    AutoTokenizer.from_pretrained(tiny_model).save_pretrained(directory)
    return directory


def test_a_distilled_run_moves_toward_its_teacher_on_the_real_rows(capsys, tiny_model, small_data, tmp_path):
    teacher = _confident_teacher(tiny_model, tmp_path / "teacher")
    run = tmp_path / "run"
    extra = ["--max-steps", "40", "--eval-every", "40", "--learning-rate", "1e-2", "--distill-from", str(teacher),
             "--distill-weight", "10"]  # fmt: skip
    result = run_script(capsys, "train", *train_args(tiny_model, small_data, run, *extra))
    assert result.returncode == 0, result.stderr[-3000:]
    config = read_json(run / "best" / "training_config.json")
    assert config["distill_from"] == str(teacher) and config["distill_weight"] == 10

    frame = build_dataset(small_data)
    validation = frame[frame["fold"] == "validation"].head(200)
    scores = load_model(run / "best").predict_proba(validation["text"].tolist())
    for label in LABELS:  # the labels alone pull each score to its base rate; the teacher pulls it to 0.95
        base_rate = validation[label].mean()
        assert scores[label].mean() > (base_rate + 0.95) / 2, (label, base_rate, scores[label].mean())


def test_a_teacher_that_reads_text_otherwise_is_refused(capsys, tiny_model, small_data, tiny_classifier_dir, tmp_path):
    args = train_args(tiny_model, small_data, tmp_path / "run", "--max-steps", "2", "--distill-from",
                      str(tiny_classifier_dir))  # fmt: skip
    result = run_script(capsys, "train", *args)
    assert result.returncode == 2 and "does not read text as the model trained does" in result.stderr
    missing = train_args(tiny_model, small_data, tmp_path / "run2", "--distill-from", str(tmp_path / "nowhere"))
    result = run_script(capsys, "train", *missing)
    assert result.returncode == 2 and "cannot load the teacher" in result.stderr
    headless = train_args(tiny_model, small_data, tmp_path / "run3", "--distill-from", str(tiny_model))  # no head
    result = run_script(capsys, "train", *headless)
    assert result.returncode == 2 and "not a six-label CleanSpeech classifier" in result.stderr
    negative = train_args(tiny_model, small_data, tmp_path / "run4", "--distill-from", str(tiny_model),
                          "--distill-weight", "-1")  # fmt: skip
    result = run_script(capsys, "train", *negative)
    assert result.returncode == 2 and "--distill-weight must be above 0" in result.stderr
