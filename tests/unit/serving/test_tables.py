"""The one reader of comment files against the table of malformed files (tests/helpers/malformed_files.py)."""

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from cleanspeech.errors import InputError
from cleanspeech.serving import neutralize_formulas, read_table, require_column, row_statuses, xlsx_bytes
from cleanspeech.serving.tables import iter_chunks, scan_file
from tests.helpers.malformed_files import CASES, FORMULA, NO_TEXT_COLUMN


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_file_is_read_exactly_or_refused_by_line(case):
    if case.error:
        with pytest.raises(InputError, match=None) as refused:
            read_table(case.content, name=case.file_name)
        assert case.error in str(refused.value) and "\n" not in str(refused.value)
        return
    table = read_table(case.content, name=case.file_name)
    assert table.frame.to_dict("records") == case.rows  # every row, no value shifted or changed
    assert row_statuses(table.frame["comment_text"].tolist()) == case.statuses
    assert (case.notice is None and not table.notices) or any(case.notice in n for n in table.notices)


@pytest.mark.parametrize("case", [c for c in CASES if c.lenient_rows], ids=str)
def test_lenient_reading_keeps_a_malformed_row_whole_and_marks_it(case):
    table = read_table(case.content, name=case.file_name, lenient=True)
    assert table.frame.to_dict("records") == case.lenient_rows
    assert row_statuses(table.frame["comment_text"].tolist(), table.row_errors) == case.lenient_statuses
    assert any("not scored" in notice for notice in table.notices)


def test_errors_name_every_line_up_to_a_limit():
    rows = "".join(f"{i},ok\n" if i % 3 else f"{i},a,b\n" for i in range(1, 40))
    with pytest.raises(InputError) as refused:
        read_table(f"id,comment_text\n{rows}".encode(), name="many.csv")
    message = str(refused.value)
    assert message.startswith("13 malformed row(s) in many.csv: line 4: 3 fields where the header has 2; line 7:")
    assert "line 31:" in message and "line 34:" not in message and "and 3 more" in message


def test_a_missing_text_column_is_asked_for_never_guessed():
    table = read_table(NO_TEXT_COLUMN.content, name=NO_TEXT_COLUMN.file_name)
    with pytest.raises(InputError) as refused:
        require_column(list(table.frame.columns), "comment_text", table.name)
    assert NO_TEXT_COLUMN.error in str(refused.value) and "--column" in str(refused.value)


def test_a_million_rows_stream_in_chunks_without_loss(tmp_path):
    path = tmp_path / "million.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("id,comment_text\n")
        out.writelines(f'{i},"comment {i}, kept"\n' for i in range(1_000_000))
    opened, scan = scan_file(path)
    assert scan.rows == 1_000_000 and not scan.problems
    seen = 0
    for chunk, errors in iter_chunks(opened, scan, 100_000):
        assert not errors and chunk["id"].iloc[0] == str(seen) and chunk["comment_text"].iloc[-1].endswith("kept")
        seen += len(chunk)
    assert seen == 1_000_000


def test_xlsx_output_never_holds_a_formula_and_round_trips():
    frame = pd.DataFrame({"id": ["007", "2"], "comment_text": [FORMULA, "fine"], "baseline_toxic": [0.9, float("nan")]})
    for cells, expected in ((frame, FORMULA), (neutralize_formulas(frame), "'" + FORMULA)):
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(cells))).active
        assert sheet["B2"].value == expected and sheet["B2"].data_type == "s"  # text, never a live formula
        assert sheet["A2"].value == "007" and sheet["C2"].value == 0.9 and sheet["C3"].value is None
        assert sheet["B2"].quotePrefix == (cells is frame) and not sheet["B3"].quotePrefix  # Excel's hidden ' where a
        # cell would be a formula once edited; a text given its own ' needs none
    back = read_table(xlsx_bytes(frame), name="scored.xlsx").frame
    assert back[["id", "comment_text"]].to_dict("records") == frame[["id", "comment_text"]].to_dict("records")


def test_what_excel_cannot_hold_is_refused_with_the_reason():
    with pytest.raises(InputError, match="longer than an Excel cell"):
        xlsx_bytes(pd.DataFrame({"comment_text": ["x" * 40_000]}))
    with pytest.raises(InputError, match="control character"):
        xlsx_bytes(pd.DataFrame({"comment_text": ["bell \x07"]}))


def test_a_scored_frame_excel_cannot_hold_is_kept_as_csv(tmp_path):
    """predict --output x.xlsx wrote nothing when a cell held a control character, after all the scoring; `score`
    kept its CSV. Both keep it now, and say where."""
    from cleanspeech.serving import write_table

    frame = pd.DataFrame({"comment_text": ["bell \x07", "=1+1"], "baseline_toxic": [0.1, 0.2]})
    with pytest.raises(InputError, match=r"control character.*the scored file is kept as .*scored\.xlsx\.csv"):
        write_table(frame, tmp_path / "scored.xlsx")
    kept = pd.read_csv(tmp_path / "scored.xlsx.csv", dtype=str)
    assert kept["comment_text"].tolist() == ["bell \x07", "'=1+1"]  # every row, formulas behind a '


def test_an_upload_over_a_megabyte_is_checked_whole(tmp_path):
    """An upload's encoding is judged on all of it (a damaged byte past the first megabyte is read as U+FFFD, with a
    notice); a file on disk from its first megabyte, and a bad byte after it is one clear error."""
    rows = ["comment_text"] + [f"ça va très bien numéro {i}" for i in range(40_000)] + ["bad \udcff end"]
    data = "\n".join(rows).encode("utf-8", "surrogateescape") + b"\n"
    assert len(data) > 1 << 20 and data.index(b"\xff") > 1 << 20
    table = read_table(data, name="big.csv")
    assert len(table.frame) == 40_001 and table.frame["comment_text"].iloc[-1] == "bad \ufffd end"
    assert table.frame["comment_text"].iloc[0] == "ça va très bien numéro 0"
    assert any("1 place(s) that are not UTF-8" in notice for notice in table.notices)
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match="not valid utf-8 after its first part"):
        read_table(path)


def test_a_plain_text_file_is_one_comment_per_line_when_asked():
    from cleanspeech.serving import read_lines

    text = "You are a disgusting idiot\r\nThanks, that fixed it.\n\n   \nsee you\u2028tomorrow, then\n"
    table = read_lines(text.encode("utf-16"), "notes.txt")  # the first line is a comment, not a header
    assert table.frame["comment_text"].tolist() == ["You are a disgusting idiot", "Thanks, that fixed it.",
                                                    "see you\u2028tomorrow, then"]  # fmt: skip
    assert table.row_errors == {} and table.name == "notes.txt"
    latin = read_lines("café, très bien\n".encode("cp1252"), "old.txt")
    assert latin.frame["comment_text"].tolist() == ["café, très bien"] and "Windows-1252" in " ".join(latin.notices)
    with pytest.raises(InputError, match="empty"):
        read_lines(b"", "empty.txt")


def test_a_plain_text_line_with_a_nul_byte_is_malformed_and_random_bytes_are_binary():
    from cleanspeech.serving import read_lines

    data = b"good line\n\x00nul line\n\nthird\n"
    with pytest.raises(InputError, match=r"line 2: contains a NUL byte\. Fix the file, or keep such lines unscored"):
        read_lines(data, "notes.txt")
    kept = read_lines(data, "notes.txt", lenient=True)  # kept with its text, not scored
    assert kept.frame["comment_text"].tolist() == ["good line", "\x00nul line", "third"]
    assert kept.row_errors == {1: "line 2: contains a NUL byte"} and "kept, not scored" in kept.notices[-1]
    noise = np.random.default_rng(0).integers(0, 256, 20_000, dtype=np.uint8).tobytes()  # no signature, few NULs
    for read in (read_lines, read_table):
        with pytest.raises(InputError, match="looks like a binary file"):
            read(noise, "blob.bin")


def test_a_chat_log_with_irc_formatting_codes_is_text():
    from cleanspeech.serving import read_lines

    # mIRC colours on every nick and message, bold and reset: short lines, over 5% formatting bytes
    log = "".join(f"\x0304<nick{i}>\x03 \x02you\x02 idiot\x0f\n" for i in range(200)).encode()
    table = read_lines(log, "chat.log")
    assert len(table.frame) == 200 and table.frame["comment_text"][0] == "\x0304<nick0>\x03 \x02you\x02 idiot\x0f"
    noise = np.random.default_rng(1).integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    with pytest.raises(InputError, match="looks like a binary file"):
        read_lines(noise, "blob.bin")


def test_a_file_whose_accents_come_after_its_first_megabyte_is_read_in_their_encoding(tmp_path):
    rows = ["id,comment_text", *(f"{i},plain comment number {i} padded with a few more words" for i in range(20_000))]
    rows.append('20000,"Café “quoted”, crème brûlée"')
    for encoding, notice in (
        ("cp1252", "read it as Windows-1252"),
        ("utf-8", None),
        ("utf-16-le", "UTF-16 without a byte-order mark; read it as UTF-16-LE"),
    ):
        path = tmp_path / f"late-{encoding}.csv"
        path.write_bytes(("\n".join(rows) + "\n").encode(encoding))
        assert path.stat().st_size > 1 << 20  # the accents lie past the sample the encoding is told from
        table = read_table(path)
        assert table.frame["comment_text"].iloc[-1] == "Café “quoted”, crème brûlée"
        said = [n for n in table.notices if "UTF-" in n]
        assert said == ([] if notice is None else [f"{path} is not UTF-8; {notice}"] if encoding == "cp1252" else
                        [f"{path} is {notice}"])  # fmt: skip


def test_an_empty_first_sheet_is_passed_over_and_the_notice_names_the_sheet_read(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    data = book.create_sheet("Data")
    data.append(["id", "comment_text"])
    data.append(["1", "you idiot"])
    book.create_sheet("Later").append(["ignored"])
    path = tmp_path / "second.xlsx"
    book.save(path)
    table = read_table(path)
    assert table.frame.to_dict("records") == [{"id": "1", "comment_text": "you idiot"}]
    assert f"{path} has 3 sheets; read the first that holds rows (sheet 2), 'Data'" in table.notices
    empty = openpyxl.Workbook()
    empty.create_sheet("Also empty")
    empty.save(tmp_path / "empty.xlsx")
    with pytest.raises(InputError, match="no header row"):
        read_table(tmp_path / "empty.xlsx")


def test_excels_separator_line_names_the_delimiter_and_is_no_header(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"sep=;\r\nid;comment_text\r\n1;you idiot, really\r\n2;thanks;extra\r\n")
    with pytest.raises(InputError, match="line 4: 3 fields where the header has 2"):  # lines keep their numbers
        read_table(path)
    path.write_bytes(b"sep=;\r\nid;comment_text\r\n1;you idiot, really\r\n2;thanks\r\n")
    table = read_table(path)
    assert table.frame.to_dict("records") == [{"id": "1", "comment_text": "you idiot, really"},
                                              {"id": "2", "comment_text": "thanks"}]  # fmt: skip
    assert f"read {path} as semicolon-separated" in table.notices
