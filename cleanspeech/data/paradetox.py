"""ParaDetox (Logacheva et al., ACL 2022; CC0): English toxic sentences, each with one to three human rewrites.

`read_paradetox_csv` is the one reader of the file; the classifiers' corpus (`read_paradetox_pairs`, used by
`readers`) and the rewriting work (`read_paradetox`, `read_sentences_csv`) both start from it. The pairs are split by
toxic sentence, so every rewrite of a sentence sits on the same side (`paradetox_part`: a fifth of the sentences, by a
hash of the text): the development part trains the classifiers, mines the local rewriter's lexicon and trains the
fluency model; the held-out part, which no classifier saw either, is what `scripts/evaluate_rewrite.py` reports.
"""

import hashlib
from pathlib import Path

import pandas as pd

from .._io import UNREADABLE_FILE_ERRORS
from ..errors import DataFileNotFound, InputError
from ..paths import find_data_file, resolve_data_dir

PARADETOX_FILE = "paradetox.csv"
REFERENCE_COLUMNS = ("neutral1", "neutral2", "neutral3")


def paradetox_part(toxic_sentence: str) -> str:
    """'heldout' for a fixed fifth of ParaDetox toxic sentences, 'dev' for the rest.

    Decided by a hash of the sentence, so the rewriting evaluation and the classifiers agree on it without a stored
    list: held-out pairs (toxic sentence and all its paraphrases) are never trained on.
    """
    digest = hashlib.md5(toxic_sentence.encode("utf-8")).digest()
    return "heldout" if digest[0] % 5 == 0 else "dev"


def is_held_out(toxic: str) -> bool:
    """Whether a toxic sentence belongs to the held-out part (the classifiers never trained on it either)."""
    return paradetox_part(toxic) == "heldout"


def read_paradetox_csv(path: str | Path, column: str = "toxic", error=DataFileNotFound) -> pd.DataFrame:
    """A CSV of toxic sentences as text: every column a string, "NA" kept as text, undecodable bytes replaced.

    `column` must be present; `error` is the exception class for a file that cannot be read as asked.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFound(f"no such file: {path}")
    try:
        frame = pd.read_csv(path, keep_default_na=False, dtype=str, encoding_errors="replace")
    except UNREADABLE_FILE_ERRORS as exc:
        raise error(f"{path.name} is not a readable CSV file ({exc})") from exc
    if column not in frame.columns:
        raise error(f"{path.name} has no column {column!r} (its columns: {', '.join(frame.columns)})")
    return frame


def read_paradetox_pairs(directory: Path) -> pd.DataFrame:
    """ParaDetox as (toxic, neutral, part) pairs, one row per non-empty paraphrase (the classifiers' corpus)."""
    raw = read_paradetox_csv(find_data_file(Path(directory), PARADETOX_FILE), "toxic")
    if "neutral1" not in raw.columns:
        raise DataFileNotFound(f"{directory}: {PARADETOX_FILE} has no column 'neutral1'")
    columns = [c for c in REFERENCE_COLUMNS if c in raw.columns]
    pairs = raw.melt(id_vars="toxic", value_vars=columns, value_name="neutral")[["toxic", "neutral"]]
    pairs = pairs[pairs["neutral"].str.strip() != ""].reset_index(drop=True)
    pairs["part"] = pairs["toxic"].map(paradetox_part)
    return pairs


def read_paradetox(data_dir=None) -> pd.DataFrame:
    """The ParaDetox pairs as `toxic` plus `references` (a list of the non-empty rewrites) and `held_out`."""
    directory = resolve_data_dir(data_dir)
    folder = directory / "paradetox" if (directory / "paradetox").is_dir() else directory
    return sentences_frame(read_paradetox_csv(find_data_file(folder, PARADETOX_FILE), "toxic"), "toxic")


def read_sentences_csv(path: str | Path, column: str = "toxic") -> pd.DataFrame:
    """Any CSV of toxic sentences: `column` holds them; columns named neutral1..3 or reference* are references."""
    return sentences_frame(read_paradetox_csv(path, column, error=InputError), column)


def sentences_frame(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """`toxic`, `held_out` and `references` (non-empty rewrites), one row per distinct non-empty sentence."""
    ref_columns = [c for c in frame.columns if c in REFERENCE_COLUMNS or c.lower().startswith("reference")]
    out = pd.DataFrame({"toxic": frame[column].str.strip(), "held_out": frame[column].map(is_held_out)})
    out["references"] = [[r.strip() for r in row if r.strip()] for row in frame[ref_columns].itertuples(index=False)]
    return out[out["toxic"] != ""].drop_duplicates("toxic").reset_index(drop=True)


def development_pairs(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(toxic, neutral) pairs of the development part: one per human rewrite."""
    dev = frame[~frame["held_out"]]
    return [(toxic, ref) for toxic, refs in zip(dev["toxic"], dev["references"]) for ref in refs]
