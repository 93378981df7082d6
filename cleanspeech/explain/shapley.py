"""SHAP word attributions for any model that gives logits (`predict_logits`, else the log-odds of `predict_proba`).

`shap.Explainer` with a word-level Text masker (masked words become "...") and the Partition algorithm over the
model's logits, at most SHAP_MAX_EVALS model calls; SHAP values sum exactly to logit(comment) - logit(all words
masked). The app and CLI offer it for the transformer, where gradients are approximate.
"""

import numpy as np

from .._io import import_optional
from ..labels import LABELS
from .types import SHAP_MAX_WORDS, Explanation, split_words, word_records

# SHAP's Partition algorithm splits word groups while its budget of model calls lasts: ~4 calls per word resolve
# every word; the cap bounds latency (~2 s on 2 cores), so words of a longer comment share their group's value.
SHAP_MAX_EVALS = 128
_MASK = "..."  # what a masked word becomes (runs of them collapse into one): a comment with every word masked
_EPS = 1e-7  # probabilities are clipped this far from 0 and 1 before taking log-odds


def model_logits(model, texts: list[str]) -> np.ndarray:
    """Per-label logits of `texts`: the model's own where it has them, else the log-odds of its probabilities."""
    if hasattr(model, "predict_logits"):
        return model.predict_logits(texts)
    probs = np.clip(model.predict_proba(texts)[list(LABELS)].to_numpy(dtype=float), _EPS, 1 - _EPS)
    return np.log(probs / (1 - probs))


def shap_explanation(model, text: str, max_evals: int | None = None, max_words: int = SHAP_MAX_WORDS) -> Explanation:
    """SHAP values (Partition algorithm, word-level Text masker) of every label's logit."""
    shap = import_optional("shap", None, "the SHAP explanation method")

    spans, notes = split_words(text, max_words)
    if not spans:
        return _empty(model, text, "shap", notes)
    lead, end = spans[0][0], spans[-1][1]
    if len(spans) == 1:  # one player: its Shapley value is exact in two calls (SHAP's clustering fails on one word)
        base, whole = model_logits(model, [_MASK, text[lead:end]])
        return _explanation(model, text, spans, (whole - base)[None, :], base, notes)
    masker = shap.maskers.Text(r"\s+", mask_token=_MASK, collapse_mask_token=True)  # words of the text itself
    explainer = shap.Explainer(lambda texts: model_logits(model, list(texts)), masker, output_names=list(LABELS))
    budget = max_evals or min(SHAP_MAX_EVALS, max(64, 4 * len(spans) + 8))
    values = explainer([text[lead:end]], max_evals=budget, silent=True)
    word_scores = np.asarray(values.values[0], dtype=float)
    if word_scores.shape[0] != len(spans):  # the masker's words are the same non-space runs
        raise RuntimeError(f"SHAP returned {word_scores.shape[0]} words for {len(spans)}")
    return _explanation(model, text, spans, word_scores, np.asarray(values.base_values[0], dtype=float), notes)


def _explanation(model, text: str, spans, word_scores: np.ndarray, base: np.ndarray, notes: list[str]) -> Explanation:
    return Explanation(
        model=getattr(model, "name", "transformer"),
        method="shap",
        text=text,
        words=word_records(text, spans, word_scores),
        base_value=dict(zip(LABELS, map(float, base))),
        prediction=dict(zip(LABELS, map(float, base + word_scores.sum(axis=0)))),
        notes=notes,
    )


def _empty(model, text: str, method: str, notes: list[str]) -> Explanation:
    logits = model_logits(model, [text])[0]
    values = dict(zip(LABELS, map(float, logits)))
    return Explanation(getattr(model, "name", "transformer"), method, text, [], values, values, notes)
