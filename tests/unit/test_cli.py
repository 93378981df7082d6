"""The CLI as a user runs it, in-process (`cli.main(argv)`): the shipped model, real files.

The same command as a real subprocess (`python -m cleanspeech`) is tests/integration/test_cli_smoke.py."""

import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from cleanspeech.labels import LABELS
from tests.helpers import run_cli as run_in_process


@pytest.fixture
def run_cli(capsys):
    """`python -m cleanspeech ARGS` in this process: exit status, stdout and stderr as a subprocess gives them."""
    return lambda *args: run_in_process(capsys, *args)


def test_predict_file_keeps_every_row_and_column(tmp_path, run_cli, shipped_baseline_dir):
    source = tmp_path / "comments.csv"
    pd.DataFrame(
        {"id": ["007", "008", "009"], "comment_text": ["You idiot", "", "<script>alert(1)</script> nice page"]}
    ).to_csv(source, index=False)
    out = tmp_path / "scored.csv"
    result = run_cli("predict", "--file", str(source), "--column", "comment_text", "--output", str(out))
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert scored["id"].tolist() == ["007", "008", "009"]
    assert scored["comment_text"][2] == "<script>alert(1)</script> nice page"
    assert {f"baseline_{lb}" for lb in LABELS} | {"baseline_flagged"} <= set(scored.columns)
    assert float(scored["baseline_toxic"][0]) > float(scored["baseline_toxic"][2])

    as_json = run_cli("predict", "--file", str(source))
    assert as_json.returncode == 0 and len(json.loads(as_json.stdout)) == 3


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: p.write_text("text\nhello\n"), "no column 'comment_text'. Its columns are: 'text'. Which one"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "looks like a PNG image, not a text"),
        (lambda p: p.write_text('comment_text\n"unterminated\n'), "line 2: a quoted field starts on this line"),
    ],
)
def test_bad_files_get_one_clear_line(tmp_path, setup, message, run_cli, shipped_baseline_dir):
    path = tmp_path / "input.csv"
    setup(path)
    result = run_cli("predict", "--file", str(path))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_non_utf8_file_is_read_with_a_notice(tmp_path, run_cli, shipped_baseline_dir):
    path = tmp_path / "latin.csv"
    path.write_bytes('comment_text\n"ça suffit, espèce d\'idiot"\n'.encode("cp1252"))
    result = run_cli("predict", "--file", str(path))
    assert result.returncode == 0, result.stderr
    assert "Windows-1252" in result.stderr
    assert json.loads(result.stdout)[0]["text"] == "ça suffit, espèce d'idiot"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["predict", "   "], "text is empty"),
        (["predict", "--file", "/no/such/file.csv"], "file not found"),
        (["predict", "hi", "--model", "/no/such/model"], "neither a known model name"),
        (["evaluate", "--data-dir", "/no/such/dir"], "data directory not found"),
        (["explain", "hi", "--model", "baseline", "--label", "nosuch"], "invalid choice: 'nosuch'"),
        (["explain", "hi", "--model", "baseline", "--top", "-2"], "argument --top: must be at least 0, not -2"),
        (["evaluate", "--max-eval-rows", "-1"], "argument --max-eval-rows: must be at least 0, not -1"),
        (["evaluate", "--max-validation-rows", "x"], "argument --max-validation-rows: not a whole number: 'x'"),
        (["score", "in.csv", "out.csv", "--chunk-rows", "0"], "argument --chunk-rows: must be at least 1, not 0"),
        (["evaluate", "--jigsaw-dir", "/no/such/dir"], "Jigsaw directory not found: /no/such/dir"),
        (["predict", "--file", "/"], "/ is a directory, not a comment file"),
    ],
)
def test_bad_arguments(run_cli, args, message):
    result = run_cli(*args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_text_typed_with_bytes_that_are_not_utf8_is_scored_with_a_note(run_cli, shipped_baseline_dir):
    typed = b"you idiot, caf\xe9".decode("utf-8", "surrogateescape")  # what Python makes of such bytes in argv
    result = run_cli("predict", typed)
    assert result.returncode == 0, result.stderr
    assert "not UTF-8" in result.stderr
    assert json.loads(result.stdout)[0]["text"] == "you idiot, caf\ufffd"


@pytest.mark.parametrize(
    ("output", "message"),
    [
        (lambda tmp: tmp, "is a folder: name the file to write in it"),
        (lambda tmp: tmp / "no" / "such" / "out.csv", "does not exist"),
        (lambda tmp: tmp / "comments.csv" / "sub" / "out.csv", "comments.csv is a file, not a folder"),  # not "missing"
        (lambda tmp: tmp / "comments.csv", "is the file being scored"),
        (lambda tmp: tmp / "scored.json", "scored files are CSV or Excel; name it .csv or .xlsx (e.g. scored.csv)"),
    ],
)
@pytest.mark.parametrize("command", ["predict", "score"])
def test_an_output_that_cannot_be_written_is_refused_before_scoring(tmp_path, run_cli, command, output, message):
    source = tmp_path / "comments.csv"
    source.write_text("comment_text\nyou idiot\n")
    target = str(output(tmp_path))
    args = ["predict", "--file", str(source), "--output", target] if command == "predict" else ["score", str(source),
                                                                                                target]  # fmt: skip
    result = run_cli(*args, "--model", "/no/such/model")  # checked before the model loads
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert source.read_text() == "comment_text\nyou idiot\n"


def test_nothing_to_score_says_what_to_give(run_cli):
    assert run_cli("predict").stderr.strip() == "error: nothing to score: give texts or --file FILE"
    result = run_cli("predict", " \u200b ")
    assert result.returncode == 2 and result.stderr.strip() == "error: nothing to score: the text is empty"


def test_huge_comment_is_scored(tmp_path, run_cli, shipped_baseline_dir):
    path = tmp_path / "big.csv"
    pd.DataFrame({"comment_text": ["you idiot " * 100_000]}).to_csv(path, index=False)  # ~1 MB comment
    result = run_cli("predict", "--file", str(path))
    assert result.returncode == 0, result.stderr
    [record] = json.loads(result.stdout)
    assert record["truncated"] is True and record["models"]["baseline"]["scores"]["toxic"] > 0.5


@pytest.mark.artifact
def test_evaluate_reads_kaggles_files_from_jigsaw_dir(run_cli, small_data, kaggle_dir, shipped_baseline_dir):
    result = run_cli("evaluate", "--data-dir", str(small_data), "--jigsaw-dir", str(kaggle_dir), "--json",
                     "--model", "baseline", "--max-eval-rows", "50", "--max-test-rows", "200")  # fmt: skip
    assert result.returncode == 0, result.stderr  # a path given as text once failed on `str / str`
    assert json.loads(result.stdout)["baseline"]["splits"]["test"]["metrics"]["toxic"]["n"] == 200


@pytest.mark.slow
@pytest.mark.artifact
def test_evaluate_prints_metrics_and_languages(run_cli, data_dir, shipped_baseline_dir):
    result = run_cli("evaluate", "--data-dir", str(data_dir), "--max-eval-rows", "300", "--max-validation-rows", "300",
                     "--json", "--model", "baseline")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)["baseline"]
    assert report["splits"]["test"]["metrics"]["macro"]["roc_auc"] > 0.9
    assert report["splits"]["test"]["metrics"]["toxic"]["n"] == 1027  # the test fold whole; validation sampled
    assert set(report["splits"]["validation"]["by_source"]) == {"jigsaw", "germeval_2018", "told_br", "mlma_2019_fr",
                                                                "paradetox", "detox_emnlp2021"}  # fmt: skip
    assert all(s["toxic"]["n"] <= 300 for s in report["splits"]["validation"]["by_source"].values())
    languages = {row["lang"] for row in report["by_language"]}
    assert languages == {"en", "de", "pt", "fr", "tr", "es", "it", "ru"}
    # Without --json the same reports print as tables (formatted here rather than by evaluating a second time)
    from cleanspeech.evaluation.reports import report_tables

    table = report_tables(json.loads(result.stdout))
    assert "== baseline / test" in table and "ROC-AUC per language" in table


def test_export_model_does_not_write_over_a_directory_or_into_a_file(tmp_path, run_cli):
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    result = run_cli("export-model", str(kept))
    assert result.returncode == 2 and "is not empty; pass --force" in result.stderr, result.stderr
    assert [p.name for p in kept.iterdir()] == ["notes.txt"]  # refused before the model loaded
    result = run_cli("export-model", str(kept / "notes.txt"))
    assert result.returncode == 2 and "is a file, not a directory" in result.stderr
    result = run_cli("pack-model", "models/transformer", "--out-dir", str(kept))  # the same rule, its own words
    assert result.returncode == 2 and "choose --out-dir" in result.stderr


def test_a_pipe_in_and_standard_output_out(tmp_path):
    """`-` (or /dev/stdin, a pipe) is read once like an upload; `-` as the output is stdout, as for most tools.
    They were "file not found: /dev/stdin", and a file named "-"."""
    import io
    import subprocess
    import sys

    comments = "id,comment_text\n7,You idiot\n8,Thanks for the fix\n"
    for argv in (["score", "-", "-"], ["predict", "--file", "/dev/stdin", "--output", "-"]):
        run = subprocess.run([sys.executable, "-m", "cleanspeech", *argv, "--model", "baseline"], input=comments,
                             capture_output=True, text=True, cwd=tmp_path, timeout=120)  # fmt: skip
        assert run.returncode == 0, run.stderr
        scored = pd.read_csv(io.StringIO(run.stdout), dtype=str)
        assert scored["id"].tolist() == ["7", "8"] and scored["status"].tolist() == ["scored", "scored"]
        assert float(scored["baseline_insult"][0]) > 0.5 > float(scored["baseline_insult"][1])
        assert json.loads(run.stderr.strip().splitlines()[-1])["rows"] == 2  # the summary, on stderr
    assert not (tmp_path / "-").exists()
    from cleanspeech.serving.csv_files import parts_folder

    for written_through in ("/dev/stdout", "/dev/stdin"):  # /dev is no place for a folder, and not a user's to write
        assert parts_folder(Path(written_through)).parent == Path(tempfile.gettempdir())
    assert parts_folder(tmp_path / "out.csv") == tmp_path / ".out.csv.parts"
