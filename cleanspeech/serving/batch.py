"""The one batched scorer: any `Classifier` over any number of texts, batch by batch, in input order.

The CLI's `predict --output`, chunked CSV scoring, the app's Batch page and the evaluation reports all score through
`score_texts`, so a comment gets the same score whichever way it was sent.
"""

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from ..classifiers import flagged_column, remember_scores
from ..labels import LABELS
from ..text import MAX_TEXT_CHARS, is_blank

SCORED_STATUSES = ("scored", "truncated")  # the row statuses that carry scores (`row_statuses`)
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


def score_models(
    models: dict, texts: Sequence[str], batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None
) -> dict[str, pd.DataFrame]:
    """Every model's `score_texts` of `texts` (name -> scores), each model run once on them: through
    `remember_scores`, an ensemble whose members are among `models` (the same loaded objects, as `load_models` gives
    them) reads the scores they gave its batches rather than running them again, which halves the work of scoring
    with every shipped model."""
    remembered = remember_scores(models)
    return {name: score_texts(model, texts, batch_size, progress) for name, model in remembered.items()}


def score_columns(models) -> list[str]:
    """The columns `score_frame` adds for `models`: `<model>_<label>` for each label, then `<model>_flagged`."""
    return [f"{name}_{suffix}" for name in models for suffix in (*LABELS, "flagged")]


def renamed_inputs(columns, added) -> dict[str, str]:
    """Input columns named like a column we add (`added`), each with the name it keeps its values under instead
    (`<name>_input`, or `_input2`, ...): a score or verdict never overwrites what the user gave."""
    taken, renames = set(columns) | set(added), {}
    for column in columns:
        if column in added:
            new, k = f"{column}_input", 1
            while new in taken:
                k += 1
                new = f"{column}_input{k}"
            taken.add(new)
            renames[column] = new
    return renames


def _added_columns(columns, models) -> list[str]:
    """Every column `score_frame` adds to an input with `columns`: the status column, then `score_columns`."""
    return [status_column(columns), *score_columns(models)]


def kept_inputs_notice(renames: dict[str, str], added_by: str = "the ones added") -> str | None:
    """One line naming the input columns kept under another name (`renamed_inputs`), or None."""
    if not renames:
        return None
    moved = ", ".join(f"'{old}' as '{new}'" for old, new in renames.items())
    return f"the input has columns named like {added_by}; kept {moved}"


def renamed_inputs_notice(columns, models) -> str | None:
    """`kept_inputs_notice` for the columns `score_frame` adds."""
    return kept_inputs_notice(renamed_inputs(columns, _added_columns(columns, models)))


def status_column(columns) -> str:
    """The status column's name: `status`, or `cleanspeech_status` when the input already has a `status`."""
    return "cleanspeech_status" if "status" in columns else "status"


def row_statuses(texts: Sequence[str], row_errors: dict[int, str] | None = None) -> list[str]:
    """Per row: `scored`, `empty` (nothing to score), `truncated` (scored on its first MAX_TEXT_CHARS characters) or
    `error: ...` (a malformed row kept whole by a lenient read; not scored)."""
    row_errors = row_errors or {}
    return [
        f"error: {row_errors[i]}" if i in row_errors
        else "empty" if is_blank(text)
        else "truncated" if len(text) > MAX_TEXT_CHARS
        else "scored"
        for i, text in enumerate(texts)
    ]  # fmt: skip


def score_frame(
    frame: pd.DataFrame,
    column: str,
    models: dict,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[float], None] | None = None,
    row_errors: dict[int, str] | None = None,
) -> pd.DataFrame:
    """A copy of `frame` with a status column (`row_statuses`), then every model's `<model>_<label>` scores
    (5 decimals) and `<model>_flagged` labels. Empty and error rows are not scored: their score cells are empty.
    An input column named like a score column is kept under another name (`renamed_inputs`).

    `progress(fraction)` reports the share of (model, text) pairs scored so far.
    """
    texts = frame[column].fillna("").astype(str).tolist()
    statuses = row_statuses(texts, row_errors)
    scored = np.array([s in SCORED_STATUSES for s in statuses], dtype=bool)
    wanted = [t for t, keep in zip(texts, scored) if keep]
    total_steps = max(1, len(models) * len(wanted))
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done / total_steps)

    out = frame.rename(columns=renamed_inputs(frame.columns, _added_columns(frame.columns, models)))  # a copy
    out[status_column(frame.columns)] = statuses
    for name, scores in score_models(models, wanted, batch_size, advance).items():
        model = models[name]
        for label in LABELS:
            values = np.full(len(texts), np.nan)
            values[scored] = scores[label].astype("float64").round(5).to_numpy()  # float32 would print 0.13440999
            out[f"{name}_{label}"] = values
        flagged = np.full(len(texts), "", dtype=object)
        flagged[scored] = flagged_column(scores, model.thresholds)
        out[f"{name}_flagged"] = flagged
    if progress and not wanted:
        progress(1.0)
    return out
