"""`python -m cleanspeech score` in-process: chunked, order-preserving, bad files refused in one line.

The same command under `accelerate launch` with 2 processes is tests/integration/test_two_processes.py.
"""

import json

import pandas as pd
import pytest

from cleanspeech.labels import LABELS
from tests.helpers import run_cli
from tests.helpers.scoring import comments_csv


@pytest.fixture(scope="module")
def comments(tmp_path_factory, data_dir):
    return comments_csv(tmp_path_factory.mktemp("score"), data_dir)


@pytest.fixture
def score(capsys):
    return lambda *args: run_cli(capsys, "score", *args, "--model", "baseline")


def test_chunks_keep_every_row_and_column_in_order(comments, tmp_path, score, shipped_baseline_dir):
    out = tmp_path / "scored.csv"
    result = score(str(comments), str(out), "--chunk-rows", "300")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == 1100
    original = pd.read_csv(comments, dtype=str, keep_default_na=False)
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(scored[original.columns], original)
    assert [c for c in scored.columns if c not in original.columns] == [
        *(f"baseline_{label}" for label in LABELS),
        "baseline_flagged",
    ]


def test_bad_input_files(tmp_path, score, shipped_baseline_dir):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("text\nhello\n")
    result = score(str(wrong), str(tmp_path / "out.csv"))
    assert result.returncode == 2 and "no column 'comment_text'" in result.stderr
    latin = tmp_path / "latin.csv"
    latin.write_bytes('comment_text\n"espèce d\'idiot"\n'.encode("cp1252"))
    result = score(str(latin), str(tmp_path / "out.csv"))
    assert result.returncode == 0 and "Windows-1252" in result.stderr
    assert pd.read_csv(tmp_path / "out.csv")["comment_text"][0] == "espèce d'idiot"
