"""The one batched scorer: any `Classifier` over any number of texts, batch by batch, in input order.

The CLI's `predict --output`, chunked CSV scoring, the app's Batch page and the evaluation reports all score through
`score_texts`, so a comment gets the same score whichever way it was sent.
"""

from collections.abc import Callable, Sequence

import pandas as pd

from ..classifiers import flagged_column
from ..labels import LABELS

BATCH_SIZE = 512  # texts handed to a model at once: bounds memory, and progress moves at least this often


def score_texts(
    model, texts: Sequence[str], batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None
) -> pd.DataFrame:
    """`model.predict_proba` over `texts` in batches: one row per text (index 0..n-1), one column per label.

    `progress(n)` is called after each batch with the number of texts it scored.
    """
    texts = list(texts)
    parts = []
    for start in range(0, len(texts), batch_size):
        parts.append(model.predict_proba(texts[start : start + batch_size]))
        if progress:
            progress(len(parts[-1]))
    if not parts:
        return pd.DataFrame(columns=list(LABELS), dtype=float)
    return pd.concat(parts, ignore_index=True)


def score_frame(
    frame: pd.DataFrame,
    column: str,
    models: dict,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """A copy of `frame` with every model's `<model>_<label>` scores (5 decimals) and `<model>_flagged` labels.

    `progress(fraction)` reports the share of (model, text) pairs scored so far.
    """
    texts = frame[column].fillna("").astype(str).tolist()
    total_steps = max(1, len(models) * len(texts))
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done / total_steps)

    out = frame.copy()
    for name, model in models.items():
        scores = score_texts(model, texts, batch_size, advance)
        for label in LABELS:
            out[f"{name}_{label}"] = scores[label].round(5).to_numpy()
        out[f"{name}_flagged"] = flagged_column(scores, model.thresholds)
    return out
