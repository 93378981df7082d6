"""ParaDetox (Logacheva et al., ACL 2022; CC0): English toxic sentences, each with one to three human rewrites.

The pairs are split by toxic sentence, so every rewrite of a sentence sits on the same side, and by the split the
classifiers were trained with (`cleanspeech.data.paradetox_part`: a fifth of the sentences, by a hash of the text):
the development part mines the local rewriter's lexicon and trains the fluency model; the held-out part, which no
classifier saw either, is what `scripts/evaluate_rewrite.py` reports.
"""

from pathlib import Path

import pandas as pd

from .data import paradetox_part
from .errors import DataFileNotFound, InputError
from .paths import find_data_file, resolve_data_dir

PARADETOX_FILE = "paradetox.csv"
REFERENCE_COLUMNS = ("neutral1", "neutral2", "neutral3")


def is_held_out(toxic: str) -> bool:
    """Whether a toxic sentence belongs to the held-out part (the classifiers never trained on it either)."""
    return paradetox_part(toxic) == "heldout"


def read_paradetox(data_dir=None) -> pd.DataFrame:
    """The ParaDetox pairs as `toxic` plus `references` (a list of the non-empty rewrites) and `held_out`."""
    directory = resolve_data_dir(data_dir)
    folder = directory / "paradetox" if (directory / "paradetox").is_dir() else directory
    return read_sentences_csv(find_data_file(folder, PARADETOX_FILE), "toxic")


def read_sentences_csv(path: str | Path, column: str = "toxic") -> pd.DataFrame:
    """Any CSV of toxic sentences: `column` holds them; columns named neutral1..3 or reference* are references."""
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFound(f"no such file: {path}")
    try:
        frame = pd.read_csv(path, keep_default_na=False, dtype=str, encoding_errors="replace")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise InputError(f"{path.name} is not a readable CSV file ({err})") from err
    if column not in frame.columns:
        raise InputError(f"{path.name} has no column {column!r} (its columns: {', '.join(frame.columns)})")
    ref_columns = [c for c in frame.columns if c in REFERENCE_COLUMNS or c.lower().startswith("reference")]
    out = pd.DataFrame({"toxic": frame[column].str.strip(), "held_out": frame[column].map(is_held_out)})
    out["references"] = [[r.strip() for r in row if r.strip()] for row in frame[ref_columns].itertuples(index=False)]
    return out[out["toxic"] != ""].drop_duplicates("toxic").reset_index(drop=True)


def development_pairs(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(toxic, neutral) pairs of the development part: one per human rewrite."""
    dev = frame[~frame["held_out"]]
    return [(toxic, ref) for toxic, refs in zip(dev["toxic"], dev["references"]) for ref in refs]
