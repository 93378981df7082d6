"""`predict --file` and `score` against the table of malformed files: the same outcome as the reader, end to end.

The model is the tiny random BERT (it loads in a second): these tests are about rows and statuses, not scores.
"""

import json

import pandas as pd
import pytest

from cleanspeech.serving import read_table
from tests.helpers import run_cli
from tests.helpers.malformed_files import CASES, NO_TEXT_COLUMN, by_name


def read_back(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("case", [*CASES, NO_TEXT_COLUMN], ids=str)
def test_predict_gives_each_file_its_one_outcome(case, tmp_path, capsys, tiny_classifier_dir):
    source, out = tmp_path / case.file_name, tmp_path / "scored.csv"
    source.write_bytes(case.content)
    model = ["--model", str(tiny_classifier_dir)]
    result = run_cli(capsys, "predict", "--file", str(source), *model, "--output", str(out), "--raw-cells")
    if case.error:
        assert result.returncode == 2 and case.error in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()
        return
    assert result.returncode == 0, result.stderr
    assert case.notice is None or case.notice in result.stderr
    scored = read_back(out)
    if not case.rows:
        assert scored.empty and "has a header but no rows" in result.stderr
        scored_file = run_cli(capsys, "score", str(source), str(tmp_path / "s.csv"), *model)
        assert scored_file.returncode == 0 and "has a header but no rows" in scored_file.stderr  # score says so too
        return
    assert scored[list(case.rows[0])].to_dict("records") == case.rows  # every row, nothing shifted or altered
    assert scored["status"].tolist() == case.statuses
    as_json = json.loads(run_cli(capsys, "predict", "--file", str(source), *model).stdout)
    assert [r["status"] for r in as_json] == case.statuses
    assert all(bool(r["models"]) == (r["status"] != "empty") for r in as_json)  # empty rows get no scores


@pytest.mark.parametrize("case", [c for c in CASES if c.lenient_rows], ids=str)
def test_score_keeps_malformed_rows_whole_with_lenient(case, tmp_path, capsys, tiny_classifier_dir):
    source, out = tmp_path / case.file_name, tmp_path / "scored.csv"
    source.write_bytes(case.content)
    command = ["score", str(source), str(out), "--model", str(tiny_classifier_dir), "--chunk-rows", "1"]
    refused = run_cli(capsys, *command)
    assert refused.returncode == 2 and case.error in refused.stderr and not out.exists()
    result = run_cli(capsys, *command, "--lenient")
    assert result.returncode == 0, result.stderr
    assert "not scored" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["rows"] == len(case.lenient_rows) and summary["statuses"]["error"] == 1
    scored = read_back(out)
    assert scored[list(case.lenient_rows[0])].to_dict("records") == case.lenient_rows
    assert scored["status"].tolist() == case.lenient_statuses
    as_json = json.loads(run_cli(capsys, "predict", "--file", str(source), "--model", str(tiny_classifier_dir),
                                 "--lenient").stdout)  # fmt: skip
    kept = [r["unparsed_row"] for r in as_json if r["status"].startswith("error")]  # its content, not just a status
    assert kept == [row["unparsed_row"] for row in case.lenient_rows if row.get("unparsed_row")]


def test_score_writes_xlsx_that_reads_back_the_same(tmp_path, capsys, tiny_classifier_dir):
    case = by_name(".xlsx")
    source, out = tmp_path / case.file_name, tmp_path / "scored.xlsx"
    source.write_bytes(case.content)
    result = run_cli(capsys, "score", str(source), str(out), "--model", str(tiny_classifier_dir), "--raw-cells")
    assert result.returncode == 0, result.stderr
    back = read_table(out).frame
    assert back[list(case.rows[0])].to_dict("records") == case.rows
    assert back["status"].tolist() == case.statuses


def test_predict_lines_reads_a_plain_text_file_one_comment_per_line(tmp_path, capsys, tiny_classifier_dir):
    notes = tmp_path / "notes.txt"
    notes.write_bytes("you idiot, really\r\n\n   \nthanks for the fix\ncafé\n".encode("utf-16"))
    model = ["--model", str(tiny_classifier_dir)]
    as_csv = run_cli(capsys, "predict", "--file", str(notes), *model)  # its first comment would be a header
    assert as_csv.returncode == 2 and "--lines" in as_csv.stderr, as_csv.stderr
    result = run_cli(capsys, "predict", "--file", str(notes), "--lines", *model)
    assert result.returncode == 0, result.stderr
    assert [row["text"] for row in json.loads(result.stdout)] == ["you idiot, really", "thanks for the fix", "café"]
    out = tmp_path / "scored.csv"
    assert run_cli(capsys, "predict", "--file", str(notes), "--lines", *model, "--output", str(out)).returncode == 0
    assert read_back(out)["comment_text"].tolist() == ["you idiot, really", "thanks for the fix", "café"]
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n")
    result = run_cli(capsys, "predict", "--file", str(blank), "--lines", *model)
    assert result.returncode == 2 and "empty (only whitespace)" in result.stderr
    blank.write_text("\u00a0\n\u3000\n", encoding="utf-8")  # white space beyond ASCII: lines, but no comments
    result = run_cli(capsys, "predict", "--file", str(blank), "--lines", *model)
    assert result.returncode == 0 and "holds no comments" in result.stderr and json.loads(result.stdout) == []
    missing = run_cli(capsys, "predict", "--file", str(tmp_path / "nope.txt"), "--lines", *model)
    assert missing.returncode == 2 and "file not found" in missing.stderr


def test_predict_lines_refuses_what_it_cannot_honour(tmp_path, capsys, tiny_classifier_dir):
    notes = tmp_path / "notes.txt"
    notes.write_text("you idiot\n")
    model = ["--model", str(tiny_classifier_dir)]
    for args, says in [(["--file", str(notes), "--lines", "--column", "body"], "leave out --column"),
                       (["some text", "--lines"], "give --file FILE")]:  # fmt: skip
        result = run_cli(capsys, "predict", *args, *model)
        assert result.returncode == 2 and says in result.stderr, result.stderr


def test_an_xlsx_output_keeps_the_inputs_cells_as_text_and_its_fallback_never_replaces_a_file(
    tmp_path, capsys, shipped_baseline_dir
):
    source = tmp_path / "lab.csv"
    source.write_text("id,comment_text,severe_toxic,reviewer_insult\n0001,hello,1,007\n0002,x,0,1.50\n")
    result = run_cli(capsys, "score", str(source), str(tmp_path / "out.xlsx"), "--model", "baseline")
    assert result.returncode == 0, result.stderr
    back = read_table(tmp_path / "out.xlsx").frame
    assert back["id"].tolist() == ["0001", "0002"] and back["reviewer_insult"].tolist() == ["007", "1.50"]
    # a cell Excel cannot hold: the rows are kept as CSV, beside (never over) a file of that name, here the input
    named = tmp_path / "data.xlsx.csv"
    named.write_text("id,comment_text\n1,bad \x01 cell\n")
    before = named.read_bytes()
    result = run_cli(capsys, "score", str(named), str(tmp_path / "data.xlsx"), "--model", "baseline")
    assert result.returncode == 2 and "kept as" in result.stderr and named.read_bytes() == before
    assert (tmp_path / "data.xlsx.1.csv").is_file() and not (tmp_path / "data.xlsx").exists()
    assert not list(tmp_path.glob(".*"))  # no parts, no temporary file left


def test_a_write_that_fails_leaves_the_previous_output_whole_and_no_parts(tmp_path, shipped_baseline_dir):
    """A disk that fills while the scored chunks are merged (here a file-size limit, the same error to the writer)
    once left a truncated CSV that looked whole in place of the previous output."""
    import resource
    import signal
    import subprocess
    import sys

    from tests.helpers import REPO

    source, out = tmp_path / "in.csv", tmp_path / "scored.csv"
    pd.DataFrame({"comment_text": [f"comment number {i}, which is long enough to take room" for i in range(400)]}
                 ).to_csv(source, index=False)  # fmt: skip
    out.write_text("precious\n")
    out.chmod(0o600)  # a private file stays private when replaced

    def limited():  # each chunk fits, the merged file does not
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))

    command = [sys.executable, "-m", "cleanspeech", "score", str(source), str(out), "--model", "baseline",
               "--chunk-rows", "50"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, preexec_fn=limited, timeout=300)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert out.read_text() == "precious\n" and sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "scored.csv"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=300)  # no limit: replaced
    assert done.returncode == 0 and out.read_text().startswith("comment_text,")
    assert out.stat().st_mode & 0o777 == 0o600
