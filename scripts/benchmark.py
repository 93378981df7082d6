"""Speed and size of CleanSpeech's models on this machine, as JSON.

    python scripts/benchmark.py                     # all shipped models, writes runs/benchmark.json
    python scripts/benchmark.py --predict-rows 5000 --train-rows 20000 --output my.json

Measured on real comments from the data directory: prediction throughput (comments/s, batched), single-comment
latency (median of repeated calls), baseline training throughput (comments/s), artifact size and peak memory.
Compare numbers as ratios within one run; absolute figures depend on the machine.
"""

import argparse
import json
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

from cleanspeech.baseline import BaselineModel
from cleanspeech.corpus import build_dataset
from cleanspeech.labels import LABELS
from cleanspeech.models import available_models, load_model, model_path
from cleanspeech.paths import REPO_ROOT


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", help="data directory (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument("--predict-rows", type=int, default=5000, help="validation comments to score per model")
    p.add_argument("--train-rows", type=int, default=20000, help="training comments for the baseline fit timing")
    p.add_argument("--latency-repeats", type=int, default=50, help="single-comment calls per model")
    p.add_argument("--output", default=str(REPO_ROOT / "runs" / "benchmark.json"))
    return p.parse_args(argv)


def directory_size_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 2)


def bench_prediction(model, texts: list[str], repeats: int) -> dict:
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
        "single_latency_ms_p95": round(1000 * sorted(latencies)[int(0.95 * (len(latencies) - 1))], 2),
    }


def bench_baseline_training(rows) -> dict:
    started = time.perf_counter()
    BaselineModel().fit(rows["text"].tolist(), rows[list(LABELS)])
    seconds = time.perf_counter() - started
    return {"comments": len(rows), "seconds": round(seconds, 1), "comments_per_s": round(len(rows) / seconds, 1)}


def main(argv=None) -> int:
    args = parse_args(argv)
    frame = build_dataset(args.data_dir)
    validation = frame[frame["fold"] == "validation"].sample(frac=1.0, random_state=0)
    texts = validation["text"].head(args.predict_rows).tolist()
    results = {
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": _cpu_count()},
        "mean_comment_chars": round(sum(map(len, texts)) / max(1, len(texts)), 1),
        "models": {},
    }
    for name in available_models():
        model = load_model(name)
        results["models"][name] = {
            "size_mb": directory_size_mb(model_path(name)),
            **bench_prediction(model, texts, args.latency_repeats),
        }
        print(f"{name}: {results['models'][name]}", flush=True)
    train_rows = frame[frame["fold"] == "train"].sample(args.train_rows, random_state=0)
    results["baseline_training"] = bench_baseline_training(train_rows)
    print(f"baseline training: {results['baseline_training']}", flush=True)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    sys.exit(main())
