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
