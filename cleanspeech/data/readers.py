"""Readers for the Kaggle Jigsaw 2018 files and the staged corpora, each returning one schema.

Every reader returns `FRAME_COLUMNS`: `id`, `text`, the six labels as floats, `source`, `lang`, `orig_split`. A label
that a source does not annotate is NaN (unknown), never 0, so metrics and losses can mask it.
"""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import UNREADABLE_FILE_ERRORS
from ..errors import DataFileNotFound
from ..labels import LABELS
from ..paths import find_data_file
from .paradetox import read_paradetox_pairs
from .sources import MULTILINGUAL_FILES, SOURCES

FRAME_COLUMNS = ["id", "text", *LABELS, "source", "lang", "orig_split"]


def _read_csv(path: Path, **kwargs) -> pd.DataFrame:
    # keep_default_na=False: a comment that reads "NA" or "null" is text, not a missing value.
    try:
        return pd.read_csv(path, keep_default_na=False, dtype={"id": str, "source_id": str}, **kwargs)
    except UNREADABLE_FILE_ERRORS as exc:
        raise DataFileNotFound(f"cannot read {path}: {exc}") from exc


def _text_id(source: str, text: str) -> str:
    return f"{source}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]}"


def _frame(texts, labels: dict, source: str, ids=None, orig_split="all") -> pd.DataFrame:
    """Assemble one source's rows in the shared schema; labels absent from `labels` are NaN."""
    texts = pd.Series(texts, dtype=object).reset_index(drop=True)
    out = pd.DataFrame({"id": ids if ids is not None else [_text_id(source, t) for t in texts], "text": texts})
    for label in LABELS:
        values = labels.get(label)
        out[label] = np.nan if values is None else pd.to_numeric(pd.Series(values).values, errors="coerce")
    out["source"] = source
    out["lang"] = SOURCES[source].lang
    out["orig_split"] = orig_split if isinstance(orig_split, str) else pd.Series(orig_split).values
    return out[FRAME_COLUMNS]


def _check_columns(frame: pd.DataFrame, required: list[str], path: Path) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataFileNotFound(f"{path} lacks column(s) {', '.join(missing)}; found {', '.join(frame.columns)}")


def read_jigsaw_train(path: Path) -> pd.DataFrame:
    """Kaggle's `train.csv` (or a file with the same columns, like the staged harvest)."""
    raw = _read_csv(path)
    _check_columns(raw, ["id", "comment_text", *LABELS], path)
    return _frame(
        raw["comment_text"], {lb: raw[lb] for lb in LABELS}, "jigsaw", ids=raw["id"].values, orig_split="train"
    )


def read_jigsaw_test(directory: Path) -> pd.DataFrame:
    """Kaggle's `test.csv` joined with `test_labels.csv`, keeping only scored rows (Kaggle marks unscored with -1)."""
    test_path = find_data_file(directory, "test.csv")
    labels_path = find_data_file(directory, "test_labels.csv")
    test, labels = _read_csv(test_path), _read_csv(labels_path)
    _check_columns(test, ["id", "comment_text"], test_path)
    _check_columns(labels, ["id", *LABELS], labels_path)
    merged = test.merge(labels, on="id", how="inner", validate="one_to_one")
    scored = merged[(merged[list(LABELS)] != -1).all(axis=1)]
    return _frame(
        scored["comment_text"], {lb: scored[lb] for lb in LABELS}, "jigsaw", ids=scored["id"].values, orig_split="test"
    )


def read_paradetox_rows(directory: Path) -> pd.DataFrame:
    """ParaDetox: each toxic sentence is toxic=1, each neutral paraphrase toxic=0; `orig_split` is its part."""
    pairs = read_paradetox_pairs(directory)
    toxic = pairs.drop_duplicates("toxic")
    texts = pd.concat([toxic["toxic"], pairs["neutral"]], ignore_index=True)
    parts = np.r_[toxic["part"].values, pairs["part"].values]
    labels = {"toxic": np.r_[np.ones(len(toxic)), np.zeros(len(pairs))]}
    return _frame(texts, labels, "paradetox", orig_split=parts)


def read_detox_sentences(directory: Path) -> pd.DataFrame:
    """Dale et al. (2021) toxic and normal sentences: toxic=1 and toxic=0, other labels unknown."""
    toxic = _read_csv(directory / "test_10k_toxic.csv.gz")["toxic"]
    normal = _read_csv(directory / "test_10k_normal.csv.gz")["normal"]
    texts = pd.concat([toxic, normal], ignore_index=True)
    return _frame(texts, {"toxic": np.r_[np.ones(len(toxic)), np.zeros(len(normal))]}, "detox_emnlp2021")


def read_multilingual(directory: Path) -> pd.DataFrame:
    """The staged non-English sets, one row per text, datasets kept apart in `source`."""
    frames = []
    for name in MULTILINGUAL_FILES:
        path = directory / name
        if not path.is_file():
            continue
        raw = _read_csv(path)
        _check_columns(raw, ["text", "toxic", "dataset", "split"], path)
        for dataset, rows in raw.groupby("dataset", sort=False):
            if dataset not in SOURCES:
                raise DataFileNotFound(f"{path}: unknown dataset '{dataset}' (add it to cleanspeech/sources.py)")
            labels = {lb: rows[lb] for lb in LABELS if lb in rows.columns}
            frames.append(_frame(rows["text"], labels, dataset, orig_split=rows["split"].values))
    if not frames:
        return pd.DataFrame(columns=FRAME_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def is_kaggle_dir(directory: Path) -> bool:
    return any((directory / f"train.csv{ext}").is_file() for ext in ("", ".zip", ".gz"))


def jigsaw_files(data_dir: Path, jigsaw_dir: Path | None = None) -> tuple[Path, Path]:
    """The Jigsaw train file and the folder of the test files.

    With `jigsaw_dir` (or a `data_dir` that holds Kaggle's files) the full Kaggle download is read unchanged.
    Otherwise the staged layout: the harvested train rows and the Kaggle-format sample for the test rows.
    """
    if jigsaw_dir is None and is_kaggle_dir(data_dir):
        jigsaw_dir = data_dir
    if jigsaw_dir is not None:
        return find_data_file(jigsaw_dir, "train.csv"), jigsaw_dir
    harvest = data_dir / "jigsaw_harvest"
    sample = data_dir / "jigsaw_sample"
    if not harvest.is_dir() and not sample.is_dir():
        raise DataFileNotFound(
            f"no Jigsaw data in {data_dir}: expected Kaggle's train.csv/test.csv/test_labels.csv "
            "or the staged folders jigsaw_harvest/ and jigsaw_sample/"
        )
    train_path = harvest / "train_harvest.csv.gz" if harvest.is_dir() else find_data_file(sample, "train.csv")
    if not train_path.is_file():
        raise DataFileNotFound(f"missing data file '{train_path.name}' in {train_path.parent}")
    return train_path, sample


def load_jigsaw(data_dir: Path, jigsaw_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Jigsaw train and scored test rows (see `jigsaw_files` for which files)."""
    train_path, test_dir = jigsaw_files(data_dir, jigsaw_dir)
    return read_jigsaw_train(train_path), read_jigsaw_test(test_dir)


def load_sources(data_dir: Path, jigsaw_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All labelled rows found under `data_dir` (one frame), and the Jigsaw test rows."""
    jigsaw_train, jigsaw_test = load_jigsaw(data_dir, jigsaw_dir)
    frames = [jigsaw_train]
    optional = {
        "paradetox": read_paradetox_rows,
        "detox_emnlp2021": read_detox_sentences,
        "multilingual": read_multilingual,
    }
    for folder, reader in optional.items():
        if (data_dir / folder).is_dir():
            frames.append(reader(data_dir / folder))
    return pd.concat(frames, ignore_index=True), jigsaw_test


def _source_texts(data_dir: Path, source: str):
    """(ids, texts) chunks of one source, read from only the files it lives in, the cheapest first."""
    if source == "jigsaw":
        train_path, test_dir = jigsaw_files(data_dir)
        for path in (find_data_file(test_dir, "test.csv"), train_path):
            raw = _read_csv(path, usecols=["id", "comment_text"])
            yield raw["id"], raw["comment_text"]
    elif source in ("paradetox", "detox_emnlp2021"):
        reader = read_paradetox_rows if source == "paradetox" else read_detox_sentences
        rows = reader(data_dir / source)
        yield rows["id"], rows["text"]
    else:  # multilingual files hold several datasets each; only the wanted one's texts are hashed
        for name in MULTILINGUAL_FILES:
            path = data_dir / "multilingual" / name
            if path.is_file():
                raw = _read_csv(path, usecols=["text", "dataset"])
                texts = raw.loc[raw["dataset"] == source, "text"]
                yield [_text_id(source, t) for t in texts], texts


def texts_for_ids(data_dir: Path, wanted: dict[str, set[str]]) -> dict[str, str]:
    """The texts of the given ids ({source: ids}) as the readers above give them, or none for ids not found.

    Stored predictions keep ids, not texts (evaluation.py); this joins a few of them back without building the whole
    dataset: only the wanted sources' files are read, and a source stops once all its ids are found.
    """
    found = {}
    for source, ids in wanted.items():
        missing = set(ids)
        try:
            for chunk_ids, texts in _source_texts(Path(data_dir), source):
                for id_, text in zip(chunk_ids, texts):
                    if id_ in missing:
                        found[id_] = text
                        missing.discard(id_)
                if not missing:
                    break
        except DataFileNotFound:
            continue  # this source is not in the data directory: its ids stay without text
    return found


def read_extra_rows(paths: str | Path) -> pd.DataFrame:
    """Training rows a user adds (`--extra-data`, comma-separated CSV files): a `comment_text` (or `text`) column and
    any of the six label columns, 0 or 1; a blank cell means "not judged" and trains nothing for that label.

    `python -m cleanspeech export-decisions` writes exactly this from the moderators' decisions. Each row's language
    comes from the file's `language` column when it has one.
    """
    frames = []
    for path in [Path(p.strip()) for p in str(paths).split(",") if p.strip()]:
        raw = _read_csv(path)
        text_column = "comment_text" if "comment_text" in raw.columns else "text"
        _check_columns(raw, [text_column], path)
        labels = {}
        for label in [lb for lb in LABELS if lb in raw.columns]:
            cells = raw[label].astype(str).str.strip()
            labels[label] = pd.to_numeric(cells.replace("", np.nan), errors="coerce")
            bad = cells[(cells != "") & ~labels[label].isin([0, 1])]
            if len(bad):
                raise DataFileNotFound(f"{path}: {label} cells must be 0, 1 or blank, not {bad.iloc[0]!r}")
        if not labels:
            raise DataFileNotFound(f"{path} has no label column (any of {', '.join(LABELS)})")
        frame = _frame(raw[text_column].astype(str), labels, "extra", orig_split="train")
        if "language" in raw.columns:
            frame["lang"] = raw["language"].replace("", "und").values
        frames.append(frame[frame["text"].str.strip() != ""])
    if not frames:
        raise DataFileNotFound(f"--extra-data names no file: {paths!r}")
    return pd.concat(frames, ignore_index=True)
