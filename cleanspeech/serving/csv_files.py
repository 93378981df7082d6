"""Comment CSV files: reading them with messages a moderator can act on, and scoring files of any size.

`read_comments_csv` serves the CLI's `predict --file` and the app's Batch page. `score_csv` serves `score`: it reads
the file in chunks with a progress bar, keeps every input row and column in order and appends `<model>_<label>`
columns plus `<model>_flagged`. It runs as one process, or unchanged under `accelerate launch` (several GPUs,
machines or CPU processes): process r scores chunks r, r+N, r+2N, ... into part files beside the output, and the
main process merges them in order, so the output is byte-identical to a single-process run.
"""

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from .._io import decode_bytes, import_optional
from ..errors import InputError
from .batch import score_frame

TEXT_COLUMN = "comment_text"  # the comment column of Kaggle's Jigsaw files, and the default everywhere
# A cell starting with one of these becomes a live formula when a spreadsheet opens the CSV (CSV injection):
# `=HYPERLINK(...)` in a comment would be a link in the moderator's sheet. OWASP's rule: prefix such cells with '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells cannot run as spreadsheet formulas (a leading ' added where needed).

    Only text cells change; numbers (a -1 label) stay numbers. JSON output keeps the original text; CSV written for
    other programs can skip this (`--raw-cells`)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v
            )
    return out


CHUNK_ROWS = 5000  # rows read, scored and written at a time: bounded memory for files of any size


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
    text, _, notice = decode_bytes(data, name)
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


def sniff_encoding(path: Path) -> tuple[str, list[str]]:
    """The encoding to read `path` with, judged from its first megabyte (binary and empty files are refused)."""
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and len(head) == 1 << 20:
            head = head[: exc.start]  # the sample cut a character in two: not an encoding problem
    _, encoding, notice = decode_bytes(head, str(path))
    return encoding, [notice] if notice else []


def read_chunks(path: Path, column: str, encoding: str, chunk_rows: int):
    try:
        reader = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, chunksize=chunk_rows)
        for index, chunk in enumerate(reader):
            if column not in chunk.columns:
                found = ", ".join(repr(c) for c in chunk.columns[:20])
                raise InputError(f"{path} has no column '{column}'; its columns are: {found}")
            yield index, chunk
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not a readable CSV: {str(exc).strip()}") from exc


def score_csv(source, target, column: str, models: dict, chunk_rows: int = CHUNK_ROWS, cpu: bool = False,
              safe_cells: bool = True) -> dict:  # fmt: skip
    """Score `source` into `target`; returns a summary. Works the same with 1 or N processes. `safe_cells`: text
    cells that a spreadsheet would run as formulas are neutralised (`neutralize_formulas`)."""
    PartialState = import_optional("accelerate", None, "scoring a CSV file").PartialState

    state = PartialState(cpu=cpu)
    source, target = Path(source), Path(target)
    encoding, notices = sniff_encoding(source)
    parts = target.parent / f".{target.name}.parts"
    if state.is_main_process:
        shutil.rmtree(parts, ignore_errors=True)
        parts.mkdir(parents=True)
    state.wait_for_everyone()
    rows = 0
    progress = tqdm(desc="scoring", unit=" rows", disable=not state.is_local_main_process)
    for index, chunk in read_chunks(source, column, encoding, chunk_rows):
        if index % state.num_processes != state.process_index:
            continue
        scored = score_frame(chunk, column, models)
        (neutralize_formulas(scored) if safe_cells else scored).to_csv(parts / f"{index:08d}.csv", index=False)
        rows += len(chunk)
        progress.update(len(chunk) * state.num_processes)  # an estimate: the others advance at the same pace
    progress.close()
    state.wait_for_everyone()
    if state.is_main_process:
        rows = merge_parts(parts, target)
    state.wait_for_everyone()
    return {"rows": rows, "output": str(target), "processes": state.num_processes, "notices": notices,
            "is_main_process": state.is_main_process}  # fmt: skip


def merge_parts(parts: Path, target: Path) -> int:
    """Concatenate the part files in chunk order into `target` (one header); returns the row count."""
    files = sorted(parts.glob("*.csv"))
    rows = 0
    with target.open("w", encoding="utf-8", newline="") as out:
        for i, path in enumerate(files):
            with path.open(encoding="utf-8", newline="") as part:
                header = part.readline()
                if i == 0:
                    out.write(header)
                shutil.copyfileobj(part, out)
            rows += len(pd.read_csv(path, dtype=str, keep_default_na=False, usecols=[0]))
    shutil.rmtree(parts)
    return rows
