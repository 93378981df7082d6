"""The training loss: the seed recipe's weighted BCE, extended to unknown labels.

A target that a source did not annotate (NaN) is masked out, so it neither pushes the score up nor down.
"""

import warnings

import numpy as np
import pandas as pd
import torch

from ..labels import LABELS


def class_weights(targets: pd.DataFrame, power: float = 1.0) -> torch.Tensor:
    """Inverse label frequency, normalised to sum to the number of labels (the seed recipe).

    `w = (1 / (freq + 1e-6)) ** power; w = w / w.sum() * len(LABELS)`, where a label's frequency is counted over the
    rows that annotate it (unknown targets are not negatives). power=1 is the seed formula; on data where one label
    is common (toxic: 38% of our rows) it gives that label ~1/60 of the rarest one's weight and it learns slowly, so
    power=0.5 (inverse square root) keeps the ranking of weights with a 5-10x spread instead.
    """
    freq = targets[list(LABELS)].mean(axis=0, skipna=True).fillna(0.0).to_numpy(dtype=np.float64)
    absent = [label for label, f in zip(LABELS, freq) if f == 0]
    if absent:
        warnings.warn(
            f"no positive training rows for {', '.join(absent)}: the formula gives them ~all the weight; "
            "train on more data (or fewer --max-train-samples)",
            stacklevel=2,
        )
    weights = (1.0 / (freq + 1e-6)) ** power
    weights = weights / weights.sum() * len(LABELS)
    return torch.tensor(weights, dtype=torch.float32)


def masked_weighted_bce(logits: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Mean over known (non-NaN) targets of `weight[label] * BCEWithLogits(logit, target)`.

    NaN targets are replaced before the loss is computed (NaN * 0 would still be NaN) and then masked out.
    """
    known = ~torch.isnan(targets)
    safe_targets = torch.where(known, targets, torch.zeros_like(targets))
    losses = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), safe_targets, reduction="none")
    losses = losses * weights.to(losses.device) * known
    return losses.sum() / known.sum().clamp(min=1)
