"""Constants and helpers shared by the results sections: JSON loading, table cells and Markdown tables."""

from __future__ import annotations

import json
import math
from pathlib import Path

LABELS = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
CLASSIFIERS = ("baseline", "transformer", "embedding", "ensemble")
SPLITS = ("validation", "test")
SPLIT_TITLES = {
    "validation": "validation (held-out rows of every training source)",
    "test": "test (the scored Jigsaw test rows)",
}
REWRITE_SYSTEMS = {
    "copy": "copy the input",
    "delete": "delete lexicon phrases",
    "local": "**local rewriter**",
    "reference": "human rewrite",
}
METHOD_TITLES = {
    "linear": "linear (exact)",
    "gradient": "gradient × input",
    "integrated_gradients": "integrated gradients",
    "shap": "SHAP",
}


def load(path: Path):
    """The parsed JSON of `path`, or None where it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def num(value, digits: int = 4) -> str:
    """A number for a table cell with `digits` decimals; '–' for None, NaN or anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}"


def count(value) -> str:
    """A count (rows, positives, steps; JSON may hold them as floats) with thousands separators."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return "–"
    return f"{round(value):,}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def missing(path: str, how: str) -> str:
    return f"*`{path}` is not in this checkout, so this section is empty.* {how}"


def rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
