"""How faithful an explanation is to its model: ERASER's comprehensiveness and sufficiency (DeYoung et al. 2020).

For a comment x, a label and the words ranked by their attribution to it (most positive first):
- comprehensiveness(k) = p(x) - p(x without its top-k words): high when the words named really carry the score;
- sufficiency(k) = p(x) - p(only the top-k words): low when those words alone keep the score.
k runs over ERASER's bins, 1, 5, 10, 20 and 50 % of the comment's words (at least one word), and each measure is the
mean over the bins (AOPC). A random ranking of the same words is the control every method must beat.
Probabilities are the served model's (`predict_proba`), so a method is judged on what a moderator actually sees.
"""

import math

import numpy as np

BINS = (0.01, 0.05, 0.10, 0.20, 0.50)


def without_words(text: str, spans, removed: set[int]) -> str:
    """`text` with the words at the `removed` indices deleted (the remaining words joined by single spaces)."""
    return " ".join(text[s:e] for i, (s, e) in enumerate(spans) if i not in removed)


def only_words(text: str, spans, kept: set[int]) -> str:
    return " ".join(text[s:e] for i, (s, e) in enumerate(spans) if i in kept)


def top_k_sizes(n_words: int, bins=BINS) -> list[int]:
    return [min(n_words, max(1, math.ceil(fraction * n_words))) for fraction in bins]


def erasure_texts(text: str, spans, ranking, bins=BINS) -> tuple[list[str], list[str]]:
    """Per bin: the comment without its top-k words, and the top-k words alone (k from `bins`)."""
    comprehensive, sufficient = [], []
    for k in top_k_sizes(len(spans), bins):
        top = {int(i) for i in ranking[:k]}
        comprehensive.append(without_words(text, spans, top))
        sufficient.append(only_words(text, spans, top))
    return comprehensive, sufficient


def erasure_scores(model, explanation, label: str, rankings: dict[str, np.ndarray], bins=BINS) -> dict[str, dict]:
    """Comprehensiveness and sufficiency (AOPC over `bins`) of each named word ranking, scored in one batch.

    `rankings` maps a name (a method, "random") to word indices ordered from most to least attributed to `label`.
    """
    text, spans = explanation.text, [(w["start"], w["end"]) for w in explanation.words]
    batch, slices = [text], {}
    for name, ranking in rankings.items():
        comprehensive, sufficient = erasure_texts(text, spans, ranking, bins)
        slices[name] = (len(batch), len(comprehensive))
        batch += comprehensive + sufficient
    probabilities = model.predict_proba(batch)[label].to_numpy()
    full = probabilities[0]
    results = {}
    for name, (start, n) in slices.items():
        removed, alone = probabilities[start : start + n], probabilities[start + n : start + 2 * n]
        results[name] = {
            "comprehensiveness": float(np.mean(full - removed)),
            "sufficiency": float(np.mean(full - alone)),
        }
    return results


def ranking_of(explanation, label: str) -> np.ndarray:
    """Word indices from the most to the least attributed to `label` (ties keep text order)."""
    return np.argsort(-explanation.scores(label), kind="stable")


def summarize(per_comment: list[dict[str, dict]]) -> dict[str, dict]:
    """Mean and standard error of each measure per ranking, over comments."""
    names = per_comment[0].keys() if per_comment else []
    summary = {}
    for name in names:
        entry = {}
        for measure in ("comprehensiveness", "sufficiency"):
            values = np.array([c[name][measure] for c in per_comment])
            entry[measure] = round(float(values.mean()), 4)
            entry[f"{measure}_se"] = round(float(values.std(ddof=1) / math.sqrt(len(values))), 4)
        summary[name] = entry
    return summary
