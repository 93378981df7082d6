"""Compact storage of an e5-based classifier and the standalone export that transformers.pipeline loads."""

import json
import os
import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

from cleanspeech.classifiers.compact import WEIGHTS_FILE, WORD_CHANGES_FILE, load_compact, save_compact
from cleanspeech.classifiers.e5 import QUERY_PREFIX
from cleanspeech.classifiers.hf_export import export_model
from cleanspeech.classifiers.transformer import TransformerModel
from cleanspeech.labels import LABELS

# e5 is decoded, built and exported once per process: under pytest-xdist these tests share one worker
pytestmark = pytest.mark.xdist_group("e5")

TEXTS = ["You are a disgusting idiot.", "Obrigado pela ajuda!", ""]


@pytest.fixture(scope="module")
def trained_dir(e5_classifier_dir):
    return e5_classifier_dir


def test_compact_directory_is_small_and_predicts_the_same(trained_dir, tmp_path):
    compact = save_compact(trained_dir, tmp_path / "compact")
    size_mb = sum(p.stat().st_size for p in compact.iterdir()) / 2**20
    assert size_mb < 50 and (compact / WEIGHTS_FILE).is_file() and not (compact / "model.safetensors").exists()
    full, small = TransformerModel.load(trained_dir), TransformerModel.load(compact)
    np.testing.assert_allclose(small.predict_proba(TEXTS), full.predict_proba(TEXTS), atol=2e-3)  # fp16 storage
    assert small.thresholds == {label: 0.4 for label in LABELS}


def test_a_trained_word_table_is_packed_as_the_rows_that_moved(trained_dir, tmp_path):
    """Trained with the table unfrozen: the moved rows are kept (int8 differences), rows moved by less than 1% and
    the untouched ones stay e5's, and the packed model predicts what the trained one does."""
    model = AutoModelForSequenceClassification.from_pretrained(trained_dir)
    tokenizer = AutoTokenizer.from_pretrained(trained_dir)
    moved = sorted(set(tokenizer(TEXTS[0])["input_ids"]))
    nudged = max(tokenizer(TEXTS[1])["input_ids"])  # a token of the other comment, moved by 0.1% only
    table = model.get_input_embeddings().weight
    with torch.no_grad():
        noise = torch.randn(len(moved), table.shape[1], generator=torch.Generator().manual_seed(0))
        table[moved] += 0.5 * noise * table[moved].abs().mean()
        table[nudged] *= 1.001
    model.save_pretrained(tmp_path / "trained")
    for name in ("thresholds.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(trained_dir / name, tmp_path / "trained" / name)
    compact = save_compact(tmp_path / "trained", tmp_path / "compact")
    changes = load_file(compact / WORD_CHANGES_FILE)
    assert changes["ids"].tolist() == [i for i in moved if i != nudged] and changes["delta"].dtype == torch.int8
    packed = TransformerModel.load(compact).predict_proba(TEXTS)
    trained = TransformerModel(model.eval(), tokenizer, {label: 0.4 for label in LABELS})
    np.testing.assert_allclose(packed, trained.predict_proba(TEXTS), atol=2e-3)
    restored = load_compact(compact)[0].get_input_embeddings().weight.detach()
    torch.testing.assert_close(restored[moved], table[moved].detach(), atol=2e-3, rtol=0)  # int8 steps of the change
    untouched = next(i for i in range(100, 200) if i not in moved)
    assert (restored[nudged] != table[nudged]).any() and torch.equal(restored[untouched], table[untouched].detach())
    assert not (save_compact(trained_dir, compact) / WORD_CHANGES_FILE).exists()  # replaced by an unmoved table


def test_export_loads_in_pipeline_with_sigmoid(trained_dir, tmp_path):
    compact = save_compact(trained_dir, tmp_path / "compact")
    exported = export_model(compact, tmp_path / "export")
    classify = pipeline("text-classification", model=str(exported), top_k=None)
    [scores] = classify([TEXTS[0]])  # a raw comment: the exported tokenizer adds e5's "query: " itself
    ours = TransformerModel.load(compact).predict_proba(TEXTS[:1]).iloc[0]
    for item in scores:
        assert item["score"] == pytest.approx(ours[item["label"]], abs=1e-4)
    assert TransformerModel.load(exported).predict_proba(TEXTS[:1]).iloc[0].to_numpy() == pytest.approx(
        ours.to_numpy(), abs=1e-5
    )  # and CleanSpeech loads the exported directory unchanged, without adding the prefix twice
    again = TransformerModel.load(compact).predict_proba(TEXTS[:1]).iloc[0]  # the shared tokenizer is untouched
    assert again.to_numpy() == pytest.approx(ours.to_numpy(), abs=1e-6)
    repacked = save_compact(exported, tmp_path / "repacked")  # packed again, it adds the prefix its tokenizer baked
    assert TransformerModel.load(repacked).predict_proba(TEXTS[:1]).iloc[0].to_numpy() == pytest.approx(
        ours.to_numpy(), abs=1e-5
    )
    assert (exported / "thresholds.json").is_file()


def test_train_script_fine_tunes_the_packaged_encoder(tmp_path, data_dir, capsys, packaged_e5_beside):
    """scripts/train.py --model cleanspeech/e5-small: exported once, "query: " applied, word table kept frozen."""
    from tests.helpers import run_script

    run = packaged_e5_beside(tmp_path / "run")  # the session's export, where the script exports it once
    sample = str(data_dir / "jigsaw_sample")  # Kaggle's layout
    args = ["--model", "cleanspeech/e5-small", "--freeze-word-embeddings", "--data-dir", sample, "--run-dir", str(run),
            "--max-train-samples", "64", "--max-eval-samples", "64", "--max-length", "32", "--max-steps", "2",
            "--eval-every", "2"]  # fmt: skip
    result = run_script(capsys, "train", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    config = json.loads((run / "best" / "training_config.json").read_text())
    assert config["text_prefix"] == QUERY_PREFIX
    assert json.loads((run / "best" / "metrics.json").read_text())["frozen_parameters"] == 250037 * 384
    compact = save_compact(run / "best", tmp_path / "compact")
    assert not (compact / WORD_CHANGES_FILE).exists()  # the frozen table is e5's: no rows to store
    assert TransformerModel.load(compact).predict_proba(TEXTS).shape == (3, 6)


def test_pack_model_cli_writes_a_loadable_compact_directory(trained_dir, tmp_path, capsys):
    from cleanspeech.cli import main

    assert main(["pack-model", str(trained_dir), "--out-dir", str(tmp_path / "packed")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["packed"] == str(tmp_path / "packed") and 0 < report["size_mb"] < 50
    assert TransformerModel.load(tmp_path / "packed").predict_proba(TEXTS).shape == (3, 6)
    assert main(["pack-model", str(tmp_path / "missing")]) == 2  # one line on stderr, no traceback
    assert "no trained model" in capsys.readouterr().err


def test_a_model_packed_over_another_takes_none_of_its_measurements(trained_dir, tmp_path, capsys):
    """--force replaces a model: the old one's calibration, backend choice, figures and records go with it (the
    service would calibrate the new model with them), its card and the user's own files stay."""
    from cleanspeech.cli import main

    target = tmp_path / "models" / "transformer"
    save_compact(trained_dir, target)
    old = ["calibration.json", "backend.json", "evaluation.json", "fairness.json", "faithfulness.json",
           "metrics.json", "word_table_changes.safetensors"]  # fmt: skip
    for name in [*old, "README.md", "notes.txt", "training_args.bin"]:  # the last three are not CleanSpeech's
        (target / name).write_text("{}")
    assert main(["pack-model", str(trained_dir), "--out-dir", str(target)]) == 2  # not empty: --force needed
    assert "pass --force" in capsys.readouterr().err
    assert main(["pack-model", str(trained_dir), "--out-dir", str(target), "--force"]) == 0
    left = {p.name for p in target.iterdir()}
    assert not left & {"calibration.json", "backend.json", "evaluation.json", "fairness.json", "faithfulness.json",
                        "word_table_changes.safetensors"}  # fmt: skip
    assert {"README.md", "notes.txt", "training_args.bin", "config.json", "trained_weights.safetensors"} <= left
    assert ("metrics.json" in left) == (trained_dir / "metrics.json").is_file()  # the new model's record, if any
    assert TransformerModel.load(target).predict_proba(TEXTS).shape == (3, 6)
    umask = os.umask(0)
    os.umask(umask)  # safetensors wrote the weights for their owner alone: a service run as another user was refused
    assert (target / "trained_weights.safetensors").stat().st_mode & 0o777 == 0o666 & ~umask
    assert main(["pack-model", str(target), "--out-dir", str(target), "--force"]) == 2  # never over what it reads
    assert "is the model being read" in capsys.readouterr().err


def test_train_script_continues_from_a_compact_model(trained_dir, tmp_path, data_dir, capsys):
    """--model models/transformer: training starts from the shipped weights (lr 0 keeps them) and its prefix."""
    from tests.helpers import run_script

    compact = save_compact(trained_dir, tmp_path / "compact")
    run = tmp_path / "run"
    args = ["--model", str(compact), "--freeze-word-embeddings", "--data-dir", str(data_dir / "jigsaw_sample"),
            "--run-dir", str(run), "--max-train-samples", "32", "--max-eval-samples", "32", "--max-length", "32",
            "--max-steps", "1", "--eval-every", "1", "--learning-rate", "0"]  # fmt: skip
    result = run_script(capsys, "train", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads((run / "best" / "training_config.json").read_text())["text_prefix"] == QUERY_PREFIX
    repacked = save_compact(run / "best", tmp_path / "repacked")
    np.testing.assert_allclose(
        TransformerModel.load(repacked).predict_proba(TEXTS),
        TransformerModel.load(compact).predict_proba(TEXTS),
        atol=1e-3,
    )


def test_a_packed_transformer_reads_with_a_tokenizer_no_other_model_calls(trained_dir, tmp_path):
    """A fast tokenizer keeps the truncation and padding of its last call: shared with the embedding model (128
    tokens, padded), another thread's call could cut this model's 256-token windows. Each load gets its own."""
    from cleanspeech.classifiers.e5 import packaged_encoder, packaged_tokenizer

    compact = save_compact(trained_dir, tmp_path / "compact")
    first, second = load_compact(compact)[1], load_compact(compact)[1]
    shared = packaged_tokenizer()
    assert len({id(first), id(second), id(shared)}) == 3 and packaged_encoder()[1] is shared
    long = "word " * 400
    shared([long], truncation=True, max_length=16, padding="max_length")  # another model's settings, last
    windows = first([long], truncation=True, max_length=256, stride=64, return_overflowing_tokens=True)["input_ids"]
    assert [len(w) for w in windows][0] == 256 and first.pad_token_id not in windows[0]
