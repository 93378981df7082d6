"""The `Classifier` protocol: what every model family (baseline, transformer, embedding, ensemble) offers."""

from typing import Protocol, runtime_checkable

import pandas as pd


@runtime_checkable
class Classifier(Protocol):
    """A toxicity model: its `name`, per-label `thresholds` and `predict_proba(texts) -> DataFrame`.

    `predict_proba` takes one text or a list (a pandas Series keeps its index) and returns one row per text, one
    probability column per label in `cleanspeech.labels.LABELS` order; `thresholds` maps every label to the
    probability at which it is flagged (tuned on validation data and saved beside the model).
    """

    name: str
    thresholds: dict[str, float]

    def predict_proba(self, texts) -> pd.DataFrame: ...


def indexed_like(texts, scores: pd.DataFrame) -> pd.DataFrame:
    """`scores` indexed as `texts` where they came as a pandas Series: a filtered frame's column (index 1, 2, 3)
    gets its scores on its own rows when assigned back, not shifted onto the rows 0, 1, 2."""
    if isinstance(texts, pd.Series) and len(texts) == len(scores):
        scores.index = texts.index
    return scores
