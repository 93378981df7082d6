"""The ensemble: a weighted mean of other models' probabilities, with thresholds tuned for the mean.

`ensemble.json` names each member by its directory, relative to the ensemble's own directory where it can be, so an
ensemble written anywhere (a run folder, a test's temporary directory) loads its own members, and a `models/`
folder moved as a whole still loads. Files written before members had paths (`{"weights": {name: w}}`) still load:
each name is read as a sibling directory.
"""

import json
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..errors import ModelNotFound
from ..labels import LABELS
from .files import ENSEMBLE_FILE
from .protocol import Classifier


class EnsembleModel:
    """The weighted mean of other models' probabilities, with thresholds tuned for the mean."""

    name = "ensemble"

    def __init__(self, members: dict, weights: dict[str, float], thresholds: dict[str, float]):
        self.members, self.weights, self.thresholds = members, weights, thresholds

    @classmethod
    def load(cls, directory, load_member: Callable[[Path], Classifier], loaded: dict | None = None) -> "EnsembleModel":
        """Load from `directory`, each member with `load_member(path)` (the registry's `load_model`); members
        already in `loaded` (name -> model) are reused, not loaded again."""
        directory = Path(directory)
        spec = json.loads((directory / ENSEMBLE_FILE).read_text())
        loaded = loaded or {}
        members = {}
        for name, path in member_paths(directory, spec).items():
            if name in loaded:
                members[name] = loaded[name]
            elif path.is_dir():
                members[name] = load_member(path)
            else:
                raise ModelNotFound(f"{directory / ENSEMBLE_FILE}: member '{name}' not found at {path}")
        weights = {name: float(w) for name, w in _weights(spec).items()}
        return cls(members, weights, {label: float(spec["thresholds"][label]) for label in LABELS})

    def predict_proba(self, texts) -> pd.DataFrame:
        texts = [texts] if isinstance(texts, str) else list(texts)
        total = sum(self.weights.values())
        parts = [self.members[name].predict_proba(texts) * (w / total) for name, w in self.weights.items()]
        return sum(parts[1:], parts[0])


def _weights(spec: dict) -> dict[str, float]:
    if "members" in spec:
        return {member["name"]: member["weight"] for member in spec["members"]}
    return spec["weights"]


def member_paths(directory: Path, spec: dict) -> dict[str, Path]:
    """Each member's directory: as stored (relative to the ensemble's directory), or a sibling named like it."""
    if "members" in spec:
        return {member["name"]: (directory / member["path"]).resolve() for member in spec["members"]}
    return {name: directory.parent / name for name in spec["weights"]}


def save_ensemble(directory, members: dict[str, Path], weights: dict[str, float], thresholds: dict) -> Path:
    """Write `ensemble.json`: members as {name: directory}, their weights, the thresholds tuned for the mean."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    spec = {
        "members": [
            {"name": name, "path": _relative(Path(path), directory), "weight": float(weights[name])}
            for name, path in members.items()
        ],
        "thresholds": {label: float(thresholds[label]) for label in LABELS},
    }
    path = directory / ENSEMBLE_FILE
    path.write_text(json.dumps(spec, separators=(",", ":")) + "\n")
    return path


def _relative(path: Path, start: Path) -> str:
    """`path` relative to `start` where both sit on one drive (always, on POSIX), else absolute."""
    try:
        return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()
    except ValueError:
        return str(path.resolve())
