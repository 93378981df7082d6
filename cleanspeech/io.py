"""Reading user CSV files and scoring them, with messages a moderator can act on.

Used by the CLI and the app's batch page: every input row and column is kept, scores are appended as
`<model>_<label>` columns plus `<model>_flagged`.
"""

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .errors import InputError
from .labels import LABELS
from .models import flagged_column

SNIFF_BYTES = 8192


def decode_bytes(data: bytes, name: str = "the file") -> tuple[str, str | None]:
    """Decode CSV bytes: UTF-8 (with or without BOM), else Windows-1252; binary files are refused.

    Returns the text and a notice when a fallback encoding was used, so the caller can tell the user.
    """
    if not data.strip():
        raise InputError(f"{name} is empty")
    if b"\x00" in data[:SNIFF_BYTES]:
        raise InputError(f"{name} looks like a binary file, not a CSV (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), f"{name} is not UTF-8; read it as Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"{name} is not UTF-8; read it as Latin-1"


def read_comments_csv(source: str | Path | bytes, column: str | None = None, name: str | None = None):
    """Read a CSV of comments. Returns (frame, notices). With `column`, checks it exists.

    All columns are read as text so ids like 007 survive the round trip unchanged.
    """
    if isinstance(source, bytes):
        data, name = source, name or "the uploaded file"
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"file not found: {path}")
        data, name = path.read_bytes(), name or str(path)
    text, notice = decode_bytes(data, name)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, on_bad_lines="error")
    except (pd.errors.ParserError, csv.Error, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{name} is not a readable CSV: {str(exc).strip()}") from exc
    if frame.empty and not len(frame.columns):
        raise InputError(f"{name} has no header row")
    if column is not None and column not in frame.columns:
        found = ", ".join(repr(c) for c in frame.columns[:20])
        raise InputError(f"{name} has no column '{column}'; its columns are: {found}")
    return frame, [notice] if notice else []


def score_frame(
    frame: pd.DataFrame,
    column: str,
    models: dict,
    batch_size: int = 512,
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """Append every model's scores and flagged labels to a copy of `frame`, batch by batch."""
    texts = frame[column].fillna("").astype(str).tolist()
    total_steps = max(1, len(models) * len(texts))
    done = 0
    out = frame.copy()
    for name, model in models.items():
        parts = []
        for start in range(0, len(texts), batch_size):
            parts.append(model.predict_proba(texts[start : start + batch_size]))
            done += len(parts[-1])
            if progress:
                progress(done / total_steps)
        scores = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(LABELS), dtype=float)
        for label in LABELS:
            out[f"{name}_{label}"] = scores[label].round(5).to_numpy()
        out[f"{name}_flagged"] = flagged_column(scores, model.thresholds)
    return out
