"""The names of the files that make up each model family's directory, defined once.

Loading, packing (`compact`), exporting (`hf_export`), the ONNX cache key (`onnx_backend`) and the registry's
"which family is this directory" test all read these names from here. No heavy imports: the registry uses it to list
models without loading torch or scikit-learn.
"""

from pathlib import Path

# Baseline: the fitted scikit-learn pipeline and its settings, labels and thresholds.
BASELINE_PIPELINE_FILE = "baseline_pipeline.joblib"
BASELINE_META_FILE = "baseline_meta.json"

# Transformer: a Hugging Face config plus weights; the compact format stores only what training changed.
CONFIG_FILE = "config.json"
COMPACT_WEIGHTS_FILE = "trained_weights.safetensors"
WEIGHT_PATTERNS = ("*.safetensors", "*.bin")  # HF weights, sharded or not; the compact file matches the first
THRESHOLDS_FILE = "thresholds.json"
BACKEND_FILE = "backend.json"  # which runtime (torch, onnx, onnx-int8) evaluation chose for this model
# What a training run writes beside the network. Packing and export carry them over; none changes the network.
TRAINING_RECORD_FILES = (THRESHOLDS_FILE, "metrics.json", "history.json", "training_config.json")

# Ensemble: members, weights and thresholds.
ENSEMBLE_FILE = "ensemble.json"


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


def is_ensemble_dir(path: str | Path) -> bool:
    return (Path(path) / ENSEMBLE_FILE).is_file()
