"""scripts/train.py for real on the CPU: a tiny random DeBERTa-v2 trained on a small real sample."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from cleanspeech.data.corpus import build_dataset
from cleanspeech.labels import LABELS

from .conftest import REPO

TRAIN = str(REPO / "scripts" / "train.py")


def train_args(tiny_model, small_data, run_dir, *extra):
    return [
        "--model", str(tiny_model), "--data-dir", str(small_data), "--run-dir", str(run_dir),
        "--max-train-samples", "2000", "--max-eval-samples", "400", "--max-length", "64",
        "--learning-rate", "1e-3", "--eval-every", "10", "--mixed-precision", "no", *extra,
    ]  # fmt: skip


def run_train(*args, launcher=None, timeout=600, env=None):
    command = [*(launcher or [sys.executable]), TRAIN, *args]
    environment = {**os.environ, **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=timeout, env=environment)


def read_json(path):
    return json.loads(path.read_text())


def test_training_learns_saves_and_reloads(tiny_model, small_data, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("epochs: 1\nmax_steps: 40\npatience: 10\nlearning_rate: 0.5\n")  # the flag below wins
    test_csv = tmp_path / "test.csv"
    pd.read_csv(small_data / "test.csv.gz").head(30).to_csv(test_csv, index=False)
    args = train_args(
        tiny_model, small_data, tmp_path / "run", "--config", str(config), "--predict-test", str(test_csv)
    )
    result = run_train(*args)
    assert result.returncode == 0, result.stderr[-3000:]
    best = tmp_path / "run" / "best"
    history = read_json(best / "history.json")
    assert [h["step"] for h in history] == [10, 20, 30, 40]
    val_losses = [h["val_loss"] for h in history]
    assert val_losses == sorted(val_losses, reverse=True) and val_losses[-1] < val_losses[0]  # it learns
    assert {"roc_auc", "pr_auc", "learning_rate", "samples_per_s"} <= set(history[0])
    resolved = read_json(best / "training_config.json")
    assert resolved["learning_rate"] == 1e-3 and resolved["max_steps"] == 40  # defaults < file < flags
    assert set(read_json(best / "thresholds.json")) == set(LABELS)

    from transformers import pipeline

    classify = pipeline("text-classification", model=str(best), top_k=None)
    [scores] = classify(["You are a disgusting idiot."])
    assert {s["label"] for s in scores} == set(LABELS)
    assert sum(s["score"] for s in scores) != pytest.approx(1.0, abs=1e-3)  # sigmoid, not softmax

    from cleanspeech import load_model

    model = load_model(best)
    probabilities = model.predict_proba(["You are a disgusting idiot.", "", "x " * 5000])
    assert list(probabilities.columns) == list(LABELS) and len(probabilities) == 3
    by_pipeline = {s["label"]: s["score"] for s in scores}
    assert probabilities.loc[0, "toxic"] == pytest.approx(by_pipeline["toxic"], abs=1e-4)

    exported = tmp_path / "exported"
    cli = [sys.executable, "-m", "cleanspeech", "export-model", str(exported), "--model", str(best)]
    assert subprocess.run(cli, capture_output=True, cwd=REPO).returncode == 0
    [again] = pipeline("text-classification", model=str(exported), top_k=None)(["You are a disgusting idiot."])
    assert sorted(s["score"] for s in again) == pytest.approx(sorted(s["score"] for s in scores), abs=1e-6)

    submission = pd.read_csv(best / "submission.csv")
    assert list(submission.columns) == ["id", *LABELS] and len(submission) == 30


def test_bf16_autocast_on_cpu_learns_from_the_chosen_sources(tiny_model, small_data, tmp_path):
    # What `--mixed-precision auto` picks on CPUs with AMX or AVX512-BF16; elsewhere bf16 is emulated, but still works.
    extra = ["--max-steps", "20", "--mixed-precision", "bf16", "--train-sources", "jigsaw", "--max-train-samples", "0"]
    result = run_train(*train_args(tiny_model, small_data, tmp_path / "run", *extra))
    assert result.returncode == 0, result.stderr[-3000:]
    frame = build_dataset(small_data)
    jigsaw_rows = ((frame["fold"] == "train") & (frame["source"] == "jigsaw")).sum()
    assert 0 < jigsaw_rows < (frame["fold"] == "train").sum()
    assert f"training rows {jigsaw_rows:,}," in result.stdout
    best = tmp_path / "run" / "best"
    assert read_json(best / "metrics.json")["mixed_precision"] == "bf16"
    history = read_json(best / "history.json")
    assert history[-1]["val_loss"] < history[0]["val_loss"]


def test_early_stopping_fires(tiny_model, small_data, tmp_path):
    # With a zero learning rate validation never improves: stop after `patience` evaluations past the first.
    result = run_train(*train_args(tiny_model, small_data, tmp_path / "run", "--learning-rate", "0", "--patience", "2"))
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = read_json(tmp_path / "run" / "best" / "metrics.json")
    assert metrics["best_step"] == 10 and metrics["early_stopped_at"] == 30
    assert "early stopping" in result.stdout


def test_resume_after_a_kill_mid_epoch(tiny_model, small_data, tmp_path):
    common = ("--max-steps", "30", "--eval-every", "5", "--patience", "100")
    straight = run_train(*train_args(tiny_model, small_data, tmp_path / "straight", *common))
    assert straight.returncode == 0, straight.stderr[-3000:]

    run_dir = tmp_path / "killed"
    process = subprocess.Popen(
        [sys.executable, TRAIN, *train_args(tiny_model, small_data, run_dir, *common)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO,
    )  # fmt: skip
    state_file = run_dir / "checkpoint" / "trainer_state.json"
    deadline = time.time() + 300
    while not state_file.exists() and time.time() < deadline and process.poll() is None:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = read_json(state_file)["global_step"]
    assert 0 < killed_at < read_json(tmp_path / "straight" / "best" / "metrics.json")["steps"]
    assert read_json(state_file)["batches_done"] > 0  # mid-epoch

    resumed = run_train(*train_args(tiny_model, small_data, run_dir, *common, "--resume"))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"step {killed_at}" in resumed.stdout
    full = read_json(tmp_path / "straight" / "best" / "history.json")
    again = read_json(run_dir / "best" / "history.json")
    assert [h["step"] for h in again] == [h["step"] for h in full]
    assert again[-1]["val_loss"] == pytest.approx(full[-1]["val_loss"], rel=1e-3)  # same run, interrupted or not


def test_two_processes_train_and_only_the_main_one_writes(tiny_model, small_data, tmp_path):
    launcher = [
        sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
        "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
    ]  # fmt: skip
    args = train_args(tiny_model, small_data, tmp_path / "run", "--cpu", "--max-steps", "20", "--epochs", "1")
    result = run_train(*args, launcher=launcher)
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = read_json(tmp_path / "run" / "best" / "metrics.json")
    assert len(metrics["samples_per_process"]) == 2 and min(metrics["samples_per_process"]) > 0
    writes = [line for line in result.stdout.splitlines() if " wrote " in line]
    assert writes and all(line.startswith("[process 0]") for line in writes)
    assert result.stdout.count("best validation macro ROC-AUC") == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "/no/such/model"], "cannot load model '/no/such/model'"),
        (["--data-dir", "/no/such/data"], "data directory not found"),
        (["--learning-rate", "1e9", "--max-grad-norm", "1e9"], "NaN/inf"),
        (["--resume", "--run-dir", "/tmp/cleanspeech-no-such-run"], "no checkpoint"),
        (["--train-sources", "jigsaw,nosuch"], "no training rows from nosuch"),
    ],
)
def test_bad_input_stops_with_a_message(tiny_model, small_data, tmp_path, extra, message):
    result = run_train(*train_args(tiny_model, small_data, tmp_path / "run"), *extra)
    assert result.returncode == 2, result.stdout[-2000:]
    assert message in result.stderr and "Traceback" not in result.stderr


def test_hub_model_offline_says_what_to_do(small_data, tmp_path):
    args = ["--data-dir", str(small_data), "--run-dir", str(tmp_path / "run"), "--max-train-samples", "100"]
    result = run_train(*args, env={"HF_HUB_OFFLINE": "1"})  # the default microsoft/mdeberta-v3-base, no cache
    assert result.returncode == 2
    assert "cannot load model 'microsoft/mdeberta-v3-base'" in result.stderr and "--model" in result.stderr
