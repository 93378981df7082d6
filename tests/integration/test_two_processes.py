"""Two processes under `accelerate launch` (gloo on the CPU): training where only the main process writes, and
`score` giving the same file as one process. Real processes are the point."""

import json
import subprocess
import sys

import pytest

from tests.helpers import REPO, run_cli
from tests.helpers.scoring import comments_csv
from tests.helpers.training import read_json, train_args

LAUNCHER = [
    sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
    "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
]  # fmt: skip


def run(*command, timeout=600):
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=timeout)


def run_train(*args, launcher):
    return run(*launcher, str(REPO / "scripts" / "train.py"), *args)


@pytest.mark.slow
def test_two_processes_train_and_only_the_main_one_writes(tiny_model, small_data, tmp_path):
    launcher = LAUNCHER
    args = train_args(tiny_model, small_data, tmp_path / "run", "--cpu", "--max-steps", "20", "--epochs", "1")
    result = run_train(*args, launcher=launcher)
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = read_json(tmp_path / "run" / "best" / "metrics.json")
    assert len(metrics["samples_per_process"]) == 2 and min(metrics["samples_per_process"]) > 0
    writes = [line for line in result.stdout.splitlines() if " wrote " in line]
    assert writes and all(line.startswith("[process 0]") for line in writes)
    assert result.stdout.count("best validation macro ROC-AUC") == 1


@pytest.fixture(scope="module")
def comments(tmp_path_factory, data_dir):
    return comments_csv(tmp_path_factory.mktemp("score"), data_dir)


def score(*args, launcher=None):
    return run(*launcher, "-m", "cleanspeech", "score", *args, "--model", "baseline")


@pytest.mark.slow
def test_two_processes_give_the_same_file(comments, tmp_path, capsys, shipped_baseline_dir):
    single, double = tmp_path / "one.csv", tmp_path / "two.csv"
    one_process = run_cli(capsys, "score", str(comments), str(single), "--chunk-rows", "200", "--model", "baseline")
    assert one_process.returncode == 0
    launcher = LAUNCHER
    result = score(str(comments), str(double), "--chunk-rows", "200", "--cpu", launcher=launcher)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["processes"] == 2 and summary["rows"] == 1100
    assert double.read_bytes() == single.read_bytes()
    assert not list(tmp_path.glob(".*parts"))  # part files cleaned up
