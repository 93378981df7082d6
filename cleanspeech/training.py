"""Building blocks of `scripts/train.py` that are worth testing on their own.

The loss is the seed recipe's weighted BCE, extended to unknown labels: a target that a source did not annotate (NaN)
is masked out, so it neither pushes the score up nor down.
"""

import math
import warnings

import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

from .errors import InputError
from .labels import LABELS


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


def parse_oversampling(spec: str | None) -> dict[str, int]:
    """`"threat=4,identity_hate=2"` -> {"threat": 4, "identity_hate": 2}; a clear error for anything else."""
    repeats = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        label, _, times = part.partition("=")
        label = label.strip()
        if label not in LABELS or not times.strip().isdigit() or int(times) < 1:
            raise InputError(f"--oversample wants LABEL=TIMES pairs with LABEL in {', '.join(LABELS)}, got {part!r}")
        repeats[label] = int(times)
    return repeats


def oversample_positives(rows: pd.DataFrame, repeats: dict[str, int]) -> pd.DataFrame:
    """Each row positive for a label in `repeats` appears that many times (the largest, if several), in place.

    The rarest labels (threat: 0.7% of the Jigsaw rows) otherwise reach the model a few hundred times per epoch;
    repeating their positives gives them more updates without scaling the loss of the other labels' rows down.
    """
    times = np.ones(len(rows), dtype=int)
    for label, n in repeats.items():
        positive = rows[label].fillna(0).to_numpy() >= 0.5
        times[positive] = np.maximum(times[positive], n)
    return rows.iloc[np.repeat(np.arange(len(rows)), times)]


def masked_weighted_bce(logits: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Mean over known (non-NaN) targets of `weight[label] * BCEWithLogits(logit, target)`.

    NaN targets are replaced before the loss is computed (NaN * 0 would still be NaN) and then masked out.
    """
    known = ~torch.isnan(targets)
    safe_targets = torch.where(known, targets, torch.zeros_like(targets))
    losses = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), safe_targets, reduction="none")
    losses = losses * weights.to(losses.device) * known
    return losses.sum() / known.sum().clamp(min=1)


class CommentDataset(Dataset):
    """Tokenised comments (unpadded) with float targets; NaN marks an unknown label."""

    def __init__(self, encodings: dict, targets: np.ndarray | None = None):
        self.input_ids = encodings["input_ids"]
        self.extra = {k: v for k, v in encodings.items() if k not in ("input_ids", "offset_mapping")}
        self.targets = targets

    def __len__(self) -> int:
        return len(self.input_ids)

    def __getitem__(self, i: int) -> dict:
        item = {"input_ids": self.input_ids[i], **{k: v[i] for k, v in self.extra.items()}}
        if self.targets is not None:
            item["labels"] = self.targets[i]
        return item

    @property
    def lengths(self) -> list[int]:
        return [len(ids) for ids in self.input_ids]


def make_collate(tokenizer, pad_to_multiple_of: int | None):
    """Pad a batch to its longest member (rounded up for tensor cores under mixed precision)."""

    def collate(items: list[dict]) -> dict:
        labels = [item.pop("labels") for item in items] if "labels" in items[0] else None
        batch = tokenizer.pad(items, padding=True, pad_to_multiple_of=pad_to_multiple_of, return_tensors="pt")
        if labels is not None:
            batch["labels"] = torch.tensor(np.stack(labels), dtype=torch.float32)
        return batch

    return collate


class LengthGroupedBatches(torch.utils.data.Sampler):
    """Batches of similar length, in a random order that depends only on (seed, epoch).

    Indices are shuffled, cut into mega-batches of `batch_size * mega` items, each sorted by length and cut into
    batches; the batches are shuffled again. Padding drops sharply, and because the order is a pure function of the
    epoch, a resumed run sees exactly the batches it would have seen.
    """

    def __init__(self, lengths: list[int], batch_size: int, seed: int, mega: int = 50, shuffle: bool = True):
        self.lengths = np.asarray(lengths)
        self.batch_size, self.seed, self.mega, self.shuffle = batch_size, seed, mega, shuffle
        self.epoch = 0

    def use_epoch(self, epoch: int) -> None:
        # Deliberately not `set_epoch`: Accelerate calls that with its own iteration counter, which restarts at 0
        # in a resumed process. The training loop alone decides the epoch.
        self.epoch = epoch

    def batches(self) -> list[list[int]]:
        if not self.shuffle:  # evaluation: longest first, deterministic
            order = np.argsort(-self.lengths, kind="stable")
            return [order[i : i + self.batch_size].tolist() for i in range(0, len(order), self.batch_size)]
        rng = np.random.default_rng(self.seed + self.epoch)
        order = rng.permutation(len(self.lengths))
        size = self.batch_size * self.mega
        batches = []
        for start in range(0, len(order), size):
            chunk = order[start : start + size]
            chunk = chunk[np.argsort(-self.lengths[chunk], kind="stable")]
            batches += [chunk[i : i + self.batch_size].tolist() for i in range(0, len(chunk), self.batch_size)]
        return [batches[i] for i in rng.permutation(len(batches))]

    def __iter__(self):
        return iter(self.batches())

    def __len__(self) -> int:
        return math.ceil(len(self.lengths) / self.batch_size)


def freeze_parameters(model, embeddings: bool = False, word_embeddings: bool = False, lower_layers: int = 0) -> int:
    """Freeze the embeddings (all, or only the word table) and/or the lowest encoder layers; returns #frozen params."""
    frozen = []
    base = model.base_model
    if embeddings:
        frozen += list(base.embeddings.parameters())
    elif word_embeddings:
        frozen += list(model.get_input_embeddings().parameters())
    if lower_layers:
        layers = base.encoder.layer
        if lower_layers > len(layers):
            raise ValueError(f"cannot freeze {lower_layers} layers: the model has {len(layers)}")
        for layer in layers[:lower_layers]:
            frozen += list(layer.parameters())
    for parameter in frozen:
        parameter.requires_grad_(False)
    return sum(p.numel() for p in frozen)
