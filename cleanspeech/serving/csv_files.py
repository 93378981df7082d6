"""Scored comment files: writing them safe to open in a spreadsheet (CSV or .xlsx), and scoring files of any size.

`score_csv` serves `score`: it checks the whole file (`tables.scan_file`), then reads it in chunks with a progress
bar, keeps every input row and column in order and appends a status column, `<model>_<label>` columns and
`<model>_flagged`. It runs as one process, or unchanged under `accelerate launch` (several GPUs,
machines or CPU processes): process r scores chunks r, r+N, r+2N, ... into part files beside the output, and the
main process merges them in order, so the output is byte-identical to a single-process run.
"""

import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from .._io import import_optional, replaced_atomically, written_in_place
from ..errors import InputError
from ..labels import LABELS
from .batch import renamed_inputs_notice, score_frame, status_column
from .tables import iter_chunks, require_column, scan_file
from .xlsx import FORMULA_STARTS, XLSX_SUFFIXES, xlsx_bytes

TEXT_COLUMN = "comment_text"  # the comment column of Kaggle's Jigsaw files, and the default everywhere


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells cannot run as spreadsheet formulas (a leading ' added where needed).

    Only text cells change, the column names too (a header is a cell as well); numbers (a -1 label) stay numbers.
    JSON output keeps the original text; CSV written for other programs can skip this (`--raw-cells`)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_as_text)
    out.columns = _safe_names(list(out.columns))
    return out


def _safe_names(names: list) -> list:
    """Column names as safe cells, still unique: beside an input column named '=x, =x becomes ''=x."""
    taken, safe = set(names), []
    for name in names:
        new = _as_text(name)
        while new != name and new in taken:
            new = "'" + new
        taken.add(new)
        safe.append(new)
    return safe


# A number as text, which a spreadsheet reads as that number and never as a formula ("-1", "+3", "-0.5", "-1e3").
# Cells are read as text, so a -1 label or a negative delta came back as '-1
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _as_text(value):
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


WRITTEN_SUFFIXES = ("", ".csv", ".txt")  # names a CSV may have (besides .xlsx); no suffix: /dev/stdout, a pipe
CHUNK_ROWS = 5000  # rows read, scored and written at a time: bounded memory for files of any size


def check_output_path(target: str | Path, source: str | Path | None = None) -> Path:
    """`target` as a file that can be written, checked before any scoring: a folder, a missing folder, one we may not
    write in, the very file being scored (`source`), or a name that promises another format (`.json`: what is written
    is CSV or .xlsx) is refused in one line instead of failing after the work."""
    target = Path(target)
    if target.is_dir():
        raise InputError(f"{target} is a folder: name the file to write in it (e.g. {target / 'scored.csv'})")
    if target.suffix.lower() not in (*WRITTEN_SUFFIXES, *XLSX_SUFFIXES) and not target.is_char_device():
        raise InputError(f"cannot write {target}: scored files are CSV or Excel; name it .csv or .xlsx "
                         f"(e.g. {target.name.split('.')[0] or 'scored'}.csv)")  # fmt: skip
    folder = target.parent
    if not folder.is_dir():
        there = next((p for p in (folder, *folder.parents) if p.exists()), None)  # the deepest part that exists
        file = there is not None and not there.is_dir()  # scored.csv/out.csv: a file stands where a folder must
        why = f"{there} is a file, not a folder" if file else f"the folder {folder} does not exist"
        raise InputError(f"cannot write {target}: {why}")
    if not os.access(target if target.exists() else folder, os.W_OK):  # an existing file (or /dev/stdout) alone
        raise InputError(f"cannot write {target}: permission denied")
    if source is not None and target.exists() and Path(source).exists() and target.samefile(source):
        raise InputError(f"{target} is the file being scored: name another file to write, so the input is kept")
    return target


def write_table(frame: pd.DataFrame, target: str | Path, safe_cells: bool = True) -> Path:
    """`frame` as CSV, or as .xlsx when `target` ends in .xlsx; cells neutralised unless `safe_cells` is False. A file
    replaces `target` only once written whole: a full disk leaves the previous output as it was."""
    target = Path(target)
    if target.suffix.lower() in XLSX_SUFFIXES:  # text cells there are never formulas (`xlsx_bytes`)
        try:
            with replaced_atomically(target) as tmp:
                tmp.write_bytes(xlsx_bytes(frame))
        except InputError as exc:  # a cell Excel cannot hold: the scoring is done, so kept as CSV, as `score` does
            raise _kept_as_csv(frame, target, safe_cells, exc) from exc
    else:
        _write_csv(neutralize_formulas(frame) if safe_cells else frame, target)
    return target


def _write_csv(frame: pd.DataFrame, target: Path) -> None:
    if written_in_place(target):  # standard output, a pipe: nothing to replace
        frame.to_csv(target, index=False)
        return
    with replaced_atomically(target) as tmp:
        frame.to_csv(tmp, index=False)


def _kept_as_csv(frame: pd.DataFrame, target: Path, safe_cells: bool, exc: InputError) -> InputError:
    """Keep the rows an .xlsx `target` could not hold as a CSV beside it (never over a file), and the error that says
    where they are."""
    kept = _free_name(target.with_name(target.name + ".csv"))
    _write_csv(neutralize_formulas(frame) if safe_cells else frame, kept)
    return InputError(f"cannot write {target.name}: {exc}; the scored file is kept as {kept}")


def _free_name(path: Path) -> Path:
    """`path`, or `name.1.csv`, `name.2.csv`... where a file is there already (it may be the input, or the user's)."""
    candidate, n = path, 0
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}.{n}{path.suffix}")
    return candidate


def score_csv(source, target, column: str, models: dict, chunk_rows: int = CHUNK_ROWS, cpu: bool = False,
              safe_cells: bool = True, lenient: bool = False, on_chunk=None) -> dict:  # fmt: skip
    """Score `source` (CSV or .xlsx, read strictly; `lenient` keeps malformed rows as error rows) into `target` (CSV,
    or .xlsx by its suffix); returns a summary. Works the same with 1 or N processes. `safe_cells`: text cells that
    a spreadsheet would run as formulas are neutralised (`neutralize_formulas`). `on_chunk(scored, chunk_index, status)`
    may add columns to each scored chunk before it is written (a moderation policy's verdicts)."""
    state = _process_state(cpu)
    target = check_output_path(target, source if isinstance(source, (str, Path)) else None)
    opened, scan = scan_file(source, lenient=lenient)  # the whole file is checked before anything is written
    require_column(scan.columns, column, scan.name)
    if notice := renamed_inputs_notice(scan.columns, models):
        scan.notices.append(notice)
    parts = parts_folder(target, state.num_processes)
    if state.is_main_process:
        shutil.rmtree(parts, ignore_errors=True)
        parts.mkdir(parents=True, mode=0o700)  # scored comments: for this user alone, in /tmp too
    state.wait_for_everyone()
    progress = tqdm(desc="scoring", unit=" rows", disable=not state.is_local_main_process)
    try:
        for index, (chunk, errors) in enumerate(iter_chunks(opened, scan, chunk_rows)):
            if index % state.num_processes != state.process_index:
                continue
            scored = score_frame(chunk, column, models, row_errors=errors)
            scored = on_chunk(scored, index, status_column(scan.columns)) if on_chunk else scored
            safe = safe_cells and target.suffix.lower() not in XLSX_SUFFIXES  # .xlsx text cells are never formulas
            (neutralize_formulas(scored) if safe else scored).to_csv(parts / f"{index:08d}.csv", index=False)
            progress.update(len(chunk) * state.num_processes)  # an estimate: the others advance at the same pace
    except BaseException:  # Ctrl-C or a failure: no hidden folder of partial results is left beside the output
        if state.is_main_process:
            shutil.rmtree(parts, ignore_errors=True)
        raise
    finally:
        progress.close()
    state.wait_for_everyone()
    statuses = (merge_parts(parts, target, status_column(scan.columns), safe_cells, scan.columns)
                if state.is_main_process else {})  # fmt: skip
    state.wait_for_everyone()
    if state.is_main_process and not statuses:  # as `predict --file` says it
        scan.notices.append(f"{scan.name} has a header but no rows")
    return {"rows": sum(statuses.values()), "output": str(target), "processes": state.num_processes,
            "notices": scan.notices, "statuses": statuses, "is_main_process": state.is_main_process}  # fmt: skip


def parts_folder(target: Path, processes: int = 1) -> Path:
    """Where the scored chunks wait to be merged: beside the output; for an output written in place (stdout, a pipe),
    in the temporary folder, as /dev is no place for one (and a user other than root may not write there). It is
    named after the launch, so that the processes of one `accelerate launch` (children of one launcher) share it."""
    if not written_in_place(target):
        return target.parent / f".{target.name}.parts"
    launch = os.getppid() if processes > 1 else os.getpid()
    return Path(tempfile.gettempdir()) / f"cleanspeech-{launch}.parts"


class _OneProcess:
    """What `score_csv` asks of accelerate's `PartialState`, for a run no launcher started: importing accelerate
    (torch with it) would add 2 s to the start of a run that scores with the baseline alone."""

    num_processes, process_index = 1, 0
    is_main_process = is_local_main_process = True

    def wait_for_everyone(self) -> None:
        pass


def _process_state(cpu: bool):
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:  # accelerate launch (like torchrun) sets it for its processes
        return _OneProcess()
    return import_optional("accelerate", None, "scoring a CSV file").PartialState(cpu=cpu)


def merge_parts(parts: Path, target: Path, status: str, safe_cells: bool = True, text_columns=()) -> dict[str, int]:
    """Concatenate the part files in chunk order into `target` (one header; .xlsx by suffix); returns the number of
    rows per status (`scored`, `empty`, `truncated`, `error`). `target` is replaced only once written whole, and the
    parts are removed whatever happens. Where an .xlsx cannot be written, the CSV kept instead gets `safe_cells` as any
    CSV output does (the parts of an .xlsx hold the cells as they are); `text_columns` (the input's) stay text there."""
    try:
        if target.suffix.lower() in XLSX_SUFFIXES:
            merged = parts / "merged.tmp"
            statuses = _concatenate(parts, merged, status)
            _xlsx_from(merged, target, safe_cells, set(text_columns))
        elif written_in_place(target):
            statuses = _concatenate(parts, target, status)
        else:
            with replaced_atomically(target) as tmp:
                statuses = _concatenate(parts, tmp, status)
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    return statuses


def _concatenate(parts: Path, out_path: Path, status: str) -> dict[str, int]:
    files = sorted(parts.glob("*.csv"))
    statuses: dict[str, int] = {}
    with out_path.open("w", encoding="utf-8", newline="") as out:
        for i, path in enumerate(files):
            with path.open(encoding="utf-8", newline="") as part:
                header = part.readline()
                if i == 0:
                    out.write(header)
                shutil.copyfileobj(part, out)
            kinds = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=[status])[status].str.split(":").str[0]
            for kind, count in kinds.value_counts().items():
                statuses[kind] = statuses.get(kind, 0) + int(count)
    return statuses


def _xlsx_from(merged: Path, target: Path, safe_cells: bool, text_columns: set) -> None:
    """The merged rows as an .xlsx: the input's cells as text ("007" stays "007"), the scores as numbers."""
    header = pd.read_csv(merged, nrows=0).columns
    scores = tuple(f"_{label}" for label in LABELS)
    text = {c: str for c in header if c in text_columns or not c.endswith(scores)}
    frame = pd.read_csv(merged, dtype=text, keep_default_na=False, na_values=[""])
    try:
        with replaced_atomically(target) as tmp:
            tmp.write_bytes(xlsx_bytes(frame))
    except InputError as exc:  # the work is done: the scored rows are kept as CSV, and the message says where
        raise _kept_as_csv(frame, target, safe_cells, exc) from exc
    except OSError as exc:  # a full disk, say: the merged rows are kept where they can be, not lost with the parts
        kept = _free_name(target.with_name(target.name + ".csv"))
        try:
            shutil.copyfile(merged, kept)
        except OSError:
            raise exc from None
        raise InputError(f"cannot write {target.name}: {exc}; the scored rows are kept as {kept}") from exc
