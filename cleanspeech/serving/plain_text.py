"""A plain-text comment file: one comment per line, no header (what a moderator pastes into a .txt).

Read as CSV, such a file lost its first comment to the header, and a comment with a comma was a malformed row. The
encoding is told as for CSV (`detect_encoding`: UTF-8, UTF-16, Windows-1252; binary and empty files refused), and a
line with a NUL byte is malformed as a CSV row with one is: an error naming its lines, or with `lenient` a row kept
with its text and not scored.
"""

import re
from pathlib import Path

import pandas as pd

from .._io import detect_encoding, piped_input
from ..errors import InputError
from .csv_files import TEXT_COLUMN
from .records import NUL_PROBLEM
from .tables import KEEP_HOW, CommentTable, TableScan

_LINE_END = re.compile(r"\r\n|\r|\n")  # not str.splitlines(): U+2028 and form feeds inside a comment stay in it


def read_lines(source: bytes | str | Path, name: str | None = None, lenient: bool = False,
               keep_how: str = KEEP_HOW) -> CommentTable:  # fmt: skip
    """Each line of `source` (an upload's bytes, or a file's path) that holds more than white space, as one comment
    in a `comment_text` column."""
    if not isinstance(source, bytes) and (piped := piped_input(source)):  # stdin, a pipe
        source, name = piped[0], name or piped[1]
    if isinstance(source, bytes):
        data, name = source, name or "the uploaded file"
    else:
        path, name = Path(source), name or str(source)
        if path.is_dir():
            raise InputError(f"{path} is a directory, not a comment file")
        if not path.is_file():
            raise InputError(f"file not found: {path}")
        data = path.read_bytes()
    encoding, notice, errors = detect_encoding(data, name)
    numbered = [(n, line) for n, line in enumerate(_LINE_END.split(data.decode(encoding, errors)), 1) if line.strip()]
    malformed = {i: n for i, (n, line) in enumerate(numbered) if "\x00" in line}  # frame position -> line number
    scan = TableScan(name, [TEXT_COLUMN], len(numbered), [(n, NUL_PROBLEM) for n in malformed.values()],
                     [notice] if notice else [])  # fmt: skip
    if malformed and not lenient:
        raise InputError(f"{scan.problem_summary()}. Fix the file, or keep such lines unscored {keep_how}")
    if malformed:
        scan.notices.append(scan.problem_summary() + "; kept, not scored")
    frame = pd.DataFrame({TEXT_COLUMN: [line for _, line in numbered]}, dtype=str)
    return CommentTable(frame, scan.notices, {i: f"line {n}: {NUL_PROBLEM}" for i, n in malformed.items()}, name)
