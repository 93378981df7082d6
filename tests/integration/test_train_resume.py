"""scripts/train.py killed with SIGKILL mid-epoch and resumed: real processes are the point (a kill leaves whatever
a process had written, and `--resume` starts again from the files alone)."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import REPO, run_script
from tests.helpers.training import read_json, train_args

TRAIN = str(REPO / "scripts" / "train.py")


def run_train(*args, timeout=600):
    command = [sys.executable, TRAIN, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=timeout)


@pytest.mark.slow
def test_resume_after_a_kill_mid_epoch(tiny_model, small_data, tmp_path, capsys):
    common = ("--max-steps", "30", "--eval-every", "5", "--patience", "100")
    # The uninterrupted reference run needs no process of its own (one interpreter start less)
    straight = run_script(capsys, "train", *train_args(tiny_model, small_data, tmp_path / "straight", *common))
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
    # the same run, interrupted or not: every evaluation, not just the last, to the digits history.json keeps
    assert [h["val_loss"] for h in again] == pytest.approx([h["val_loss"] for h in full], rel=1e-6)
