"""Speed and size of CleanSpeech's models on this machine, side by side in one run, as JSON.

    python scripts/benchmark.py                     # every shipped model, writes models/benchmark.json
    python scripts/benchmark.py --predict-rows 5000 --train-rows 20000 --output my.json

Measured on the same real comments (validation rows of the data directory) for every configuration:
- `baseline`: the TF-IDF + linear model;
- `transformer[torch|onnx|onnx-int8]`: the transformer as CleanSpeech serves it (length-sorted batches, dynamic
  padding, windows for long comments), with each backend;
- `naive_pipeline`: the reference a user would write, `transformers.pipeline` on the same model exported with
  `export-model`, batches in input order padded to the maximum length.
For each: batched throughput (comments/s), single-comment latency (p50/p95 of repeated calls), and in a fresh
process the cold start to the first prediction and its peak memory. Plus the baseline's training throughput, and
how long each explanation method takes for a 20-, 60- and 200-word comment (median of `--explain-repeats`), and
how long the local rewriter takes for one toxic comment. And `service`: `cleanspeech serve` under 1, 8 and 32
concurrent clients (comments/s, p50/p95/p99 latency), micro-batched and with batching off, against offline scoring
of the same comments.
Compare as ratios within one run (`ratios`); absolute figures depend on the machine.
"""

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from cleanspeech._io import at_least, run_main, write_json_atomic
from cleanspeech.classifiers import available_models, model_path
from cleanspeech.classifiers.load import bench_prediction, directory_size_mb, load_configuration, p95
from cleanspeech.data.corpus import build_dataset
from cleanspeech.errors import InputError
from cleanspeech.labels import LABELS
from cleanspeech.paths import models_dir
from cleanspeech.sysinfo import available_cores, peak_rss_mb

TRANSFORMER_BACKENDS = ("torch", "onnx", "onnx-int8")
TRANSFORMER_CONFIGURATIONS = (*(f"transformer[{b}]" for b in TRANSFORMER_BACKENDS), "naive_pipeline")
CONFIGURATIONS = ("baseline", *TRANSFORMER_CONFIGURATIONS, "embedding", "ensemble")  # what --skip may name
SERVICE_CLIENTS = (1, 8, 32)  # concurrent clients of the service benchmark


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", help="data directory (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument("--transformer-dir", default=str(model_path("transformer")), help="the transformer to measure")
    p.add_argument("--skip", default="", help="comma-separated configurations not to measure (e.g. ensemble)")
    p.add_argument(
        "--predict-rows", type=at_least(1), default=2000, help="validation comments scored per configuration"
    )
    p.add_argument(
        "--train-rows", type=at_least(1), default=20000, help="training comments for the baseline fit timing"
    )
    p.add_argument("--latency-repeats", type=at_least(1), default=50, help="single-comment calls per configuration")
    p.add_argument(
        "--explain-repeats", type=at_least(0), default=3, help="explanations per method and length (0: skip)"
    )
    p.add_argument(
        "--rewrite-comments", type=at_least(0), default=40, help="toxic comments rewritten locally (0: skip)"
    )
    p.add_argument(
        "--service-comments", type=at_least(0), default=400, help="comments per service load level (0: skip)"
    )
    p.add_argument("--service-model", default="transformer", help="the model the service benchmark serves")
    p.add_argument("--queue-items", type=at_least(0), default=100_000, help="review-queue size to measure (0: skip)")
    p.add_argument("--queue-postgres", default="postgresql://127.0.0.1:5432/test", help="PostgreSQL for the queue "
                   "figures (a scratch schema, dropped after); empty: SQLite only")  # fmt: skip
    p.add_argument("--output", default=str(models_dir() / "benchmark.json"), help="default: beside the shipped models")
    p.add_argument(
        "--only",
        choices=["service"],
        help="measure this section alone and write it into the --output "
        "file, whose other sections keep their earlier run's figures (the section records its own machine)",
    )
    p.add_argument("--cold-start", nargs=2, metavar=("CONFIG", "DIR"), help=argparse.SUPPRESS)  # child process
    return p.parse_args(argv)


def cold_start_child(name: str, directory: str) -> None:
    """Runs in a fresh process: load, score one comment, report peak memory."""
    load_configuration(name, Path(directory)).predict_proba(["You are a disgusting idiot."])
    print(json.dumps({"peak_rss_mb": peak_rss_mb()}))


def bench_cold_start(name: str, directory: Path) -> dict:
    """Seconds from starting a Python process to its first prediction, and that process's peak memory."""
    started = time.perf_counter()
    command = [sys.executable, __file__, "--cold-start", name, str(directory)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    return {"cold_start_s": round(seconds, 2), **json.loads(result.stdout.strip().splitlines()[-1])}


def bench_baseline_training(rows) -> dict:
    from cleanspeech.classifiers.baseline import BaselineModel  # here, not above: a cold start would import sklearn

    started = time.perf_counter()
    BaselineModel().fit(rows["text"].tolist(), rows[list(LABELS)])
    seconds = time.perf_counter() - started
    return {"comments": len(rows), "seconds": round(seconds, 1), "comments_per_s": round(len(rows) / seconds, 1)}


def bench_rewrites(frame: pd.DataFrame, count: int, rewriter=None) -> dict:
    """Seconds for the local rewriter to rewrite one toxic validation comment (labelled toxic), p50/p95."""
    from cleanspeech.rewrite import load_rewriter

    rewriter = rewriter or load_rewriter()
    toxic = frame.loc[frame["fold"] == "validation"].loc[lambda f: f["toxic"] == 1, "text"].head(count).tolist()
    seconds, words = [], []
    for text in toxic:
        started = time.perf_counter()
        rewriter.rewrite(text, "local")
        seconds.append(time.perf_counter() - started)
        words.append(len(text.split()))
    return {
        "comments": len(seconds),
        "median_words": statistics.median(words) if words else 0,
        "p50_s": round(statistics.median(seconds), 3) if seconds else None,
        "p95_s": round(p95(seconds), 3) if seconds else None,
    }


def configurations(transformer_dir: Path, export_dir: Path) -> dict[str, Path]:
    """Configuration name -> the directory it loads, for every model present."""
    shipped = available_models()
    found = {"baseline": model_path("baseline")} if "baseline" in shipped else {}
    if (transformer_dir / "config.json").is_file():
        from cleanspeech.classifiers.hf_export import export_model

        found.update({f"transformer[{b}]": transformer_dir for b in TRANSFORMER_BACKENDS})
        found["naive_pipeline"] = export_model(transformer_dir, export_dir)
    found.update({name: model_path(name) for name in ("embedding", "ensemble") if name in shipped})
    return found


def bench_service(model_name: str, texts: list[str]) -> dict:
    """`cleanspeech serve` micro-batched and with batching off, beside offline scoring (`server.load`)."""
    from cleanspeech.server.load import benchmark_service

    return benchmark_service(model_name, texts, SERVICE_CLIENTS)


def ratios(serving: dict, served_backend: str) -> dict:
    """Throughput and latency ratios within this run; `served` is the backend backend.json chose for the model."""

    def ratio(a, b, key="comments_per_s"):
        return round(serving[a][key] / serving[b][key], 2) if a in serving and b in serving else None

    served = f"transformer[{served_backend}]"
    return {
        "served_backend": served_backend,
        "served_vs_naive_throughput": ratio(served, "naive_pipeline"),
        "naive_vs_served_latency_p95": ratio("naive_pipeline", served, "single_latency_ms_p95"),
        "torch_vs_naive_throughput": ratio("transformer[torch]", "naive_pipeline"),
        "int8_vs_naive_throughput": ratio("transformer[onnx-int8]", "naive_pipeline"),
        "int8_vs_torch_throughput": ratio("transformer[onnx-int8]", "transformer[torch]"),
        "baseline_vs_served_throughput": ratio("baseline", served),
        "ensemble_vs_served_throughput": ratio("ensemble", served),
    }


def time_queue_page(url: str, deep_cursor: list, repeats: int = 5) -> dict:
    """The Queue page itself (streamlit.testing, no browser): median time to run it on the first and the last page."""
    import os
    from datetime import datetime
    from unittest import mock

    from streamlit.testing.v1 import AppTest

    from cleanspeech.moderation.load import median_ms

    # the store the page opens, for this measurement only (the scratch schema is dropped afterwards)
    with mock.patch.dict(os.environ, CLEANSPEECH_STORE=url):
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
        at.run()
        at.switch_page("views/queue.py").run()
        at.sidebar.text_input(key="reviewer_name").input("bench")
        at.sidebar.button[0].click().run()
        first = median_ms(at.run, repeats)
        cursor = (deep_cursor[0], datetime.fromisoformat(deep_cursor[1]), deep_cursor[2])
        at.session_state["queue_cursors"] = [None, cursor]
        last = median_ms(at.run, repeats)
    if at.exception:
        raise RuntimeError(f"the Queue page failed: {at.exception}")
    return {"queue_page_first_ms": round(first, 1), "queue_page_last_ms": round(last, 1)}


def machine() -> dict:
    return {"platform": platform.platform(), "python": platform.python_version(), "cpus": available_cores(),
            "date": time.strftime("%Y-%m-%d")}  # fmt: skip


def earlier_results(output: Path) -> dict:
    """An earlier run's JSON, which `--only` adds its section to (read before measuring: a damaged file is refused
    then, not after the work)."""
    if not output.is_file():
        return {}
    try:
        results = json.loads(output.read_text())
    except (OSError, ValueError) as err:
        raise InputError(f"cannot add a section to {output}: {err}; name another --output") from None
    if not isinstance(results, dict):
        raise InputError(f"cannot add a section to {output}: it is not a JSON object; name another --output")
    return results


def check_arguments(args) -> set[str]:
    """The configurations `--skip` names, after refusing, before anything is measured, what would only fail or
    silently measure less at the end."""
    skipped = {name for name in args.skip.split(",") if name}
    if unknown := skipped - set(CONFIGURATIONS):
        raise InputError(f"--skip {', '.join(sorted(unknown))}: the configurations are {', '.join(CONFIGURATIONS)}")
    measured = set() if args.only else set(TRANSFORMER_CONFIGURATIONS) - skipped  # --only service: none of them
    if measured and not (Path(args.transformer_dir) / "config.json").is_file():
        raise InputError(f"no transformer in {args.transformer_dir} (no config.json): name one with "
                         f"--transformer-dir, or --skip {','.join(TRANSFORMER_CONFIGURATIONS)}")  # fmt: skip
    return skipped


def write_section(output: Path, name: str, section: dict, earlier: dict) -> int:
    """Replace one section of an earlier run's JSON (or start one)."""
    write_json_atomic(output, {**earlier, name: section})
    print(json.dumps(section, indent=2))
    return 0


def bench_configurations(args, texts: list[str], skipped: set[str]) -> dict:
    """Size, throughput, latency and cold start of every configuration present and not skipped."""
    serving = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, directory in configurations(Path(args.transformer_dir), Path(scratch) / "export").items():
            if name in skipped:
                continue
            entry = {"size_mb": directory_size_mb(directory)}
            entry.update(bench_prediction(load_configuration(name, directory), texts, args.latency_repeats))
            entry.update(bench_cold_start(name, directory))
            serving[name] = entry
            print(f"{name}: {entry}", flush=True)
    return serving


def main(argv=None) -> int:
    return run_main(_main, argv)  # a CleanSpeechError: one line on stderr, exit status 2


def _main(argv=None) -> int:
    args = parse_args(argv)
    if args.cold_start:
        cold_start_child(*args.cold_start)
        return 0
    earlier = earlier_results(Path(args.output)) if args.only else {}
    skipped = check_arguments(args)
    frame = build_dataset(args.data_dir)
    validation = frame[frame["fold"] == "validation"].sample(frac=1.0, random_state=0)
    texts = validation["text"].head(args.predict_rows).tolist()
    if args.only:  # the service section brings its own offline reference: its ratios stand alone
        section = bench_service(args.service_model, texts[: args.service_comments])
        return write_section(Path(args.output), args.only, {**section, "machine": machine()}, earlier)
    results = {
        "machine": machine(),
        "mean_comment_chars": round(sum(map(len, texts)) / max(1, len(texts)), 1),
        "serving": bench_configurations(args, texts, skipped),
    }
    from cleanspeech.classifiers.onnx_backend import default_backend

    results["ratios"] = ratios(results["serving"], default_backend(Path(args.transformer_dir)))
    if args.explain_repeats:
        from cleanspeech.explain.timing import bench_explanations

        explained = {"baseline": model_path("baseline"), "transformer": Path(args.transformer_dir)}
        results["explanation_latency"] = bench_explanations(texts, explained, args.explain_repeats)
    if args.rewrite_comments:
        results["rewrite_latency"] = bench_rewrites(frame, args.rewrite_comments)
        print(f"rewrite: {results['rewrite_latency']}", flush=True)
    if args.service_comments:
        results["service"] = bench_service(args.service_model, texts[: args.service_comments])
    if args.queue_items:
        from cleanspeech.moderation.load import bench_queue

        with tempfile.TemporaryDirectory() as scratch:
            results["queue"] = bench_queue(args.queue_items, args.queue_postgres or None, scratch, time_queue_page)
    train = frame[frame["fold"] == "train"]
    if args.train_rows > len(train):
        print(f"note: --train-rows {args.train_rows}: the fit is timed on all {len(train)} training rows", flush=True)
    train_rows = train.sample(min(args.train_rows, len(train)), random_state=0)
    results["baseline_training"] = bench_baseline_training(train_rows)
    print(f"baseline training: {results['baseline_training']}", flush=True)
    results["peak_rss_mb"] = peak_rss_mb()
    results["skipped"] = sorted(skipped)  # a partial run says what it left out
    write_json_atomic(args.output, results)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
