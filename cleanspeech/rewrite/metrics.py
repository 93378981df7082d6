"""How good a rewrite is, by the ParaDetox protocol (Logacheva et al., 2022), with parts we can run offline.

- STA, style accuracy: 1 when the judge (the CleanSpeech transformer) flags no label of the rewrite.
- SIM, content similarity: cosine of the multilingual-e5-small sentence embeddings (mean-pooled, "query: " prefix)
  of the input and the rewrite; the paper used a paraphrase model, which no offline package carries.
- FL, fluency: a character 5-gram language model (Witten-Bell interpolation) trained on human rewrites gives the mean
  log-probability per character; FL is its percentile among human rewrites it did not train on, divided by
  `FL_PERCENTILE` and capped at 1. A rewrite as fluent as all but the least fluent fifth of human rewrites scores 1,
  a garbled one (a stray "a", a dangling comma, run-together words) near 0; human rewrites average ~0.9 by
  construction. The paper used a CoLA classifier; a character model needs no download and judges spelling and
  punctuation, not only grammar. It was trained on polite text, so profanity also lowers it a little.
- chrF (Popović 2015): character 6-gram F-score (beta 2) against the human references, corpus statistics, the best
  reference per sentence, spaces ignored, as sacreBLEU computes it.
- J: the mean over sentences of STA x SIM x FL: a rewrite counts only when it is polite, faithful and fluent at once.
Texts are compared lower-cased and detokenised (ParaDetox's inputs read "don 't" and "word ."; people write "don't").
"""

import math
import re
from collections import Counter

import numpy as np

CHRF_ORDER, CHRF_BETA = 6, 2.0
LM_ORDER = 5
FL_PERCENTILE = 20.0
_DETOKENIZE = [
    (re.compile(r"\s+([.,!?;:%)])"), r"\1"),
    (re.compile(r"(\w) (['’]\w)"), r"\1\2"),
    (re.compile(r"\s+"), " "),
]


def normalize(text: str) -> str:
    text = text.lower().replace("’", "'")
    for pattern, replacement in _DETOKENIZE:
        text = pattern.sub(replacement, text)
    return text.strip()


# --- chrF -------------------------------------------------------------------------------------------------------


def _char_ngrams(text: str, n: int) -> Counter:
    text = "".join(text.split())
    return Counter(text[i : i + n] for i in range(len(text) - n + 1))


def _chrf_stats(hypothesis: str, reference: str) -> np.ndarray:
    """Per order: hypothesis n-grams, reference n-grams, matches."""
    stats = np.zeros((CHRF_ORDER, 3))
    for n in range(1, CHRF_ORDER + 1):
        hyp, ref = _char_ngrams(hypothesis, n), _char_ngrams(reference, n)
        stats[n - 1] = sum(hyp.values()), sum(ref.values()), sum((hyp & ref).values())
    return stats


def _chrf_from_stats(stats: np.ndarray) -> float:
    usable = (stats[:, 0] > 0) & (stats[:, 1] > 0)
    if not usable.any():
        return 0.0
    precision = (stats[usable, 2] / stats[usable, 0]).mean()
    recall = (stats[usable, 2] / stats[usable, 1]).mean()
    if precision + recall == 0:
        return 0.0
    b2 = CHRF_BETA**2
    return 100 * (1 + b2) * precision * recall / (b2 * precision + recall)


def chrf(hypotheses: list[str], references: list[list[str]]) -> float:
    """Corpus chrF (0-100); sentences without references are skipped."""
    total = np.zeros((CHRF_ORDER, 3))
    for hypothesis, refs in zip(hypotheses, references):
        if refs:
            candidates = [_chrf_stats(normalize(hypothesis), normalize(r)) for r in refs]
            total += max(candidates, key=_chrf_from_stats)
    return _chrf_from_stats(total)


# --- fluency ----------------------------------------------------------------------------------------------------


class CharLanguageModel:
    """A character n-gram model with Witten-Bell interpolation down to a uniform distribution."""

    def __init__(self, texts: list[str], order: int = LM_ORDER):
        self.order = order
        self.counts: Counter = Counter()  # n-gram (context + char) -> count, for every n <= order
        self.context_counts: Counter = Counter()  # context -> count
        self.continuations: Counter = Counter()  # context -> distinct next characters
        for text in texts:
            padded = "\x02" * (order - 1) + normalize(text) + "\x03"
            for i in range(order - 1, len(padded)):
                for n in range(order):  # context lengths 0 .. order-1
                    gram = padded[i - n : i + 1]
                    if self.counts[gram] == 0:
                        self.continuations[gram[:-1]] += 1
                    self.counts[gram] += 1
                    self.context_counts[gram[:-1]] += 1
        self.vocabulary = len({g for g in self.counts if len(g) == 1}) + 1  # + unseen

    def _probability(self, context: str, char: str) -> float:
        p = 1.0 / self.vocabulary
        for n in range(len(context) + 1):  # from the empty context up to the longest
            h = context[len(context) - n :] if n else ""
            total = self.context_counts[h]
            if total:
                distinct = self.continuations[h]
                p = (self.counts[h + char] + distinct * p) / (total + distinct)
        return p

    def log_prob_per_char(self, text: str) -> float:
        padded = "\x02" * (self.order - 1) + normalize(text) + "\x03"
        steps = range(self.order - 1, len(padded))
        total = sum(math.log(self._probability(padded[i - self.order + 1 : i], padded[i])) for i in steps)
        return total / len(steps)


class FluencyScorer:
    """FL in [0, 1]: a text's per-character log-probability as a share of the `FL_PERCENTILE`-th percentile
    rank among held-out human rewrites (1 at or above it)."""

    def __init__(self, train_texts: list[str], calibration_texts: list[str]):
        self.model = CharLanguageModel(train_texts)
        self.reference_scores = np.sort([self.model.log_prob_per_char(t) for t in calibration_texts])

    def __call__(self, texts: list[str]) -> np.ndarray:
        scores = np.array([self.model.log_prob_per_char(t) if t.strip() else -np.inf for t in texts])
        percentile = 100 * np.searchsorted(self.reference_scores, scores, side="right") / len(self.reference_scores)
        return np.minimum(percentile / FL_PERCENTILE, 1.0)


# --- similarity and style ---------------------------------------------------------------------------------------


class SentenceEncoder:
    """multilingual-e5-small sentence embeddings (the packaged encoder, before any fine-tuning)."""

    def __init__(self, batch_size: int = 64):
        from ..classifiers.e5 import packaged_encoder

        (self.model, self.tokenizer), self.batch_size = packaged_encoder(), batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        from ..classifiers.e5 import sentence_embeddings

        return sentence_embeddings(self.model, self.tokenizer, list(texts), batch_size=self.batch_size)

    def similarity(self, sources: list[str], rewrites: list[str]) -> np.ndarray:
        a, b = self.encode(sources), self.encode(rewrites)
        return np.clip((a * b).sum(axis=1), 0.0, 1.0)


def style_accuracy(judge, texts: list[str]) -> np.ndarray:
    """1 where the judge flags no label (probability below every tuned threshold)."""
    from .local import toxicity_margins

    return (toxicity_margins(judge, texts) < 0).all(axis=1).astype(float)
