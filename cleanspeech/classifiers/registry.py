"""Find, load and run CleanSpeech models by name or directory.

Every model is a `Classifier` (`name`, `thresholds`, `predict_proba(texts) -> DataFrame` with one column per label),
so callers never care which family they hold. Shipped models are found in `paths.models_dir()`
(`CLEANSPEECH_MODELS`, else the checkout's `models/`). Families are imported only when a model of theirs is loaded:
listing models needs neither torch nor scikit-learn.
"""

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, ModelNotFound
from ..labels import IMPLIES_TOXIC, LABEL2ID, LABELS
from ..paths import MODELS_ENV, models_dir
from .files import damaged_model_as_not_found, is_baseline_dir, is_embedding_dir, is_ensemble_dir, is_transformer_dir

# Model names the CLI and app know, in display order, with the command that creates each.
MODEL_COMMANDS = {
    "baseline": "python scripts/train_baseline.py",
    "transformer": "python scripts/train.py --config scripts/e5_small_cpu.yaml && "
    "python -m cleanspeech pack-model runs/e5-small/best",
    "embedding": "python scripts/train_embedding.py",
    "ensemble": "python scripts/fit_ensemble.py",
}


def model_path(name: str, root: Path | None = None) -> Path:
    return Path(root or models_dir()) / name


def _holds_a_model(path: Path) -> bool:
    return any(test(path) for test in (is_baseline_dir, is_transformer_dir, is_embedding_dir, is_ensemble_dir))


def available_models(root: Path | None = None) -> list[str]:
    """Names of the shipped models whose artifacts are present."""
    found = []
    for name in MODEL_COMMANDS:
        path = model_path(name, root)
        if _holds_a_model(path):
            found.append(name)
    return found


def resolve_model_dir(name_or_path: str | Path, root: Path | None = None) -> Path:
    """The directory of a shipped model name (`baseline`), or the path itself."""
    return model_path(str(name_or_path), root) if str(name_or_path) in MODEL_COMMANDS else Path(name_or_path)


def find_model(name_or_path: str | Path, root: Path | None = None) -> Path:
    """The directory of a model by name (`baseline`) or path, checked to hold a CleanSpeech model without loading it:
    the `ModelNotFound` that `load_model` would raise where it does not."""
    path = resolve_model_dir(name_or_path, root)
    if str(name_or_path) in MODEL_COMMANDS and not path.is_dir():
        raise ModelNotFound(
            f"model '{name_or_path}' not found in {path.parent} (set {MODELS_ENV} to the folder that holds the "
            f"shipped models); create it with: {MODEL_COMMANDS[str(name_or_path)]}"
        )
    with damaged_model_as_not_found(path):  # a folder it may not read is one line, not a PermissionError
        holds = _holds_a_model(path)
    if not holds and str(name_or_path) in MODEL_COMMANDS:  # the folder is there, but what makes it a model is not
        raise ModelNotFound(
            f"model '{name_or_path}' in {path} is incomplete (its files were not all copied, or a run did not "
            f"finish); create it again with: {MODEL_COMMANDS[str(name_or_path)]}"
        )
    if not holds:
        known = ", ".join(MODEL_COMMANDS)
        raise ModelNotFound(
            f"'{name_or_path}' is neither a known model name ({known}) nor a CleanSpeech model directory"
        )
    return path


def load_model(name_or_path: str | Path, root: Path | None = None):
    """Load a model by name (`baseline`) or from a directory."""
    path = find_model(name_or_path, root)
    with damaged_model_as_not_found(path):
        if is_baseline_dir(path):
            from .baseline import BaselineModel  # scikit-learn is imported only when a baseline is used

            return BaselineModel.load(path)
        if is_transformer_dir(path):
            from .transformer import TransformerModel  # torch is imported only when a transformer is used

            return TransformerModel.load(path)
        if is_embedding_dir(path):
            from .embedding import EmbeddingModel  # the packaged encoder is built on first use

            return EmbeddingModel.load(path)
        from .ensemble import EnsembleModel  # the one family left: find_model checked the directory holds a model

        return EnsembleModel.load(path, load_model)


def load_models(names: list[str] | None = None, root: Path | None = None) -> dict:
    """Load several models (default: every available one), sharing members between the ensemble and the others."""
    names = [str(n) for n in (names or available_models(root))]
    if not names:
        commands = "; ".join(MODEL_COMMANDS.values())
        raise ModelNotFound(
            f"no trained models found in {Path(root or models_dir())} (set {MODELS_ENV} to the folder that holds "
            f"the shipped models); create one with: {commands}"
        )
    loaded, by_folder = {}, {}
    for name in sorted(names, key=lambda n: n == "ensemble"):  # the ensemble last, to reuse its members
        path = resolve_model_dir(name, root)
        folder = path.resolve()
        if folder in by_folder:  # one folder under two names ("./mybase", "mybase"): loaded once
            loaded[name] = by_folder[folder]
            continue
        if not is_ensemble_dir(path):
            loaded[name] = by_folder[folder] = load_model(name, root)
            continue
        from .ensemble import EnsembleModel

        with damaged_model_as_not_found(path):
            loaded[name] = by_folder[folder] = EnsembleModel.load(path, load_model, loaded)
    return {name: loaded[name] for name in names}


@lru_cache(maxsize=8)
def _cached_model(name_or_path: str):
    return load_model(name_or_path)


def predict(texts, model: str = "baseline") -> pd.DataFrame:
    """Score comments with a shipped model: one row per text, one probability column per label.

    >>> predict(["You are a disgusting idiot.", "Thanks for the fix!"])  # doctest: +SKIP
    """
    return _cached_model(str(model)).predict_proba(texts)


def flag_matrix(scores: pd.DataFrame | np.ndarray, thresholds: dict[str, float]) -> np.ndarray:
    """Per row of a scores frame (or an array with its columns in `LABELS` order) and per label, whether the label is
    flagged: its score reaches the model's tuned threshold, and `toxic` also wherever a label of `IMPLIES_TOXIC` is."""
    values = scores[list(LABELS)].to_numpy(dtype=float) if isinstance(scores, pd.DataFrame) else scores
    values = np.atleast_2d(np.asarray(values, dtype=float))  # one comment's row as a one-row matrix
    hits = values >= np.array([thresholds[label] for label in LABELS])
    hits[:, LABEL2ID["toxic"]] |= hits[:, [LABEL2ID[label] for label in IMPLIES_TOXIC]].any(axis=1)
    return hits


def flagged_labels(scores: pd.Series | dict, thresholds: dict[str, float]) -> list[str]:
    """Labels `flag_matrix` flags for one comment's scores (a row of `predict_proba`'s frame, or a dict), in label
    order."""
    if isinstance(scores, pd.DataFrame):
        raise InputError("flagged_labels takes one comment's scores (frame.iloc[0]); for a frame, use flag_matrix")
    if missing := [label for label in LABELS if label not in scores]:
        raise InputError(f"the scores have no {', '.join(missing)}: give all of {', '.join(LABELS)}")
    row = np.array([[float(scores[label]) for label in LABELS]])
    return [label for label, hit in zip(LABELS, flag_matrix(row, thresholds)[0]) if hit]


def flagged_column(scores: pd.DataFrame, thresholds: dict[str, float]) -> list[str]:
    """`flagged_labels` for every row of a scores frame at once, comma-joined (for CSV output)."""
    return [",".join(label for label, hit in zip(LABELS, row) if hit) for row in flag_matrix(scores, thresholds)]
