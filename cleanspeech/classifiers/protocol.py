"""The `Classifier` protocol: what every model family (baseline, transformer, embedding, ensemble) offers."""

from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from ..errors import InputError


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


def text_list(texts) -> list:
    """`texts` as the list of comments a model scores: one text alone becomes a list of one.

    What would be scored as something other than the comments meant is refused with an `InputError`: bytes (each
    byte would be a comment), a DataFrame (its column names would be), a mapping (its keys), `None` or a number.
    Items that are not strings (NaN from an empty CSV cell, None, a number) become empty comments here, for every
    family and for what reads the texts before a model does (the ensemble's language detector); bytes items are
    refused (each would be scored as an empty comment, silently).
    """
    if isinstance(texts, str):
        return [texts]
    if isinstance(texts, bytes | bytearray | memoryview):
        raise InputError("texts are bytes: decode them first, e.g. data.decode('utf-8')")
    if isinstance(texts, pd.DataFrame):
        raise InputError("texts are a DataFrame: pass the column that holds the comments, e.g. frame['comment_text']")
    if isinstance(texts, Mapping) or not isinstance(texts, Iterable):
        kind = type(texts).__name__
        raise InputError(f"texts must be a comment (str) or a list of comments, not {kind}")
    texts = list(texts)
    undecoded = next((i for i, text in enumerate(texts) if isinstance(text, bytes | bytearray)), None)
    if undecoded is not None:
        raise InputError(f"texts[{undecoded}] is bytes: decode the comments first, e.g. with .decode('utf-8')")
    nested = next((i for i, text in enumerate(texts) if _holds_items(text)), None)
    if nested is not None:  # a 2-D array's rows, records, tuples: each was scored as an empty comment, silently
        kind = type(texts[nested]).__name__
        raise InputError(f"texts[{nested}] is a {kind}, not a comment: pass one text per item, e.g. frame['text']")
    return [text if isinstance(text, str) else "" for text in texts]


def _holds_items(item) -> bool:
    """A container rather than one value (text, number, None, NaN): a list, tuple, dict, set, array or Series."""
    return isinstance(item, list | tuple | dict | set | frozenset | pd.Series | pd.DataFrame) or (
        isinstance(item, np.ndarray) and item.ndim > 0
    )


def indexed_like(texts, scores: pd.DataFrame) -> pd.DataFrame:
    """`scores` indexed as `texts` where they came as a pandas Series: a filtered frame's column (index 1, 2, 3)
    gets its scores on its own rows when assigned back, not shifted onto the rows 0, 1, 2."""
    if isinstance(texts, pd.Series) and len(texts) == len(scores):
        scores.index = texts.index
    return scores
