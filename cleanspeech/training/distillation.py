"""Distillation toward a teacher on the real comments ("learning without forgetting", Li & Hoiem 2016).

A continuation that learns from a narrow mixture (half of it written identity statements) drifts on everything else:
the tenth pass lost 0.004-0.008 Jigsaw ROC-AUC and 0.03-0.05 toxic ROC-AUC on the other languages. With
`distill_from` (usually the model being continued), the teacher's scores on each *real* training comment become a
second, soft target: `distill_weight * weighted BCE(student logits, sigmoid(teacher logits))` over the real rows
only. The mitigation rows (counterfactual copies, written statements) carry no teacher target, so they move the model
where they say while the real comments hold it where it was. The teacher runs in the same step (no gradient), on the
real rows of each batch only: a run sees each row about once, so scoring all rows up front would cost more.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import torch

from ..classifiers.transformer import cleanspeech_settings
from ..data.counterfactual import is_mitigation_row
from ..errors import first_line
from ..labels import LABELS
from .backbone import resolve_backbone
from .config import TrainingError


def anchored_rows(rows: pd.DataFrame) -> np.ndarray:
    """True for the real comments (the rows the teacher anchors), False for identity-mitigation rows."""
    return ~is_mitigation_row(rows["id"]).to_numpy()


def check_distillation(config) -> None:
    """Settings that cannot work, refused before anything loads."""
    if config.distill_weight <= 0:
        raise TrainingError(f"--distill-weight must be above 0, got {config.distill_weight}")


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
    except (OSError, ValueError) as exc:
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


def teacher_targets(teacher, batch: dict, anchor: torch.Tensor, accelerator) -> torch.Tensor:
    """Per row of the batch, the teacher's probabilities where `anchor` is set, NaN (no target) elsewhere."""
    rows = len(batch["input_ids"])
    targets = torch.full((rows, len(LABELS)), float("nan"), device=batch["input_ids"].device)
    if anchor.any():
        with torch.no_grad(), accelerator.autocast():
            logits = teacher(**{k: v[anchor] for k, v in batch.items()}).logits
        targets[anchor] = torch.sigmoid(logits.float())
    return targets
