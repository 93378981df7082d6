"""A plain-text comment file: one comment per line, no header (what a moderator pastes into a .txt).

Read as CSV, such a file lost its first comment to the header, and a comment with a comma was a malformed row. The
encoding is told as for CSV (`detect_encoding`: UTF-8, UTF-16, Windows-1252; binary and empty files refused).
"""

import re
from pathlib import Path

import pandas as pd

from .._io import detect_encoding
from ..errors import InputError
from .csv_files import TEXT_COLUMN
from .tables import CommentTable

_LINE_END = re.compile(r"\r\n|\r|\n")  # not str.splitlines(): U+2028 and form feeds inside a comment stay in it


def read_lines(source: bytes | str | Path, name: str | None = None) -> CommentTable:
    """Each line of `source` (an upload's bytes, or a file's path) that holds more than white space, as one comment
    in a `comment_text` column."""
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
    lines = [line for line in _LINE_END.split(data.decode(encoding, errors)) if line.strip()]
    frame = pd.DataFrame({TEXT_COLUMN: lines}, dtype=str)
    return CommentTable(frame, [notice] if notice else [], {}, name)
