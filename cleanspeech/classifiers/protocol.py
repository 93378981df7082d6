"""The `Classifier` protocol: what every model family (baseline, transformer, embedding, ensemble) offers."""

from typing import Protocol, runtime_checkable

import pandas as pd


@runtime_checkable
class Classifier(Protocol):
    """A toxicity model: its `name`, per-label `thresholds` and `predict_proba(texts) -> DataFrame`.

    `predict_proba` takes one text or a list and returns one row per text, one probability column per label in
    `cleanspeech.labels.LABELS` order; `thresholds` maps every label to the probability at which it is flagged
    (tuned on validation data and saved beside the model).
    """

    name: str
    thresholds: dict[str, float]

    def predict_proba(self, texts) -> pd.DataFrame: ...
