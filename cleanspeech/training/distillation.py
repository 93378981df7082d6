"""Distillation toward a teacher on the real comments ("learning without forgetting", Li & Hoiem 2016).

A continuation that learns from a narrow mixture (half of it written identity statements) drifts on everything else:
the tenth pass lost 0.004-0.008 Jigsaw ROC-AUC and 0.03-0.05 toxic ROC-AUC on the other languages. With
`distill_from` (usually the model being continued), the teacher's scores on each *real* training comment become a
second, soft target: `distill_weight * weighted BCE(student logits, sigmoid(teacher logits))` over the real rows
only. The mitigation rows (counterfactual copies, written statements) carry no teacher target, so they move the model
where they say while the real comments hold it where it was. The teacher runs in the same step (no gradient), on the
real rows of each batch only: a run sees each row about once, so scoring all rows up front would cost more.

Six scores per comment pin down little of the encoder, and the twelfth pass still drifted with them. With
`distill_features` the student also keeps the teacher's representation of each real comment: the last layer's
first-token state, which every sequence-classification head reads, matched by squared error relative to the
teacher's own norm (so the weight means the same for any model width).
"""

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch

from ..classifiers.files import unreadable_model_errors
from ..classifiers.transformer import cleanspeech_settings
from ..data.counterfactual import is_mitigation_row
from ..errors import first_line
from ..labels import LABELS
from .backbone import resolve_backbone
from .config import TrainingError
from .losses import masked_weighted_bce


def anchored_rows(rows: pd.DataFrame) -> np.ndarray:
    """True for the real comments (the rows the teacher anchors), False for identity-mitigation rows."""
    return ~is_mitigation_row(rows["id"]).to_numpy()


def check_distillation(config) -> None:
    """Settings that cannot work, refused before anything loads."""
    if config.distill_weight <= 0:
        raise TrainingError(f"--distill-weight must be above 0, got {config.distill_weight}")
    if config.distill_features < 0:
        raise TrainingError(f"--distill-features must be 0 (off) or above, got {config.distill_features}")
    if config.distill_features and not config.distill_from:
        raise TrainingError("--distill-features needs a teacher: name one with --distill-from")


def load_teacher(config, student, tokenizer, device) -> torch.nn.Module:
    """The frozen six-label teacher named by `config.distill_from`, which must read text as the student does."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    spec = replace(config, model=config.distill_from, text_prefix="")
    try:
        # The model continued is the usual teacher: load it from where the student was loaded (a shipped compact
        # model is expanded once, not again by every process).
        source = student.name_or_path if config.distill_from == config.model else resolve_backbone(spec)
        teacher = AutoModelForSequenceClassification.from_pretrained(source)
        same_vocabulary = AutoTokenizer.from_pretrained(source).get_vocab() == tokenizer.get_vocab()
    except unreadable_model_errors() as exc:
        raise TrainingError(f"cannot load the teacher '{config.distill_from}' ({first_line(exc)})") from exc
    labels = [teacher.config.id2label[i] for i in range(teacher.config.num_labels)]
    if labels != list(LABELS):
        raise TrainingError(f"the teacher '{config.distill_from}' is not a six-label CleanSpeech classifier")
    settings = cleanspeech_settings(teacher.config)
    prefix = spec.text_prefix or settings["text_prefix"]
    if not same_vocabulary or prefix != config.text_prefix or not settings["unicode_normalization"]:
        raise TrainingError(f"the teacher '{config.distill_from}' does not read text as the model trained does "
                            "(another tokenizer, text prefix or text cleaning): distil from a model of the same "
                            "family")  # fmt: skip
    teacher.requires_grad_(False)
    return teacher.to(device).eval()


@dataclass
class TeacherOutput:
    probs: torch.Tensor  # (rows, labels): the teacher's probabilities on anchored rows, NaN (no target) elsewhere
    features: torch.Tensor | None  # (anchored rows, hidden): its representation of them, when asked for


def first_token_state(outputs) -> torch.Tensor:
    """The last layer's first-token state: what BERT's pooler, RoBERTa's and DeBERTa's heads all read."""
    return outputs.hidden_states[-1][:, 0].float()


def teacher_targets(teacher, batch: dict, anchor: torch.Tensor, accelerator, features: bool = False) -> TeacherOutput:
    """The teacher's probabilities per row of the batch where `anchor` is set (NaN elsewhere) and, with `features`,
    its representation of the anchored rows."""
    rows = len(batch["input_ids"])
    probs = torch.full((rows, len(LABELS)), float("nan"), device=batch["input_ids"].device)
    states = None
    if anchor.any():
        with torch.no_grad(), accelerator.autocast():
            outputs = teacher(**{k: v[anchor] for k, v in batch.items()}, output_hidden_states=features)
        probs[anchor] = torch.sigmoid(outputs.logits.float())
        states = first_token_state(outputs) if features else None
    return TeacherOutput(probs, states)


def relative_feature_error(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """Mean over rows of |student - teacher|^2 / |teacher|^2: 0 when the student keeps the teacher's representation,
    1 when it has moved as far as the representation is long, whatever the model's width or scale."""
    if not len(teacher):
        return student.sum() * 0.0  # no real row in the batch: no term, but still part of the graph
    error = (student - teacher).pow(2).sum(-1) / teacher.pow(2).sum(-1).clamp(min=1e-6)
    return error.mean()


def distillation_loss(run, outputs, batch: dict, anchor: torch.Tensor) -> torch.Tensor:
    """The teacher's terms of a batch's loss: its soft targets, and its representation with `distill_features`."""
    config = run.config
    teacher = teacher_targets(run.teacher, batch, anchor, run.accelerator, features=bool(config.distill_features))
    loss = config.distill_weight * masked_weighted_bce(outputs.logits, teacher.probs, run.weights)
    if config.distill_features and teacher.features is not None:
        student = first_token_state(outputs)[anchor]
        loss = loss + config.distill_features * relative_feature_error(student, teacher.features)
    return loss
