"""One labelled frame from every source: licence-aware folds, cross-source de-duplication, a leak-free split.

`build_dataset` gives every row a `fold`:
- `test`: the scored Jigsaw test rows (Kaggle's own split);
- `train` / `validation`: shippable sources (plus research sets when the user opts in), split once, stratified on
  `toxic` within each source, seed 42;
- `evaluation`: research-only sets and the held-out ParaDetox pairs, used only to measure models.
A text appears once: duplicates (compared case-, punctuation- and space-insensitively) are dropped across sources,
keeping test rows first, then the row with the most known labels, so no text sits on both sides of any split.
"""

import hashlib
import warnings
from pathlib import Path

import pandas as pd

from .._io import replaced_atomically
from ..errors import DataFileNotFound
from ..labels import LABELS
from ..paths import cache_root, resolve_data_dir
from ..text import dedup_key
from .readers import FRAME_COLUMNS, load_sources, read_extra_rows
from .sources import SOURCES

VALIDATION_FRACTION = 0.15  # ~15% of the shippable rows: enough positives of the rare labels to tune thresholds
SEED = 42
FOLD_ORDER = {"test": 0, "train": 1, "evaluation": 2}  # which copy of a duplicated text survives
_PACKAGE = Path(__file__).resolve().parent.parent
# The code a built dataset depends on: a change in any of it invalidates the cache.
_DATA_CODE = (
    *(f"data/{name}.py" for name in ("corpus", "readers", "paradetox", "sources")),
    *(f"{name}.py" for name in ("text", "labels", "paths")),
)


def _assign_pool_folds(frame: pd.DataFrame, include_research: bool) -> pd.Series:
    shippable = frame["source"].map(lambda s: SOURCES[s].shippable)
    trainable = shippable | include_research
    heldout_pairs = (frame["source"] == "paradetox") & (frame["orig_split"] == "heldout")
    return pd.Series("train", index=frame.index).where(trainable & ~heldout_pairs, "evaluation")


def drop_duplicate_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep one row per text: test rows first, then the row with the most known labels, then source order.

    Test rows are never dropped, not even as duplicates of each other, so the test set stays Kaggle's.
    """
    keys = frame["text"].map(dedup_key)
    ranked = frame.assign(
        _key=keys,
        _fold_rank=frame["fold"].map(FOLD_ORDER),
        _unknown=frame[list(LABELS)].isna().sum(axis=1),
    )
    ranked = ranked[ranked["_key"] != ""]  # no words at all: nothing to learn or measure
    ranked = ranked.sort_values(["_fold_rank", "_unknown"], kind="stable")
    keep = ~ranked.duplicated("_key") | (ranked["fold"] == "test")
    return ranked[keep].sort_index().drop(columns=["_key", "_fold_rank", "_unknown"])


def split_train_validation(frame: pd.DataFrame, fraction: float = VALIDATION_FRACTION, seed: int = SEED) -> pd.Series:
    """Fold labels for the `train` rows: a stratified (source x toxic) split, reproducible for a given seed."""
    # Imported here: the CLI, the app and the service import this package for its readers and identity terms, and
    # scikit-learn adds 1.5 s to each of their starts.
    from sklearn.model_selection import train_test_split

    pool = frame.index[frame["fold"] == "train"]
    strata = frame.loc[pool, "source"] + ":" + frame.loc[pool, "toxic"].fillna(-1).astype(int).astype(str)
    counts = strata.value_counts()
    strata = strata.where(strata.map(counts) >= 2, "rare")  # a stratum needs two rows to be split
    _, validation = train_test_split(pool, test_size=fraction, random_state=seed, stratify=strata)
    folds = frame["fold"].copy()
    folds.loc[validation] = "validation"
    return folds


def build_dataset(
    data_dir=None,
    jigsaw_dir=None,
    include_research: bool = False,
    validation_fraction: float = VALIDATION_FRACTION,
    seed: int = SEED,
) -> pd.DataFrame:
    """Load every source under the data directory and return one frame with `fold`, `licence`, `shippable`.

    Building takes about 15 s (cleaning 240k texts for de-duplication), so the result is cached on disk under a key
    made of the data files (names, sizes, modification times), the settings and this package's data code.
    """
    data_dir = resolve_data_dir(data_dir)
    jigsaw_dir = None if jigsaw_dir is None else Path(jigsaw_dir)  # a string from the command line too
    if jigsaw_dir is not None and not jigsaw_dir.is_dir():  # else a cached build without it would answer
        raise DataFileNotFound(f"Jigsaw directory not found: {jigsaw_dir}")
    if include_research:
        warnings.warn(
            "training on research-only / non-commercial sets: the resulting model may not be shipped commercially",
            stacklevel=2,
        )
    cached = _cache_file(data_dir, jigsaw_dir, include_research, validation_fraction, seed)
    if cached.is_file():
        try:
            return pd.read_pickle(cached)
        except Exception:  # noqa: BLE001 - a damaged or foreign cache file is simply rebuilt
            cached.unlink(missing_ok=True)
    frame = _build(data_dir, jigsaw_dir, include_research, validation_fraction, seed)
    _write_cache(cached, frame)
    return frame


def with_extra_rows(frame: pd.DataFrame, paths: str | None) -> pd.DataFrame:
    """`frame` plus the user's own rows (`--extra-data`) as training rows; they never join validation or test, so
    metrics stay comparable with a run without them."""
    if not paths:
        return frame
    extra = read_extra_rows(paths).assign(fold="train", licence=SOURCES["extra"].licence, shippable=True)
    # A comment that is also a validation or test row would leak into the metrics: it is left out of training.
    held_out = set(frame.loc[frame["fold"] != "train", "text"].map(dedup_key))
    extra = extra[~extra["text"].map(dedup_key).isin(held_out)]
    first = int(frame.index.max()) + 1 if len(frame) else 0
    extra.index = range(first, first + len(extra))  # new labels: the frame's own rows keep theirs
    return pd.concat([frame, extra[frame.columns]])


def _build(data_dir, jigsaw_dir, include_research, validation_fraction, seed) -> pd.DataFrame:
    sources, test = load_sources(data_dir, jigsaw_dir)
    test = test.assign(fold="test")
    sources = sources.assign(fold=_assign_pool_folds(sources, include_research))
    frame = drop_duplicate_texts(pd.concat([test, sources], ignore_index=True)).reset_index(drop=True)
    frame["fold"] = split_train_validation(frame, validation_fraction, seed)
    frame["licence"] = frame["source"].map(lambda s: SOURCES[s].licence)
    frame["shippable"] = frame["source"].map(lambda s: SOURCES[s].shippable)
    return frame[[*FRAME_COLUMNS, "fold", "licence", "shippable"]]


def _cache_file(data_dir: Path, jigsaw_dir, *settings) -> Path:
    digest = hashlib.sha256(repr(settings).encode())
    for name in _DATA_CODE:
        digest.update((_PACKAGE / name).read_bytes())
    for root in (Path(data_dir), Path(jigsaw_dir) if jigsaw_dir else None):
        for path in sorted(root.rglob("*")) if root and root.is_dir() else []:
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return cache_root() / "datasets" / f"{digest.hexdigest()[:20]}.pkl"


def _write_cache(path: Path, frame: pd.DataFrame) -> None:
    """Write atomically; a cache that cannot be written (read-only home, full disk) only costs the next build."""
    try:
        with replaced_atomically(path) as temporary:
            frame.to_pickle(temporary)
    except OSError:
        pass


def summarize(frame: pd.DataFrame) -> dict:
    """Rows, known labels and positives per fold and source: the training-data summary stored with a model."""
    summary = {}
    for (fold, source), rows in frame.groupby(["fold", "source"], sort=True):
        known = rows[list(LABELS)].notna().sum()
        positives = rows[list(LABELS)].sum()
        summary.setdefault(fold, {})[source] = {
            "rows": len(rows),
            "lang": SOURCES[source].lang,
            "known": {lb: int(known[lb]) for lb in LABELS},
            "positives": {lb: int(positives[lb]) for lb in LABELS},
        }
    return summary
