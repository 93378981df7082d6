"""Explanation figures for `scripts/benchmark.py`: how long each method takes for a 20-, 60- and 200-word comment."""

import statistics
import time
from pathlib import Path

from ..classifiers import load_model
from . import METHODS, PER_LABEL_METHODS, explain, model_family

EXPLAIN_WORDS = (20, 60, 200)  # comment lengths for explanation latency


def comments_of_length(texts: list[str], words: int) -> str:
    """A comment of exactly `words` words made of real comments run together."""
    pool = " ".join(texts).split()
    return " ".join(pool[:words])


def bench_explanations(texts: list[str], models: dict[str, Path], repeats: int) -> dict:
    """Median seconds to explain one comment of 20, 60 and 200 words, per model and method, as the app asks (one
    label for gradient methods, whose cost grows per label) and, for those, for all six labels at once."""
    results = {}
    for name, directory in models.items():
        if not directory.is_dir():
            continue
        model = load_model(directory)
        for method in METHODS[model_family(model)]:
            per_label = method in PER_LABEL_METHODS
            for labels in [("toxic",), None] if per_label else [None]:
                key = f"{name}[{method}{', all labels' if per_label and labels is None else ''}]"
                results[key] = explanation_timings(model, texts, method, labels, repeats)
                print(f"explain {key}: {results[key]}", flush=True)
    return results


def explanation_timings(model, texts: list[str], method: str, labels, repeats: int) -> dict:
    """Median seconds of `repeats` explanations of a comment of each length in EXPLAIN_WORDS."""
    timings = {}
    for words in EXPLAIN_WORDS:
        comment = comments_of_length(texts, words)
        explain(model, comment, method, labels=labels)  # warm-up
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            explain(model, comment, method, labels=labels)
            seconds.append(time.perf_counter() - started)
        timings[f"{words}_words_s"] = round(statistics.median(seconds), 3)
    return timings
