"""Model figures for `scripts/benchmark.py`: each configuration's size, batched throughput and single-comment latency.

A configuration is a model as CleanSpeech serves it (`baseline`, `transformer[torch|onnx|onnx-int8]`, `embedding`,
`ensemble`) or `naive_pipeline`, the reference a user would write: `transformers.pipeline` on the exported
transformer, batches in input order padded to the maximum length.
"""

import statistics
import time
from pathlib import Path

import pandas as pd

from ..labels import LABELS
from .registry import load_model


class NaivePipeline:
    """`transformers.pipeline` as documented: input order, every batch padded to max_length."""

    def __init__(self, directory: Path, max_length: int = 128, batch_size: int = 32):
        from transformers import pipeline

        self.pipe = pipeline("text-classification", model=str(directory), top_k=None, device=-1)
        self.max_length, self.batch_size = max_length, batch_size

    def predict_proba(self, texts) -> pd.DataFrame:
        kwargs = {"truncation": True, "padding": "max_length", "max_length": self.max_length}
        rows = self.pipe(list(texts), batch_size=self.batch_size, **kwargs)
        return pd.DataFrame([{d["label"]: d["score"] for d in row} for row in rows], columns=list(LABELS))


def load_configuration(name: str, directory: Path):
    """A model by configuration name: baseline, transformer[BACKEND], naive_pipeline (an exported directory),
    embedding, ensemble (with its members)."""
    if name == "naive_pipeline":
        return NaivePipeline(directory)
    if name.startswith("transformer["):
        from .transformer import TransformerModel

        return TransformerModel.load(directory, backend=name[len("transformer[") : -1])
    return load_model(directory)


def directory_size_mb(path: Path) -> float:
    """What a model directory weighs on disk."""
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 2)


def bench_prediction(model, texts: list[str], repeats: int) -> dict:
    """Batched throughput of `texts` (after a warm-up) and the latency of `repeats` single-comment calls."""
    model.predict_proba(texts[:8])  # warm-up: lazy imports, allocator
    started = time.perf_counter()
    model.predict_proba(texts)
    batch_seconds = time.perf_counter() - started
    latencies = []
    for text in texts[:repeats]:
        started = time.perf_counter()
        model.predict_proba([text])
        latencies.append(time.perf_counter() - started)
    return {
        "comments": len(texts),
        "comments_per_s": round(len(texts) / batch_seconds, 1),
        "single_latency_ms_median": round(1000 * statistics.median(latencies), 2),
        "single_latency_ms_p95": round(1000 * p95(latencies), 2),
    }


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest rank below."""
    return sorted(values)[int(0.95 * (len(values) - 1))]
