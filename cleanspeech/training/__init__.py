"""Training: what `scripts/train.py` needs to fine-tune a transformer for the six labels, as testable parts.

Owns the run configuration (`config`: defaults < `--config FILE` < flags), the masked weighted loss (`losses`), rows
to batches (`batching`: which rows train, rare positives repeated, length-grouped batches), the network and what
stays frozen (`backbone`), the accelerator and optimiser (`optimization`), the identity mitigation (`pairing`),
run state, checkpoints and saved artifacts (`checkpoints`), a teacher's scores as soft targets (`distillation`), and a
model between two fine-tunings of one network (`interpolation`, for `scripts/interpolate_weights.py`). The loop
itself stays in `scripts/train.py`, shaped like Accelerate's `nlp_example`. May import `evaluation`, `serving`,
`classifiers`, `data` and the core modules.
"""

from .backbone import PACKAGED_E5, freeze_parameters, load_backbone
from .batching import (
    CommentDataset,
    LengthGroupedBatches,
    encode,
    load_training_frame,
    make_collate,
    oversample_positives,
    parse_oversampling,
)
from .checkpoints import RunState, Window, evaluation_record, predict_test_file, save_best_model
from .config import TrainConfig, TrainingError, build_parser, load_config
from .losses import class_weights, masked_weighted_bce

__all__ = [
    "PACKAGED_E5",
    "CommentDataset",
    "LengthGroupedBatches",
    "RunState",
    "TrainConfig",
    "TrainingError",
    "Window",
    "build_parser",
    "class_weights",
    "encode",
    "evaluation_record",
    "freeze_parameters",
    "load_backbone",
    "load_config",
    "load_training_frame",
    "make_collate",
    "masked_weighted_bce",
    "oversample_positives",
    "parse_oversampling",
    "predict_test_file",
    "save_best_model",
]
