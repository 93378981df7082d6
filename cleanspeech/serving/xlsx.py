""".xlsx comment files through openpyxl: the first sheet read as a table of text, and scored tables written back.

A cell is read as it was typed: a formula as its text (`=HYPERLINK(...)`), a whole number without `.0`, a date in
ISO form. Written cells are always text or numbers, never formulas (openpyxl would store any string starting with
`=` as one).
"""

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .._io import import_optional
from ..errors import InputError

XLSX_SUFFIXES = (".xlsx", ".xlsm")
# A cell starting with one of these becomes a live formula when a spreadsheet opens the CSV (CSV injection):
# `=HYPERLINK(...)` in a comment would be a link in the moderator's sheet. OWASP's rule: prefix such cells with '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS = 1_048_576  # a sheet's rows, the header included
EXCEL_MAX_CELL = 32_767  # characters in one cell
# Characters XML 1.0 cannot carry, so no .xlsx cell can hold them (openpyxl refuses them too).
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_xlsx(head: bytes, name: str) -> bool:
    """An .xlsx by name, or a zip archive (what an .xlsx is) under another name."""
    return Path(name).suffix.lower() in XLSX_SUFFIXES or head.startswith(b"PK\x03\x04")


def _openpyxl():
    return import_optional("openpyxl", None, "reading and writing .xlsx files")


def cell_text(value) -> str:
    """A cell's value as the text a person typed or sees."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(getattr(value, "text", value))  # an array formula keeps its text


def xlsx_rows(data: bytes, name: str, notices: list[str]) -> Iterator[tuple[int, list[str]]]:
    """The rows of the first sheet that holds any, as (sheet row number, cell texts), from the first non-empty row to
    the last (an empty row between them is kept, so rows stay aligned with the sheet); trailing empty columns
    dropped. An empty first sheet (a cover of notes left blank) is passed over, and the notice says which was read."""
    openpyxl = _openpyxl()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises zip, XML, key and value errors for damaged files
        raise InputError(f"{name} is not a readable .xlsx file ({type(exc).__name__}: {exc})") from exc
    try:
        for index, sheet in enumerate(book.worksheets):  # read one at a time: the first usually holds the rows
            rows = [(i, [cell_text(v) for v in row]) for i, row in enumerate(sheet.iter_rows(values_only=True), 1)]
            number = index
            if any(c.strip() for _, cells in rows for c in cells):
                break
        else:
            number, rows = 0, []  # every sheet is empty: named as the first
        if len(book.worksheets) > 1:
            which = "the first" if number == 0 else f"the first that holds rows (sheet {number + 1})"
            notices.append(f"{name} has {len(book.worksheets)} sheets; read {which}, '{book.worksheets[number].title}'")
    finally:
        book.close()
    filled = [n for n, (_, cells) in enumerate(rows) if any(c.strip() for c in cells)]
    rows = rows[filled[0] : filled[-1] + 1] if filled else []
    width = max((max((j + 1 for j, c in enumerate(cells) if c), default=0) for _, cells in rows), default=0)
    for line, cells in rows:
        yield line, (cells + [""] * width)[:width]


def _cell(sheet, value):
    cell_type = _openpyxl().cell.WriteOnlyCell
    if isinstance(value, float) and pd.isna(value):
        return None
    if not isinstance(value, str):
        return value.item() if hasattr(value, "item") else value
    cell = cell_type(sheet, value=None)
    cell.value, cell.data_type = value, "s"  # text, even when it starts with '=': never a formula
    # Excel's own leading apostrophe, kept out of the text: the cell stays text when a moderator edits it (an added
    # ' would be shown as part of the comment: "'-you suck")
    cell.quotePrefix = value.startswith(FORMULA_STARTS)
    return cell


def excel_problem(frame: pd.DataFrame) -> str | None:
    """Why `frame` cannot be one Excel sheet (too many rows, a cell too long, a control character), or None."""
    if len(frame) + 1 > EXCEL_MAX_ROWS:
        return f"{len(frame):,} rows do not fit in one Excel sheet ({EXCEL_MAX_ROWS - 1:,} at most): use CSV"
    for column in frame.columns:
        texts = frame[column].map(lambda v: v if isinstance(v, str) else "")
        long = texts.str.len() > EXCEL_MAX_CELL
        if long.any():
            return (f"row {long.to_numpy().argmax() + 1} of '{column}' is longer than an Excel cell "
                    f"({EXCEL_MAX_CELL:,} characters): use CSV, which keeps it whole")  # fmt: skip
        bad = texts.map(lambda t: bool(_NOT_IN_XML.search(t)))
        if bad.any():
            return (f"row {bad.to_numpy().argmax() + 1} of '{column}' holds a control character that an .xlsx "
                    "cell cannot store: use CSV, which keeps it")  # fmt: skip
    return None


def xlsx_bytes(frame: pd.DataFrame, sheet_title: str = "scored") -> bytes:
    """`frame` as an .xlsx workbook; a frame Excel cannot hold (`excel_problem`) is an `InputError`."""
    if problem := excel_problem(frame):
        raise InputError(problem)
    book = _openpyxl().Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title)
    sheet.append([_cell(sheet, str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
