"""From the labelled frame to batches: which rows train, rare positives repeated, tokenised, length-grouped."""

import math

import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

from ..data import build_dataset
from ..data.corpus import with_extra_rows
from ..errors import InputError
from ..labels import LABELS
from ..text import clean_text
from .config import TrainingError


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


class CommentDataset(Dataset):
    """Tokenised comments (unpadded) with float targets; NaN marks an unknown label. `twins`: per comment, the
    encoding of its identity-swapped twin or None (counterfactual logit pairing, `training.pairing`). `anchors`: per
    comment, whether a teacher's scores are a target for it too (distillation, `training.distillation`)."""

    def __init__(self, encodings: dict, targets: np.ndarray | None = None, twins: list | None = None, anchors=None):
        self.input_ids = encodings["input_ids"]
        self.extra = {k: v for k, v in encodings.items() if k not in ("input_ids", "offset_mapping")}
        self.targets = targets
        self.twins = twins
        self.anchors = anchors

    def __len__(self) -> int:
        return len(self.input_ids)

    def __getitem__(self, i: int) -> dict:
        item = {"input_ids": self.input_ids[i], **{k: v[i] for k, v in self.extra.items()}}
        if self.targets is not None:
            item["labels"] = self.targets[i]
        if self.twins is not None and self.twins[i] is not None:
            item["twin"] = self.twins[i]
        if self.anchors is not None:
            item["anchor"] = bool(self.anchors[i])
        return item

    @property
    def lengths(self) -> list[int]:
        return [len(ids) for ids in self.input_ids]


def make_collate(tokenizer, pad_to_multiple_of: int | None):
    """Pad a batch to its longest member (rounded up for tensor cores under mixed precision)."""

    def collate(items: list[dict]) -> dict:
        labels = [item.pop("labels") for item in items] if "labels" in items[0] else None
        anchors = [item.pop("anchor") for item in items] if "anchor" in items[0] else None
        # Twins join the batch as extra rows after the comments (one forward pass); `pairs` says who pairs with whom.
        twins = [(i, item.pop("twin")) for i, item in enumerate(items) if "twin" in item]
        pairs = [(i, len(items) + k) for k, (i, _) in enumerate(twins)]
        batch = tokenizer.pad(items + [twin for _, twin in twins], padding=True, pad_to_multiple_of=pad_to_multiple_of,
                              return_tensors="pt")  # fmt: skip
        if labels is not None:
            unknown = np.full((len(twins), len(LABELS)), np.nan, dtype=np.float32)  # twins train only through pairing
            batch["labels"] = torch.tensor(np.concatenate([np.stack(labels), unknown]), dtype=torch.float32)
        if twins:
            batch["pairs"] = torch.tensor(pairs, dtype=torch.long)
        if anchors is not None:  # twins, after the comments, are never anchored
            batch["anchor"] = torch.tensor(anchors + [False] * len(twins), dtype=torch.bool)
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


def load_training_frame(config) -> pd.DataFrame:
    frame = build_dataset(config.data_dir, config.jigsaw_dir, config.include_research_data, seed=config.seed)
    frame = with_extra_rows(frame, config.extra_data)
    frame = frame[(frame["fold"] != "train") | frame["source"].isin(training_sources(config, frame))]
    parts = []
    for fold, limit in (("train", config.max_train_samples), ("validation", config.max_eval_samples)):
        rows = frame[frame["fold"] == fold]
        if limit and len(rows) > limit:
            rows = rows.sample(limit, random_state=config.seed)
        parts.append(rows)
    frame = pd.concat(parts)
    if not (frame["fold"] == "validation").any() or not (frame["fold"] == "train").any():
        raise TrainingError("the data has no training or no validation rows")
    return frame


def training_sources(config, frame: pd.DataFrame) -> set[str]:
    """The sources whose training rows are used: `train_sources`, else every source with training rows."""
    available = set(frame.loc[frame["fold"] == "train", "source"])
    if not config.train_sources:
        return available
    # --extra-data rows always train: naming them again in --train-sources is not needed
    wanted = {name.strip() for name in config.train_sources.split(",") if name.strip()} | (available & {"extra"})
    unknown = sorted(wanted - available)
    if unknown:
        raise TrainingError(f"no training rows from {', '.join(unknown)}; sources: {', '.join(sorted(available))}")
    return wanted


def encode(tokenizer, rows: pd.DataFrame, config) -> tuple[dict, np.ndarray]:
    texts = [config.text_prefix + clean_text(t) for t in rows["text"]]
    encodings = tokenizer(texts, truncation=True, max_length=config.max_length)
    return dict(encodings), rows[list(LABELS)].to_numpy(dtype=np.float32)


def encode_twins(tokenizer, twins: list[str | None], config) -> list[dict | None]:
    """The tokenised twins (input_ids and the tokenizer's other fields per text), None where a row has none."""
    present = [i for i, text in enumerate(twins) if text is not None]
    encoded = tokenizer([config.text_prefix + clean_text(twins[i]) for i in present], truncation=True,
                        max_length=config.max_length) if present else {}  # fmt: skip
    out: list[dict | None] = [None] * len(twins)
    for k, i in enumerate(present):
        out[i] = {key: values[k] for key, values in encoded.items() if key != "offset_mapping"}
    return out
