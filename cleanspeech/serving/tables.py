"""Comment tables (CSV, TSV, semicolon-separated, .xlsx) read strictly: every row kept, never shifted, never guessed.

Exports vary: Excel writes `;` in German and French locales, its "Unicode text" is tab-separated UTF-16, and a row
with one field too many, read loosely, moves its text into the next column. So the encoding and the delimiter are
sniffed, every record is checked against the header, and anything that does not fit (a different number of fields,
a quote that is never closed, a NUL byte) is an error naming its line numbers. With `lenient=True` such a row is
kept instead, whole, in an `unparsed_row` column and marked as an error, never shifted. The app, the CLI and the
service read comment files through `read_table` (in memory) or `scan_file` + `iter_chunks` (files of any size).
"""

import codecs
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._io import detect_encoding, piped_input
from ..errors import InputError
from .records import DELIMITERS, SNIFF_CHARS, Record, csv_records, sniff_delimiter, with_empty_cells
from .xlsx import is_xlsx, xlsx_rows

UNPARSED_COLUMN = "unparsed_row"  # lenient reading: a malformed record, exactly as it was in the file
LISTED = 10  # problems named in one message; the rest are counted
KEEP_HOW = "with --lenient"  # how a command-line user keeps malformed rows; the app and the service say theirs


@dataclass
class TableScan:
    """What one pass over a file found: its header, row count and every malformed record."""

    name: str
    columns: list[str]
    rows: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, what is wrong)
    notices: list[str] = field(default_factory=list)

    def problem_summary(self) -> str:
        listed = "; ".join(f"line {line}: {what}" for line, what in self.problems[:LISTED])
        more = f"; and {len(self.problems) - LISTED} more" if len(self.problems) > LISTED else ""
        return f"{len(self.problems)} malformed row(s) in {self.name}: {listed}{more}"


@dataclass
class CommentTable:
    frame: pd.DataFrame  # one row per data record, in file order; every column as text
    notices: list[str]
    row_errors: dict[int, str]  # frame position -> what is wrong with it (lenient reading only)
    name: str


def _header(record: Record | None, name: str, notices: list[str]) -> list[str]:
    if record is None:
        raise InputError(f"{name} has no header row")
    if record.problem or record.fields is None:
        raise InputError(f"{name}: line {record.line} (the header): {record.problem}")
    record.fields[0] = record.fields[0].removeprefix("\ufeff")  # a second byte-order mark, left by some exports
    columns = [c if c.strip() else f"column_{i + 1}" for i, c in enumerate(record.fields)]
    unnamed = [c for c, original in zip(columns, record.fields) if not original.strip()]
    if unnamed:
        notices.append(f"{name}: header cells without a name were named {', '.join(unnamed)}")
    seen = {}
    for i, column in enumerate(columns):
        if column in seen:
            raise InputError(f"{name}: the header names column '{column}' twice (columns {seen[column]} and {i + 1})")
        seen[column] = i + 1
    return columns


def _check(record: Record, width: int) -> str | None:
    if record.problem:
        return record.problem
    if len(record.fields) != width:
        return f"{len(record.fields)} fields where the header has {width}"
    return None


_HEAD_BYTES = 1 << 20  # what is read of a file on disk to tell its encoding


def _non_ascii_lines(path: Path, start: int, limit: int = _HEAD_BYTES) -> bytes | None:
    """None where the file is UTF-8 past `start`; else its lines there that hold a byte past ASCII (up to `limit`
    bytes of them), to tell their encoding by. A file plain ASCII for its first megabyte told nothing, and one
    Windows-1252 accent further on stopped the whole file as "not valid utf-8"."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        handle.seek(start)
        try:
            for block in iter(lambda: handle.read(_HEAD_BYTES), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return None
        except UnicodeDecodeError:
            pass
        handle.seek(start)
        lines, size = [], 0
        for line in handle:
            if not line.isascii():
                lines.append(line)
                size += len(line)
                if size >= limit:
                    break
    return b"".join(lines)


class _Source:
    """A comment file, in memory or on disk, that can be read from the start more than once."""

    def __init__(self, source: str | Path | bytes, name: str | None = None):
        if not isinstance(source, bytes) and (piped := piped_input(source)):  # stdin, a pipe: read once, kept
            source, name = piped[0], name or piped[1]
        if isinstance(source, bytes):
            self.data, self.path, self.name = source, None, name or "the uploaded file"
        else:
            self.path = Path(source)
            if self.path.is_dir():
                raise InputError(f"{self.path} is a directory, not a comment file")
            if not self.path.is_file():
                raise InputError(f"file not found: {self.path}")
            self.data, self.name = None, name or str(self.path)
        if self.data is not None:
            head = self.data
        else:
            with self.path.open("rb") as handle:
                head = handle.read(_HEAD_BYTES + 1)  # one byte more tells a file read whole from a sample
        self.xlsx = is_xlsx(head, self.name)
        self.notices: list[str] = []
        if not self.xlsx:
            whole = self.data is not None or len(head) <= _HEAD_BYTES  # an upload is checked whole
            head = head if self.data is not None else head[:_HEAD_BYTES]
            self.encoding, notice, self.errors = detect_encoding(head, self.name, complete=whole)
            plain = self.encoding == "utf-8" and self.errors == "strict" and head.isascii()  # not UTF-16's zeros
            if not whole and plain and (later := _non_ascii_lines(self.path, len(head))) is not None:
                self.encoding, notice, self.errors = detect_encoding(later, self.name)  # accents only further on
            self.notices += [notice] if notice else []
            sample = self._text_sample()
            _refuse_json(sample, self.name)
            named = _SEP_LINE.match(sample.lstrip("\ufeff"))  # Excel's hint: "sep=;" as the first line
            self.sep_line = named is not None and named.group(1) in DELIMITERS
            self.delimiter = named.group(1) if self.sep_line else sniff_delimiter(sample)
            if self.delimiter != ",":
                self.notices.append(f"read {self.name} as {DELIMITERS[self.delimiter]}-separated")

    def _open(self):
        if self.data is not None:  # detect_encoding read all of it: decoding cannot fail
            return io.StringIO(self.data.decode(self.encoding, self.errors), newline="")
        return self.path.open(encoding=self.encoding, errors=self.errors, newline="")

    def _text_sample(self) -> str:
        try:
            with self._open() as handle:
                return handle.read(SNIFF_CHARS)
        except UnicodeDecodeError as exc:
            raise InputError(f"{self.name} is not valid {self.encoding} ({exc.reason})") from exc

    def records(self) -> Iterator[Record]:
        if self.xlsx:
            data, notices = self.data if self.data is not None else self.path.read_bytes(), []
            for line, cells in xlsx_rows(data, self.name, notices):
                yield Record(line, cells, "\t".join(cells))
            self.notices += [n for n in notices if n not in self.notices]  # the file may be read more than once
            return
        with self._open() as handle:
            try:
                records = with_empty_cells(csv_records(handle, self.delimiter, blanks=True))
                if self.sep_line:
                    next(records, None)  # the hint, not the header: the header is line 2, and lines keep numbers
                yield from records
            except UnicodeDecodeError as exc:
                raise InputError(f"{self.name} is not valid {self.encoding} after its first part ({exc.reason}); "
                                 "save it as UTF-8") from exc  # fmt: skip


_SEP_LINE = re.compile(r"sep=(.)\r?\n")


def _refuse_json(sample: str, name: str) -> None:
    """A JSON or JSON-lines file, named as what it is, not as rows with the wrong number of fields (read as CSV, each
    object's commas split it)."""
    first = sample.lstrip("\ufeff \t\r\n")[:1]
    line = sample.lstrip("\ufeff \t\r\n").split("\n", 1)[0].strip()
    try:
        jsonl = first == "{" and isinstance(json.loads(line), dict)
    except ValueError:
        jsonl = False
    if jsonl or (first == "[" and Path(name).suffix.lower() == ".json"):
        how = "read_json(path, lines=True)" if jsonl else "read_json(path)"  # one object per line, or one array
        raise InputError(f"{name} is JSON; comment files are CSV, TSV, .xlsx or plain text (one comment per line). "
                         f"Convert it, e.g. pandas.{how}.to_csv('comments.csv', index=False)")  # fmt: skip


def _scan(source: _Source) -> TableScan:
    records = source.records()
    scan = TableScan(source.name, _header(next(records, None), source.name, source.notices))
    width = len(scan.columns)
    for record in records:
        scan.rows += 1
        if problem := _check(record, width):
            scan.problems.append((record.line, problem))
    scan.notices = source.notices
    return scan


def _frame(rows: list[list[str]], columns: list[str], unparsed: bool) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns + [UNPARSED_COLUMN] * unparsed, dtype=str)


def iter_chunks(source: _Source, scan: TableScan, chunk_rows: int) -> Iterator[tuple[pd.DataFrame, dict[int, str]]]:
    """The file as frames of `chunk_rows` rows, each with its row errors (position in the chunk -> message)."""
    width, unparsed = len(scan.columns), bool(scan.problems)
    records = source.records()
    next(records)  # the header
    rows, errors = [], {}
    for record in records:
        if problem := _check(record, width):
            errors[len(rows)] = f"line {record.line}: {problem}"
            rows.append([""] * width + [record.raw.rstrip("\r\n")])
        else:
            rows.append(record.fields + [""] * unparsed)
        if len(rows) == chunk_rows:
            yield _frame(rows, scan.columns, unparsed), errors
            rows, errors = [], {}
    if rows or not scan.rows:
        yield _frame(rows, scan.columns, unparsed), errors


def scan_file(source: str | Path | bytes, name: str | None = None, lenient: bool = False,
              keep_how: str = KEEP_HOW) -> tuple[_Source, TableScan]:  # fmt: skip
    """One pass over a comment file: its header and every malformed row. Strict (the default): any malformed row
    is an `InputError` naming the lines and how to keep them (`keep_how`, as the caller's user says so); lenient:
    they are counted in a notice, to be kept as error rows."""
    opened = _Source(source, name)
    scan = _scan(opened)
    if scan.problems and not lenient:
        raise InputError(f"{scan.problem_summary()}. Fix the file, or keep such rows unscored {keep_how}")
    if scan.problems:
        scan.notices.append(scan.problem_summary() + f"; kept whole in '{UNPARSED_COLUMN}', not scored")
    return opened, scan


def read_table(source: str | Path | bytes, name: str | None = None, lenient: bool = False,
               keep_how: str = KEEP_HOW) -> CommentTable:  # fmt: skip
    """A whole comment file (CSV in any common dialect, or the first sheet of an .xlsx) as one table of text."""
    opened, scan = scan_file(source, name, lenient, keep_how)
    (frame, errors), = iter_chunks(opened, scan, max(scan.rows, 1))  # fmt: skip
    return CommentTable(frame, scan.notices, errors, scan.name)


def missing_column_message(name: str, column: str, columns: list[str], how: str) -> str:
    found = ", ".join(repr(c) for c in columns[:20]) + (f" and {len(columns) - 20} more" if len(columns) > 20 else "")
    return f"{name} has no column '{column}'. Its columns are: {found}. Which one holds the comments? {how}"


def require_column(table_columns: list[str], column: str, name: str, how: str = "Name it with --column.") -> None:
    """A missing text column is an error that lists the columns and asks; it is never guessed."""
    if column not in table_columns:
        raise InputError(missing_column_message(name, column, list(table_columns), how))
