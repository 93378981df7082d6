"""Which words drove each label's score: per-word attributions for one comment, one return shape for every method.

`explain(model, text, method)` is the one entry point (CLI, app, benchmark, faithfulness evaluation). Methods:
- baseline `linear` (`cleanspeech.explain.linear`): exact.
- transformer `gradient` (gradient x input) and `integrated_gradients` (`cleanspeech.explain.gradients`), and
  `shap` (`cleanspeech.explain.shapley`, which works on any model that gives logits).

The explain subpackage owns these methods, the `Explanation` type they share (`types`, at the bottom) and the
faithfulness measures (`faithfulness`). It may import the core modules; it reads models only through their public
attributes (`predict_logits`, `batch_logits`, `clean_texts`, `tokenizer`), so it imports no model family.
"""

from pathlib import Path

from ..errors import InputError
from ..labels import LABELS
from ..text import is_blank
from .linear import explain_baseline
from .types import (
    MAX_EXPLAINED_WORDS,
    SHAP_MAX_WORDS,
    Explanation,
    ExplanationError,
    split_words,
    word_records,
)

# Methods per model family, the default (fastest faithful one) first.
# The embedding model's encoder is frozen and shared: SHAP over its exact logits explains it without gradients.
METHODS = {
    "baseline": ("linear",),
    "transformer": ("gradient", "integrated_gradients", "shap"),
    "embedding": ("shap",),
}
# Gradient methods pay a backward pass per label, so a caller showing one label asks for that one alone.
PER_LABEL_METHODS = ("gradient", "integrated_gradients")
METHOD_ALIASES = {"ig": "integrated_gradients", "gradient_x_input": "gradient", "exact": "linear"}

__all__ = [
    "MAX_EXPLAINED_WORDS",
    "METHODS",
    "PER_LABEL_METHODS",
    "SHAP_MAX_WORDS",
    "Explanation",
    "ExplanationError",
    "explain",
    "explain_baseline",
    "model_family",
    "split_words",
    "word_records",
]


def model_family(model) -> str:
    """baseline, transformer or embedding; an ensemble has no single decomposition and is explained through its
    members."""
    if hasattr(model, "features"):
        return "baseline"
    if getattr(model, "name", None) == "embedding":
        return "embedding"
    if hasattr(model, "tokenizer"):
        return "transformer"
    if isinstance(model, str | Path):  # a name: say what to pass, not that "the str model" has members
        raise ExplanationError(f"explain takes a loaded model: explain(cleanspeech.load_model({str(model)!r}), text)")
    raise ExplanationError(
        f"cannot explain the {getattr(model, 'name', type(model).__name__)} model: explain one of its members"
    )


def explain(
    model,
    text: str,
    method: str | None = None,
    max_words: int | None = None,
    labels: tuple[str, ...] | None = None,
) -> Explanation:
    """Per-label word attributions of `model`'s score for `text` by `method` (default: the family's first).

    `max_words`: explain only the first words (default: every word the model reads, so that a long comment's
    `prediction` is the score it was served and the words that gave it are among those explained; SHAP, whose cost
    grows with each word, stops at `SHAP_MAX_WORDS` and says so in `notes`).

    `labels` (a label or several): the explanation carries only those, whatever the method; gradient methods, whose
    cost grows with each label, compute only those (the others compute all six in one pass and leave the rest out).
    """
    if not isinstance(text, str):
        raise InputError(f"explain takes one comment as text (str), not {type(text).__name__}")
    if is_blank(text):  # as the CLI, the service and the rewriter say: there is no word to attribute a score to
        raise InputError("nothing to explain: the text is empty")
    if max_words is not None and (isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1):
        raise InputError(f"max_words is a whole number of at least 1, or None for every word; not {max_words!r}")
    labels = (labels,) if isinstance(labels, str) else tuple(labels) if labels else None
    if unknown := set(labels or ()) - set(LABELS):
        raise ExplanationError(f"unknown label(s) {', '.join(sorted(unknown))}: choose from {', '.join(LABELS)}")
    family = model_family(model)
    method = METHOD_ALIASES.get(method, method) or METHODS[family][0]
    if method not in METHODS[family]:
        raise ExplanationError(f"method {method!r} does not apply to the {family}: use {', '.join(METHODS[family])}")
    if family == "baseline":
        explanation = explain_baseline(model, text, max_words)
    else:
        from . import gradients, shapley  # torch and shap load only when a transformer is explained

        if method == "shap":
            explanation = shapley.shap_explanation(
                model, text, max_words=min(max_words or SHAP_MAX_WORDS, SHAP_MAX_WORDS)
            )
        else:
            steps = 1 if method == "gradient" else gradients.IG_STEPS
            explanation = gradients.integrated_gradients(model, text, steps, max_words=max_words, labels=labels)
    return explanation.only(labels) if labels else explanation
