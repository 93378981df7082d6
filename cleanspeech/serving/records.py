"""The records of a CSV text: each with its first line number, its fields and its text as in the file.

Read with Python's `csv` module in strict mode, one record at a time, so that a record that cannot be parsed is
reported on its line and reading goes on after it (`tables` turns them into a comment table), and the delimiter is
chosen by how well it splits the first records (`sniff_delimiter`).
"""

import csv
import io
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}  # the first wins a tie
SNIFF_CHARS = 1 << 16  # text looked at to choose the delimiter
NUL_PROBLEM = "contains a NUL byte"  # a record or line with one: malformed in a CSV file and a plain-text one alike
# The csv module refuses fields over 128 KiB by default; a pasted comment can be a megabyte, and it is kept whole
# (the models read the first MAX_TEXT_CHARS characters, and the row says so).
csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))


@dataclass
class Record:
    line: int  # first line of the record in the file (for .xlsx, the sheet's row number)
    fields: list[str] | None  # None when the record could not be parsed
    raw: str  # the record's text as it is in the file
    problem: str | None = None


class _Lines:
    """A file's lines, numbered, with the text of the record being read and a way to read some lines again."""

    def __init__(self, handle: Iterable[str]):
        self._handle, self._again = iter(handle), deque()
        self.line, self.taken = 0, []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._again.popleft() if self._again else next(self._handle)
        self.line += 1
        self.taken.append(line)
        return line

    def take(self) -> str:
        raw, self.taken = "".join(self.taken), []
        return raw

    def read_again(self, lines: list[str]) -> None:
        self._again.extendleft(reversed(lines))
        self.line -= len(lines)


def _quote_problem(exc: csv.Error, start: int, end: int) -> str:
    if "end of data" in str(exc):
        return "a quoted field starts on this line and is never closed"
    if end > start:
        return f"a quoted field starts on this line and runs into line {end} ({exc})"
    return f"badly quoted field ({exc})"


def csv_records(handle: Iterable[str], delimiter: str, blanks: bool = False) -> Iterator[Record]:
    """Every record of a CSV text, with its first line number; blank lines are skipped, or with `blanks` yielded as
    records of no fields where a record follows them (never before the first record nor at the end of the file).

    A record that cannot be parsed is reported on its first line, and reading goes on from the line after it, so
    one stray quote costs one row, not the rest of the file.
    """
    lines = _Lines(handle)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    pending: list[Record] = []  # blank lines seen since the last record
    started = False
    while True:
        start = lines.line + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problem = _quote_problem(exc, start, lines.line)
            taken, lines.taken = lines.taken, []
            lines.read_again(taken[1:])
            yield from pending  # the blank lines before it stay before it
            pending, started = [], True
            yield Record(start, None, taken[0], problem)
            continue
        raw = lines.take()
        if not fields:  # a blank line is no record, as for every CSV reader, unless the caller asks
            pending += [Record(start, [], raw)] if blanks and started else []
            continue
        yield from pending
        pending, started = [], True
        yield Record(start, fields, raw, NUL_PROBLEM if "\x00" in raw else None)


def sniff_delimiter(sample: str) -> str:
    """The delimiter (comma, semicolon or tab) that splits the header into most fields, the first records alike."""
    best, best_key = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        records = []
        for record in csv_records(io.StringIO(sample, newline=""), delimiter):
            records.append(record)
            if len(records) > 50:
                break
        records = records[:-1] if len(sample) >= SNIFF_CHARS else records  # the sample may cut the last one
        if not records or not records[0].fields or len(records[0].fields) < 2:
            continue
        width = len(records[0].fields)
        rows = records[1:] or records
        agree = sum(r.fields is not None and len(r.fields) == width for r in rows) / len(rows)
        if (agree, width) > best_key:
            best, best_key = delimiter, (agree, width)
    return best


def with_empty_cells(records: Iterator[Record]) -> Iterator[Record]:
    """The records of a CSV file, with each blank line inside a one-column file as an empty row: there a blank line
    is an empty cell (Excel writes one so), and skipping it would shift every later row against the sheet (and the
    row numbers that name comments without an id). Elsewhere a blank line is no row, as for every CSV reader."""
    header = next(records, None)
    if header is None:
        return
    yield header
    one_column = header.fields is not None and len(header.fields) == 1
    for record in records:
        if record.fields == []:
            if one_column:
                yield Record(record.line, [""], record.raw)
        else:
            yield record
