"""Faithfulness of every explanation method (ERASER comprehensiveness and sufficiency) against a random control.

    python scripts/evaluate_explanations.py                    # 300 comments, the three models, -> models/<model>/
    python scripts/evaluate_explanations.py --comments 50 --output-dir runs/faith   # -> runs/faith/<model>/

The comments: held-out toxic Jigsaw comments (the labelled test rows first, then validation rows, shuffled with a
fixed seed), never trained on. Each is explained for the `toxic` label by each method of each model; its words are
ranked by attribution and erased (see `cleanspeech.explain.faithfulness`); the same erasures with a random ranking of
the words (a fixed seed per comment) are the control. Probabilities come from each model as served (the transformer's
default backend), so the figures describe what a moderator sees. Writes `faithfulness.json` beside each model, which
the Compare models page shows, and prints a summary.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from cleanspeech._io import at_least
from cleanspeech.classifiers import load_model, resolve_model_dir
from cleanspeech.data.corpus import build_dataset
from cleanspeech.explain import METHODS, explain, model_family
from cleanspeech.explain.faithfulness import BINS, erasure_scores, ranking_of, summarize

LABEL = "toxic"
SEED = 42
MIN_WORDS = 2  # a one-word comment has nothing to rank
MAX_WORDS = 80  # about 3 in 4 toxic Jigsaw comments; longer ones cost SHAP and integrated gradients 10-60 s each


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", help="data directory (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument(
        "--comments", type=at_least(1), default=300, help="held-out toxic comments to explain (default: 300)"
    )
    p.add_argument("--model", action="append", help="baseline, transformer, embedding or a directory (default: "
                   "all three)")  # fmt: skip
    p.add_argument(
        "--max-words", type=at_least(1), default=MAX_WORDS, help=f"longest comment, in words (default {MAX_WORDS})"
    )
    p.add_argument("--method", action="append", help="only these methods (default: every method of the model)")
    p.add_argument("--output-dir", help="write DIR/<model>/faithfulness.json instead of beside each model")
    return p.parse_args(argv)


def held_out_toxic_comments(frame, count: int, max_words: int = MAX_WORDS) -> list[str]:
    """Toxic Jigsaw comments never trained on: the labelled test rows first, then validation rows."""
    rows = frame[(frame["source"] == "jigsaw") & (frame[LABEL] == 1) & (frame["fold"].isin(["test", "validation"]))]
    rows = rows[rows["text"].str.split().str.len().between(MIN_WORDS, max_words)]
    rows = rows.sample(frac=1.0, random_state=SEED).sort_values("fold", key=lambda f: f != "test", kind="stable")
    return rows["text"].head(count).tolist()


def evaluate_model(model, texts: list[str], methods: list[str]) -> dict:
    """Per method: mean comprehensiveness/sufficiency with their random controls, and explanation seconds."""
    per_method, seconds = {m: [] for m in methods}, {m: 0.0 for m in methods}
    for i, text in enumerate(texts):
        for method in methods:
            started = time.perf_counter()
            explanation = explain(model, text, method, labels=(LABEL,))
            seconds[method] += time.perf_counter() - started
            rng = np.random.default_rng([SEED, i])
            rankings = {method: ranking_of(explanation, LABEL), "random": rng.permutation(len(explanation.words))}
            per_method[method].append(erasure_scores(model, explanation, LABEL, rankings))
        if (i + 1) % 25 == 0:
            print(f"  {i + 1}/{len(texts)} comments", file=sys.stderr, flush=True)
    results = {}
    for method, rows in per_method.items():
        summary = summarize(rows)
        ratio = summary[method]["comprehensiveness"] / max(summary["random"]["comprehensiveness"], 1e-9)
        results[method] = {
            **summary[method],
            "random": summary["random"],
            "comprehensiveness_vs_random": round(ratio, 2),
            "seconds_per_comment": round(seconds[method] / len(texts), 3),
        }
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    texts = held_out_toxic_comments(build_dataset(args.data_dir), args.comments, args.max_words)
    for name in args.model or ["baseline", "transformer", "embedding"]:
        model = load_model(name)
        methods = [m for m in METHODS[model_family(model)] if not args.method or m in args.method]
        if not methods:
            continue
        print(f"{name}: {', '.join(methods)} on {len(texts)} comments", file=sys.stderr, flush=True)
        report = {
            "model": getattr(model, "name", name),
            "label": LABEL,
            "comments": len(texts),
            "selection": f"held-out toxic Jigsaw comments of {MIN_WORDS}-{args.max_words} words (test rows first, "
            "then validation)",
            "bins": list(BINS),
            "methods": evaluate_model(model, texts, methods),
        }
        directory = Path(args.output_dir) / report["model"] if args.output_dir else resolve_model_dir(name)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "faithfulness.json").write_text(json.dumps(report, indent=2) + "\n")
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
