"""`python -m cleanspeech score`: chunked, order-preserving, and the same under `accelerate launch` with 2 processes."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from cleanspeech.labels import LABELS

from .conftest import REPO


@pytest.fixture(scope="module")
def comments(tmp_path_factory, data_dir):
    frame = pd.read_csv(data_dir / "jigsaw_sample" / "test.csv.gz", dtype=str, keep_default_na=False).head(1100)
    frame["note"] = ["007", "", "NA", "<img src=x onerror=alert(1)>"] * 275  # values that must survive untouched
    path = tmp_path_factory.mktemp("score") / "comments.csv"
    frame.to_csv(path, index=False)
    return path


def score(*args, launcher=None):
    command = [*(launcher or [sys.executable]), "-m", "cleanspeech", "score", *args, "--model", "baseline"]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=600)


def test_chunks_keep_every_row_and_column_in_order(comments, tmp_path, shipped_baseline_dir):
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


def test_two_processes_give_the_same_file(comments, tmp_path, shipped_baseline_dir):
    single, double = tmp_path / "one.csv", tmp_path / "two.csv"
    assert score(str(comments), str(single), "--chunk-rows", "200").returncode == 0
    launcher = [
        sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
        "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
    ]  # fmt: skip
    result = score(str(comments), str(double), "--chunk-rows", "200", "--cpu", launcher=launcher)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["processes"] == 2 and summary["rows"] == 1100
    assert double.read_bytes() == single.read_bytes()
    assert not list(tmp_path.glob(".*parts"))  # part files cleaned up


def test_bad_input_files(tmp_path, shipped_baseline_dir):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("text\nhello\n")
    result = score(str(wrong), str(tmp_path / "out.csv"))
    assert result.returncode == 2 and "no column 'comment_text'" in result.stderr
    latin = tmp_path / "latin.csv"
    latin.write_bytes('comment_text\n"espèce d\'idiot"\n'.encode("cp1252"))
    result = score(str(latin), str(tmp_path / "out.csv"))
    assert result.returncode == 0 and "Windows-1252" in result.stderr
    assert pd.read_csv(tmp_path / "out.csv")["comment_text"][0] == "espèce d'idiot"
