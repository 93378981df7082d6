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


def test_score_writes_xlsx_that_reads_back_the_same(tmp_path, capsys, tiny_classifier_dir):
    case = by_name(".xlsx")
    source, out = tmp_path / case.file_name, tmp_path / "scored.xlsx"
    source.write_bytes(case.content)
    result = run_cli(capsys, "score", str(source), str(out), "--model", str(tiny_classifier_dir), "--raw-cells")
    assert result.returncode == 0, result.stderr
    back = read_table(out).frame
    assert back[list(case.rows[0])].to_dict("records") == case.rows
    assert back["status"].tolist() == case.statuses
