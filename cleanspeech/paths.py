"""Where CleanSpeech finds its models, training runs and data.

Models: `CLEANSPEECH_MODELS` or the repository's `models/`. Runs: `CLEANSPEECH_RUNS` or the repository's `runs/`.
Data: `--data-dir`, then `CLEANSPEECH_DATA`, then
`../shared/data` beside the checkout (the layout CI and the development machines have).
"""

import os
from pathlib import Path

from .errors import DataFileNotFound

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_ENV = "CLEANSPEECH_DATA"
MODELS_ENV = "CLEANSPEECH_MODELS"
RUNS_ENV = "CLEANSPEECH_RUNS"


def models_dir() -> Path:
    return Path(os.environ.get(MODELS_ENV) or REPO_ROOT / "models")


def runs_dir() -> Path:
    """Training runs (`scripts/train.py` writes runs/<name>/): `CLEANSPEECH_RUNS` or the repository's `runs/`."""
    return Path(os.environ.get(RUNS_ENV) or REPO_ROOT / "runs")


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Return the data directory to read, or raise a message that says how to provide one."""
    if data_dir is not None:
        path = Path(data_dir).expanduser()
        if not path.is_dir():
            raise DataFileNotFound(f"data directory not found: {path}")
        return path
    if os.environ.get(DATA_ENV):
        path = Path(os.environ[DATA_ENV]).expanduser()
        if not path.is_dir():
            raise DataFileNotFound(f"{DATA_ENV} points to a missing directory: {path}")
        return path
    default = REPO_ROOT.parent / "shared" / "data"
    if default.is_dir():
        return default
    raise DataFileNotFound(
        f"no data directory: pass --data-dir DIR or set {DATA_ENV} "
        "(a folder with the Kaggle Jigsaw files train.csv, test.csv, test_labels.csv, or the staged corpora)"
    )


def find_data_file(directory: Path, name: str) -> Path:
    """Find `name` in `directory` as Kaggle ships it: plain, `.zip` or `.gz`."""
    directory = Path(directory)
    candidates = [directory / name, directory / f"{name}.zip", directory / f"{name}.gz"]
    for path in candidates:
        if path.is_file():
            return path
    tried = ", ".join(p.name for p in candidates)
    raise DataFileNotFound(f"missing data file '{name}' in {directory} (looked for {tried})")


def cache_root() -> Path:
    """Where rebuildable files go (ONNX graphs, built datasets): `CLEANSPEECH_CACHE`, else ~/.cache/cleanspeech."""
    return Path(os.environ.get("CLEANSPEECH_CACHE") or Path.home() / ".cache" / "cleanspeech")
