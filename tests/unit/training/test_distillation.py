"""Distillation toward a teacher (`--distill-from`): its targets, and scripts/train.py with it, for real on the CPU."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch

from cleanspeech import load_model
from cleanspeech.data.corpus import build_dataset
from cleanspeech.labels import LABELS
from cleanspeech.training import masked_weighted_bce
from cleanspeech.training.distillation import (
    anchored_rows,
    distillation_loss,
    first_token_state,
    relative_feature_error,
    teacher_targets,
)
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
    output = teacher_targets(teacher, batch, anchor, Accelerator(cpu=True), features=True)
    targets = output.probs
    assert torch.isnan(targets[[1, 3]]).all() and not torch.isnan(targets[[0, 2]]).any()
    assert output.features.shape == (2, teacher.config.hidden_size)  # the anchored rows only, in order
    for row, i in enumerate((0, 2)):  # the same as the teacher gives the comment alone, unpadded
        alone = dict(tokenizer([texts[i]], return_tensors="pt"))
        with torch.no_grad():
            outputs = teacher(**alone, output_hidden_states=True)
        assert targets[i] == pytest.approx(torch.sigmoid(outputs.logits[0]), abs=1e-5)
        assert output.features[row] == pytest.approx(first_token_state(outputs)[0], abs=1e-4)
    assert teacher_targets(teacher, batch, anchor, Accelerator(cpu=True)).features is None  # not asked for


def test_the_feature_error_is_relative_to_the_teachers_representation():
    teacher = torch.tensor([[3.0, 4.0], [0.0, 2.0]])
    assert float(relative_feature_error(teacher.clone(), teacher)) == 0.0
    assert float(relative_feature_error(torch.zeros(2, 2), teacher)) == pytest.approx(1.0)
    assert float(relative_feature_error(10 * teacher * 1.1, 10 * teacher)) == pytest.approx(0.01)  # scale-free
    assert float(relative_feature_error(torch.zeros(0, 2), torch.zeros(0, 2))) == 0.0  # no real row in the batch


def _feature_drift(tiny_classifier_dir, feature_weight: float) -> float:
    """Train a copy of the tiny classifier hard toward 'everything is toxic' for 15 steps with itself as the teacher
    (soft targets weighted almost nil), and return how far its representation of unseen comments moved."""
    from accelerate import Accelerator
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from cleanspeech.training.config import TrainConfig

    torch.manual_seed(0)
    student = AutoModelForSequenceClassification.from_pretrained(tiny_classifier_dir).train()
    teacher = AutoModelForSequenceClassification.from_pretrained(tiny_classifier_dir).eval().requires_grad_(False)
    tokenizer = AutoTokenizer.from_pretrained(tiny_classifier_dir)
    config = TrainConfig(distill_from="teacher", distill_weight=1e-6, distill_features=feature_weight)
    run = SimpleNamespace(config=config, teacher=teacher, accelerator=Accelerator(cpu=True), weights=torch.ones(6))
    train = dict(tokenizer(["you are nice", "see you at the game", "what a lovely day", "thanks, that helped"],
                           padding=True, return_tensors="pt"))  # fmt: skip
    anchor = torch.ones(4, dtype=torch.bool)
    optimizer = torch.optim.Adam(student.parameters(), lr=1e-2)
    for _ in range(15):
        outputs = student(**train, output_hidden_states=True)
        loss = masked_weighted_bce(outputs.logits, torch.ones(4, 6), run.weights)
        loss = loss + distillation_loss(run, outputs, train, anchor)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    unseen = dict(tokenizer(["the bus was late again", "I planted tomatoes"], padding=True, return_tensors="pt"))
    student.eval()
    with torch.no_grad():
        moved = first_token_state(student(**unseen, output_hidden_states=True))
        kept = first_token_state(teacher(**unseen, output_hidden_states=True))
    return float(relative_feature_error(moved, kept))


def test_without_dropout_a_continued_model_starts_exactly_at_its_teacher(tiny_classifier_dir):
    """Dropout in the student alone would put a floor under the feature error (about 0.05 for e5-small) that no
    step can remove; `--dropout 0` makes the error 0 until training moves the encoder."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from cleanspeech.training.backbone import set_dropout

    student = AutoModelForSequenceClassification.from_pretrained(tiny_classifier_dir)
    teacher = AutoModelForSequenceClassification.from_pretrained(tiny_classifier_dir).eval()
    batch = dict(AutoTokenizer.from_pretrained(tiny_classifier_dir)(["a real comment", "and another"], padding=True,
                                                                    return_tensors="pt"))  # fmt: skip
    with torch.no_grad():
        kept = first_token_state(teacher(**batch, output_hidden_states=True))
        noisy = first_token_state(student.train()(**batch, output_hidden_states=True))
        assert float(relative_feature_error(noisy, kept)) > 0.01  # dropout at the config's rate (0.1)
        assert set_dropout(student, 0.0) > 0
        exact = first_token_state(student.train()(**batch, output_hidden_states=True))
    assert float(relative_feature_error(exact, kept)) == pytest.approx(0.0, abs=1e-10)


def test_keeping_the_teachers_representation_holds_the_encoder_where_it_was(tiny_classifier_dir):
    free, held = _feature_drift(tiny_classifier_dir, 0.0), _feature_drift(tiny_classifier_dir, 10.0)
    assert free > 0.05  # the labels alone move the encoder far
    assert held < free / 3, (held, free)


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
             "--distill-weight", "10", "--distill-features", "1", "--dropout", "0"]  # fmt: skip
    result = run_script(capsys, "train", *train_args(tiny_model, small_data, run, *extra))
    assert result.returncode == 0, result.stderr[-3000:]
    config = read_json(run / "best" / "training_config.json")
    assert config["distill_from"] == str(teacher) and config["distill_weight"] == 10
    assert config["distill_features"] == 1 and config["dropout"] == 0
    history = read_json(run / "best" / "history.json")  # the labels' loss apart, to compare with validation's
    assert all(entry["train_objective"] > entry["train_loss"] > 0 for entry in history)

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
    assert result.returncode == 2 and "no such model directory" in result.stderr and "--distill-from" in result.stderr
    headless = train_args(tiny_model, small_data, tmp_path / "run3", "--distill-from", str(tiny_model))  # no head
    result = run_script(capsys, "train", *headless)
    assert result.returncode == 2 and "not a six-label CleanSpeech classifier" in result.stderr
    negative = train_args(tiny_model, small_data, tmp_path / "run4", "--distill-from", str(tiny_model),
                          "--distill-weight", "-1")  # fmt: skip
    result = run_script(capsys, "train", *negative)
    assert result.returncode == 2 and "--distill-weight must be above 0" in result.stderr
    negative = train_args(tiny_model, small_data, tmp_path / "run5", "--distill-from", str(tiny_model),
                          "--distill-features", "-1")  # fmt: skip
    result = run_script(capsys, "train", *negative)
    assert result.returncode == 2 and "--distill-features must be 0 (off) or above" in result.stderr
    teacherless = train_args(tiny_model, small_data, tmp_path / "run6", "--distill-features", "1")
    result = run_script(capsys, "train", *teacherless)
    assert result.returncode == 2 and "--distill-features needs a teacher" in result.stderr
    result = run_script(capsys, "train", *train_args(tiny_model, small_data, tmp_path / "run7", "--dropout", "1"))
    assert result.returncode == 2 and "--dropout must be at least 0 and below 1" in result.stderr


def test_a_run_directory_is_continued_and_distilled_from_with_the_prefix_it_was_trained_with(
    capsys, tiny_model, tiny_classifier_dir, small_data, tmp_path
):
    """`--model runs/x/best` (a full directory, not a packed one) used to train without the prefix the model was
    trained with, so `--distill-from` the same directory was refused as reading text otherwise."""
    import json
    import shutil

    from cleanspeech.training.backbone import load_backbone
    from cleanspeech.training.config import TrainConfig

    trained = shutil.copytree(tiny_classifier_dir, tmp_path / "best")
    config = json.loads((trained / "config.json").read_text())
    config["cleanspeech"]["text_prefix"] = "query: "
    (trained / "config.json").write_text(json.dumps(config))
    spec = TrainConfig(model=str(trained), run_dir=str(tmp_path / "next"))
    model, _ = load_backbone(spec)
    assert spec.text_prefix == "query: " and model.config.cleanspeech["text_prefix"] == "query: "
    chosen = TrainConfig(model=str(trained), run_dir=str(tmp_path / "next"), text_prefix="passage: ")
    assert load_backbone(chosen)[0].config.cleanspeech["text_prefix"] == "passage: "  # a flag still wins
    plain = TrainConfig(model=str(tiny_model), run_dir=str(tmp_path / "next"))  # not a CleanSpeech model: no prefix
    assert load_backbone(plain)[0].config.cleanspeech["text_prefix"] == "" and plain.text_prefix == ""

    run = tmp_path / "run"
    args = train_args(trained, small_data, run, "--max-steps", "2", "--eval-every", "2", "--distill-from", str(trained))
    result = run_script(capsys, "train", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    assert read_json(run / "best" / "training_config.json")["text_prefix"] == "query: "
    assert read_json(run / "best" / "config.json")["cleanspeech"]["text_prefix"] == "query: "
