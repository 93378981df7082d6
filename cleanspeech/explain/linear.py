"""Exact word attributions of the baseline: its per-label logit decomposed over the words of a comment.

Each label is one logistic regression on word 1-2-gram and char 2-5-gram TF-IDF features, so logit = intercept +
sum(coef x tfidf). A feature's contribution is split evenly over its occurrences, a word bigram's over its two words;
char n-grams never cross a space, so they belong to one word.
"""

import numpy as np

from ..labels import LABELS
from .types import Explanation, split_words, word_records


def explain_baseline(model, text: str, max_words: int | None = None) -> Explanation:
    """Exact linear decomposition of the baseline's per-label logits over the words of `text` (all of them: it is
    cheap, ~40 ms for a long comment)."""
    spans, notes = split_words(text, max_words)
    cleaned = model.clean_texts([text[s:e] for s, e in spans])  # each word cleaned alone, as in the whole text
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
