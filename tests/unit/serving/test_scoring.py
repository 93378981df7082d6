"""`python -m cleanspeech score` in-process: chunked, order-preserving, bad files refused in one line.

The same command under `accelerate launch` with 2 processes is tests/integration/test_two_processes.py.
"""

import json

import pandas as pd
import pytest

from cleanspeech.labels import LABELS
from tests.helpers import assert_kept_behind_formula_guards, run_cli
from tests.helpers.scoring import comments_csv


@pytest.fixture(scope="module")
def comments(tmp_path_factory, data_dir):
    return comments_csv(tmp_path_factory.mktemp("score"), data_dir)


@pytest.fixture
def score(capsys):
    return lambda *args: run_cli(capsys, "score", *args, "--model", "baseline")


def test_chunks_keep_every_row_and_column_in_order(comments, tmp_path, score, shipped_baseline_dir):
    out, safe = tmp_path / "scored.csv", tmp_path / "safe.csv"
    result = score(str(comments), str(out), "--chunk-rows", "300", "--raw-cells")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == 1100
    original = pd.read_csv(comments, dtype=str, keep_default_na=False)
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(scored[original.columns], original)
    # By default the same rows, with a ' before the cells a spreadsheet would run ("== Heading ==" is a formula)
    assert score(str(comments), str(safe), "--chunk-rows", "300").returncode == 0
    assert_kept_behind_formula_guards(pd.read_csv(safe, dtype=str, keep_default_na=False), original)
    assert [c for c in scored.columns if c not in original.columns] == [
        "status",
        *(f"baseline_{label}" for label in LABELS),
        "baseline_flagged",
    ]
    assert set(scored["status"]) <= {"scored", "empty"}
    assert (scored["status"] == "empty").sum() == (original["comment_text"].str.strip() == "").sum()


def test_a_number_is_no_formula_and_comes_back_as_it_was(tmp_path, score, shipped_baseline_dir):
    source = tmp_path / "neg.csv"
    source.write_text("id,comment_text,toxic,delta\n1,hello,-1,-0.5\n2,hi,1,+3\n3,-1+2,0,-1e3\n")
    assert score(str(source), str(tmp_path / "out.csv")).returncode == 0
    scored = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert scored["toxic"].tolist() == ["-1", "1", "0"] and scored["delta"].tolist() == ["-0.5", "+3", "-1e3"]
    assert scored["comment_text"].tolist() == ["hello", "hi", "'-1+2"]  # a sum is a formula: guarded


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


def test_formula_cells_are_neutralized_and_numbers_left_alone():
    from cleanspeech.serving import neutralize_formulas

    frame = pd.DataFrame({"comment_text": ["=HYPERLINK(\"http://x\",\"click\")", "+1 agree", "-- me", "@all hi",
                                           "\tindented", "plain", None], "label": [-1, 0, 1, 0, 1, 0, 0]})  # fmt: skip
    safe = neutralize_formulas(frame)
    assert safe["comment_text"].tolist()[:6] == ["'=HYPERLINK(\"http://x\",\"click\")", "'+1 agree", "'-- me",
                                                  "'@all hi", "'\tindented", "plain"]  # fmt: skip
    assert pd.isna(safe["comment_text"][6]) and safe["label"].tolist() == frame["label"].tolist()
    assert frame["comment_text"][0].startswith("=")  # the input is not changed
    header = neutralize_formulas(frame.rename(columns={"label": "=cmd|' /C calc'!A0"}))  # a header is a cell too
    assert header.columns.tolist() == ["comment_text", "'=cmd|' /C calc'!A0"]
    assert header.to_csv(index=False).splitlines()[0] == "comment_text,'=cmd|' /C calc'!A0"
    both = neutralize_formulas(pd.DataFrame({"=x": ["a"], "'=x": ["b"]}))  # names stay unique: no column lost
    assert both.columns.tolist() == ["''=x", "'=x"] and both.to_dict("list") == {"''=x": ["a"], "'=x": ["b"]}


def test_cli_output_is_safe_to_open_unless_asked_for_raw_cells(tmp_path, shipped_baseline_dir, capsys):
    source = tmp_path / "comments.csv"
    formula = '=HYPERLINK("http://evil","you idiot")'
    pd.DataFrame({"id": ["1", "2"], "comment_text": [formula, "thanks"]}).to_csv(source, index=False)
    for command in (["predict", "--file", str(source), "--model", "baseline", "--output"],
                    ["score", str(source), "--model", "baseline"]):  # fmt: skip
        safe, raw = tmp_path / f"{command[0]}-safe.csv", tmp_path / f"{command[0]}-raw.csv"
        assert run_cli(capsys, *command, str(safe)).returncode == 0
        assert run_cli(capsys, *command, str(raw), "--raw-cells").returncode == 0
        assert pd.read_csv(safe, dtype=str)["comment_text"][0] == "'" + formula
        assert pd.read_csv(raw, dtype=str)["comment_text"][0] == formula
    as_json = run_cli(capsys, "predict", "--file", str(source), "--model", "baseline")
    assert json.loads(as_json.stdout)[0]["text"] == formula  # JSON keeps the original text


@pytest.mark.parametrize("policy", [False, True])
def test_input_columns_named_like_added_ones_are_kept_under_another_name(
    tmp_path, capsys, policy, shipped_baseline_dir
):
    source, out = tmp_path / "clash.csv", tmp_path / "out.csv"
    source.write_text("comment_text,baseline_toxic,baseline_flagged,status,cleanspeech_status,verdict\n"
                      "you idiot,mine 1,mine 2,mine 3,mine 4,mine 5\n")  # fmt: skip
    policy_args = ["--policy", "default", "--store", f"sqlite:///{tmp_path / 'store.sqlite3'}"] if policy else []
    result = run_cli(capsys, "score", str(source), str(out), "--model", "baseline", *policy_args)
    assert result.returncode == 0, result.stderr
    assert "kept 'baseline_toxic' as 'baseline_toxic_input'" in result.stderr
    row = pd.read_csv(out, dtype=str, keep_default_na=False).iloc[0]
    kept = ["baseline_toxic_input", "baseline_flagged_input", "status", "cleanspeech_status_input"]
    assert [row[c] for c in kept] == ["mine 1", "mine 2", "mine 3", "mine 4"]
    assert row["cleanspeech_status"] == "scored" and float(row["baseline_toxic"]) > 0.5
    assert row["baseline_flagged"].startswith("toxic")
    assert row["verdict_input" if policy else "verdict"] == "mine 5"
    assert ("kept 'verdict' as 'verdict_input'" in result.stderr) == policy
    assert not policy or row["verdict"] not in ("", "mine 5")


def test_a_file_excel_cannot_hold_keeps_its_scored_rows_as_csv(tmp_path, score, shipped_baseline_dir):
    source, out = tmp_path / "long.csv", tmp_path / "scored.xlsx"
    pd.DataFrame({"comment_text": ["you idiot " * 4000, "=1+1"]}).to_csv(source, index=False)  # 40,000 characters
    result = score(str(source), str(out))
    assert result.returncode == 2 and "longer than an Excel cell" in result.stderr and "kept as" in result.stderr
    kept = pd.read_csv(tmp_path / "scored.xlsx.csv", dtype=str, keep_default_na=False)
    assert kept["comment_text"].tolist() == ["you idiot " * 4000, "'=1+1"] and "baseline_toxic" in kept  # as any CSV


def test_a_policy_reads_the_status_the_scorer_added_not_a_column_of_the_input(tmp_path, capsys, shipped_baseline_dir):
    source, out = tmp_path / "own_status.csv", tmp_path / "out.csv"
    source.write_text("comment_text,cleanspeech_status\nyou disgusting idiot,mine\n")
    store = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    result = run_cli(
        capsys, "score", str(source), str(out), "--model", "baseline", "--policy", "default", "--store", store
    )
    assert result.returncode == 0, result.stderr
    row = pd.read_csv(out, dtype=str, keep_default_na=False).iloc[0]
    assert (row["cleanspeech_status"], row["status"]) == ("mine", "scored") and row["verdict"] in ("review", "remove")
