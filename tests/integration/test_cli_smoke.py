"""The CLI as a user runs it, once, as a real subprocess (`python -m cleanspeech`): the entry point, the shipped
models loaded from a fresh interpreter, JSON on stdout. The other CLI tests run in-process (tests/unit/test_cli.py).
"""

import json
import subprocess
import sys

import pytest

from cleanspeech.labels import LABELS
from tests.helpers import REPO


def run_cli(*args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "cleanspeech", *args], capture_output=True, text=True, cwd=REPO, timeout=timeout
    )


@pytest.mark.artifact
def test_predict_one_text(shipped_baseline_dir):
    result = run_cli("predict", "You are a disgusting idiot.")
    assert result.returncode == 0, result.stderr
    [record] = json.loads(result.stdout)
    baseline = record["models"]["baseline"]
    assert set(baseline["scores"]) == set(LABELS)
    assert baseline["scores"]["toxic"] > 0.8 and baseline["scores"]["insult"] > 0.5
    assert {"toxic", "insult"} <= set(baseline["flagged"])


def test_scored_csv_on_stdout_stays_a_csv_and_ctrl_c_leaves_no_parts(tmp_path, shipped_baseline_dir):
    import signal
    import time

    import pandas as pd

    source = tmp_path / "comments.csv"
    pd.DataFrame({"comment_text": [f"comment {i}, you idiot" for i in range(20_000)]}).to_csv(source, index=False)
    out = tmp_path / "out.csv"
    command = [sys.executable, "-m", "cleanspeech", "score", str(source), "/dev/stdout", "--model", "baseline"]
    with out.open("w") as stdout:  # `... > out.csv`: the summary once overwrote the CSV's header
        done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True, cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr
    scored = pd.read_csv(out)
    assert len(scored) == 20_000 and scored.columns[0] == "comment_text" and '"rows": 20000' in done.stderr
    target = tmp_path / "killed.csv"
    # 5 rows a chunk: 4,000 chunks, tens of seconds of work, so Ctrl-C lands mid-run even on a busy machine
    # A pytest-xdist worker ignores SIGINT, and a child would inherit that: the child gets Ctrl-C as a terminal gives it
    running = subprocess.Popen([*command[:5], str(target), *command[6:], "--chunk-rows", "5"], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    parts = tmp_path / ".killed.csv.parts"
    deadline = time.time() + 120
    while not any(parts.glob("*.csv")) and time.time() < deadline:
        time.sleep(0.05)
    running.send_signal(signal.SIGINT)  # Ctrl-C while it scores
    _, stderr = running.communicate(timeout=120)
    assert running.returncode == 130 and stderr.strip().endswith("interrupted") and "Traceback" not in stderr
    assert not parts.exists() and not target.exists()  # no hidden folder of partial results, no half a file
