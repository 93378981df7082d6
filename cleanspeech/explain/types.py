"""The one shape every explanation method returns, and how a comment is cut into the words it explains.

A "word" is a run of non-space characters of the original text (punctuation stays with its word), reported with its
character span in that text, so a caller can highlight it or threshold spans. Scores are in log-odds (logit) units:
positive pushes towards the label, negative away. `base_value` is the model's logit with no evidence; where a method
promises it, the word scores sum to the comment's logit minus the base value. The bottom of `explain`: imports only
the core modules.
"""

import re
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import InputError
from ..labels import LABELS
from ..text import limit_note, split_at_limit

_WORDS = re.compile(r"\S+")
MAX_EXPLAINED_WORDS = 400  # split_words' default cut, for a caller that shows a few words; `explain` reads them all
SHAP_MAX_WORDS = 120  # SHAP costs a few forward passes per word; longer comments are explained on their first words


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

    def only(self, labels: tuple[str, ...]) -> "Explanation":
        """The same explanation carrying only `labels` (what a caller asked for, in label order)."""

        def keep(values: dict) -> dict:
            return {label: values[label] for label in LABELS if label in labels and label in values}

        words = [{**word, "scores": keep(word["scores"])} for word in self.words]
        return replace(self, words=words, base_value=keep(self.base_value), prediction=keep(self.prediction))

    def scores(self, label: str) -> np.ndarray:
        """Each word's score towards `label`; an `InputError` for a label this explanation does not carry."""
        if label not in self.base_value:
            carried = ", ".join(self.base_value) or "none"
            raise InputError(f"this explanation has no scores for {label!r} (it carries: {carried}); explain it again "
                             "with that label")  # fmt: skip
        return np.array([w["scores"][label] for w in self.words], dtype=float)

    def top_words(self, label: str, k: int = 10) -> list[dict]:
        """The k words pushing hardest towards `label`, largest score first: only words that raised it, so none on a
        comment where every word pulled it down (a clean comment has no "top words towards toxic")."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:  # k=-1 gave every word but the last
            raise InputError(f"k is how many words to give, a whole number of at least 0; not {k!r}")
        scores = self.scores(label)
        return [self.words[i] for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]


def split_words(text: str, max_words: int | None = MAX_EXPLAINED_WORDS) -> tuple[list[tuple[int, int]], list[str]]:
    """Character spans of the words of `text` (at most `max_words`), and notes about what was cut."""
    notes = []
    if note := limit_note(text, "the models read"):
        notes.append(note)
        text = split_at_limit(text)[0]
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
