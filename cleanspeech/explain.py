"""Which words drove each label's score: per-word attributions for one comment, one return shape for every method.

A "word" is a run of non-space characters of the original text (punctuation stays with its word), reported with its
character span in that text, so a caller can highlight it or threshold spans. Scores are in log-odds (logit) units:
positive pushes towards the label, negative away. `base_value` is the model's logit with no evidence (the intercept
for the baseline, the all-padding input for integrated gradients); where a method promises it, the word scores sum to
the comment's logit minus the base value.

Methods:
- baseline `linear`: exact. Each label is one logistic regression on word 1-2-gram and char 2-5-gram TF-IDF
  features, so logit = intercept + sum(coef x tfidf). A feature's contribution is split evenly over its occurrences,
  a word bigram's over its two words; char n-grams never cross a space, so they belong to one word.
- transformer methods live in `cleanspeech.explain_transformer` (integrated gradients, gradient x input, SHAP).

`explain(model, text, method)` is the one entry point (CLI, app, benchmark, faithfulness evaluation).
"""

import re
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError
from .labels import LABELS
from .preprocess import MAX_TEXT_CHARS

_WORDS = re.compile(r"\S+")
MAX_EXPLAINED_WORDS = 400  # longer comments are explained on their first 400 words (callers say so)
# Methods per model family, the default (fastest faithful one) first.
METHODS = {"baseline": ("linear",), "transformer": ("gradient", "integrated_gradients", "shap")}
# Gradient methods pay a backward pass per label, so a caller showing one label asks for that one alone.
PER_LABEL_METHODS = ("gradient", "integrated_gradients")
SHAP_MAX_WORDS = 120  # SHAP costs a few forward passes per word; longer comments are explained on their first words
METHOD_ALIASES = {"ig": "integrated_gradients", "gradient_x_input": "gradient", "exact": "linear"}


class ExplanationError(InputError):
    """A model or method that cannot explain (an ensemble, a method of the other family)."""


@dataclass
class Explanation:
    """The one shape every method returns (`to_dict` is the CLI's JSON)."""

    model: str
    method: str
    text: str
    words: list[dict]  # {"word", "start", "end", "scores": {label: float}}
    base_value: dict[str, float]
    prediction: dict[str, float] = field(default_factory=dict)  # the logit explained, per label
    notes: list[str] = field(default_factory=list)  # e.g. "explained the first 400 of 2,000 words"

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "method": self.method,
            "base_value": self.base_value,
            "prediction": self.prediction,
            "words": self.words,
            "notes": self.notes,
        }

    def scores(self, label: str) -> np.ndarray:
        return np.array([w["scores"][label] for w in self.words], dtype=float)

    def top_words(self, label: str, k: int = 10) -> list[dict]:
        """The k words pushing hardest towards `label` (largest positive score first)."""
        order = np.argsort(-self.scores(label), kind="stable")[:k]
        return [self.words[i] for i in order]


def split_words(text: str, max_words: int | None = MAX_EXPLAINED_WORDS) -> tuple[list[tuple[int, int]], list[str]]:
    """Character spans of the words of `text` (at most `max_words`), and notes about what was cut."""
    notes = []
    if len(text) > MAX_TEXT_CHARS:
        notes.append(f"the models read the first {MAX_TEXT_CHARS:,} of {len(text):,} characters")
        text = text[:MAX_TEXT_CHARS]
    spans = [(m.start(), m.end()) for m in _WORDS.finditer(text)]
    if max_words is not None and len(spans) > max_words:
        notes.append(f"explained the first {max_words:,} of {len(spans):,} words")
        spans = spans[:max_words]
    return spans, notes


def word_records(text: str, spans, scores: np.ndarray, labels=LABELS) -> list[dict]:
    """Words with spans and per-label scores (`scores`: words x labels)."""
    return [
        {"word": text[s:e], "start": s, "end": e, "scores": dict(zip(labels, map(float, row)))}
        for (s, e), row in zip(spans, scores)
    ]


def explain_baseline(model, text: str, max_words: int | None = None) -> Explanation:
    """Exact linear decomposition of the baseline's per-label logits over the words of `text` (all of them: it is
    cheap, ~40 ms for a long comment)."""
    spans, notes = split_words(text, max_words)
    cleaned = model._clean([text[s:e] for s, e in spans])  # each word cleaned alone, as in the whole text
    word_vec, char_vec = (step for _, step in model.features.transformer_list)
    contributions = np.zeros((len(spans), len(LABELS)))
    coefs = np.vstack([model.classifiers[label].coef_.ravel() for label in LABELS])  # labels x features
    n_word = len(word_vec.vocabulary_)
    full = " ".join(c for c in cleaned if c)
    for vectorizer, offset, occurrences in (
        (word_vec, 0, _word_ngram_occurrences(word_vec, cleaned)),
        (char_vec, n_word, _char_ngram_occurrences(char_vec, cleaned)),
    ):
        values = vectorizer.transform([full])  # tf-idf of the whole comment: sublinear tf and l2 norm included
        _spread(contributions, occurrences, values, coefs[:, offset : offset + values.shape[1]])
    base = {label: float(model.classifiers[label].intercept_[0]) for label in LABELS}
    logits = np.array([base[label] for label in LABELS]) + contributions.sum(axis=0)
    return Explanation(
        model=model.name,
        method="linear",
        text=text,
        words=word_records(text, spans, contributions),
        base_value=base,
        prediction=dict(zip(LABELS, map(float, logits))),
        notes=notes,
    )


def _word_ngram_occurrences(vectorizer, cleaned: list[str]) -> dict[int, list[list[int]]]:
    """feature index -> occurrences, each the list of word indices its tokens sit in."""
    tokenize = vectorizer.build_tokenizer()
    tokens = [(tok, i) for i, chunk in enumerate(cleaned) for tok in tokenize(chunk)]
    low, high = vectorizer.ngram_range
    found: dict[int, list[list[int]]] = {}
    for n in range(low, high + 1):
        for start in range(len(tokens) - n + 1):
            gram = tokens[start : start + n]
            index = vectorizer.vocabulary_.get(" ".join(tok for tok, _ in gram))
            if index is not None:
                found.setdefault(index, []).append([i for _, i in gram])
    return found


def _char_ngram_occurrences(vectorizer, cleaned: list[str]) -> dict[int, list[list[int]]]:
    analyze = vectorizer.build_analyzer()  # char_wb n-grams never cross whitespace: per word is exact
    found: dict[int, list[list[int]]] = {}
    for i, chunk in enumerate(cleaned):
        for gram in analyze(chunk):
            index = vectorizer.vocabulary_.get(gram)
            if index is not None:
                found.setdefault(index, []).append([i])
    return found


def _spread(contributions: np.ndarray, occurrences: dict, values, coefs: np.ndarray) -> None:
    """Add coef x value of each present feature to the words it occurs in, evenly per occurrence and token."""
    values = values.tocsr()
    for index, value in zip(values.indices, values.data):
        places = occurrences.get(int(index))
        if not places:
            continue
        share = coefs[:, index] * value / len(places)
        for words in places:
            for word in words:
                contributions[word] += share / len(words)


def model_family(model) -> str:
    """baseline or transformer; an ensemble has no single decomposition and is explained through its members."""
    if hasattr(model, "features"):
        return "baseline"
    if hasattr(model, "tokenizer"):
        return "transformer"
    raise ExplanationError(
        f"cannot explain the {getattr(model, 'name', type(model).__name__)} model: explain baseline or transformer"
    )


def explain(
    model,
    text: str,
    method: str | None = None,
    max_words: int | None = MAX_EXPLAINED_WORDS,
    labels: tuple[str, ...] | None = None,
) -> Explanation:
    """Per-label word attributions of `model`'s score for `text` by `method` (default: the family's first).

    `labels` limits gradient methods, whose cost grows with each label, to those labels (the others carry every
    label whatever is asked: one pass explains all six).
    """
    family = model_family(model)
    method = METHOD_ALIASES.get(method, method) or METHODS[family][0]
    if method not in METHODS[family]:
        raise ExplanationError(f"method {method!r} does not apply to the {family}: use {', '.join(METHODS[family])}")
    if family == "baseline":
        return explain_baseline(model, text, max_words)
    from . import explain_transformer

    if method == "shap":
        return explain_transformer.shap_explanation(model, text, max_words=min(max_words or 10**9, SHAP_MAX_WORDS))
    steps = 1 if method == "gradient" else explain_transformer.IG_STEPS
    unknown = set(labels or ()) - set(LABELS)
    if unknown:
        raise ExplanationError(f"unknown label(s) {', '.join(sorted(unknown))}: choose from {', '.join(LABELS)}")
    return explain_transformer.integrated_gradients(model, text, steps=steps, max_words=max_words, labels=labels)
