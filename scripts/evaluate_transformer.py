"""Evaluate a trained transformer on the baseline's splits.

    python scripts/evaluate_transformer.py                       # models/transformer and models/baseline
    python scripts/evaluate_transformer.py --model runs/e5-small/best --max-eval-rows 1000

First chooses how the model is served: PyTorch, ONNX Runtime fp32 and int8 score the same validation rows, and int8
is kept only where it loses at most 0.002 macro ROC-AUC and flags at most 0.5% of the rows differently from PyTorch
at the model's thresholds, else fp32 ONNX under the same rule (`<model>/backend.json`). Then, with that backend, writes
`<model>/evaluation.json` and `<model>/thresholds.json` (re-tuned on the full validation fold). The ensemble is
fitted afterwards, per language, by `scripts/fit_ensemble.py`.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from cleanspeech._io import at_least, run_main
from cleanspeech.classifiers import load_model
from cleanspeech.classifiers.onnx_backend import BACKEND_FILE, BACKEND_VARIABLE, choose_backend, onnx_available
from cleanspeech.classifiers.transformer import TransformerModel
from cleanspeech.data.corpus import build_dataset
from cleanspeech.evaluation.metrics import evaluate
from cleanspeech.evaluation.reports import EVAL_ROWS_PER_SOURCE, report_from_scores, score_folds
from cleanspeech.labels import LABELS
from cleanspeech.paths import models_dir


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=str(models_dir() / "transformer"), help="transformer directory")
    p.add_argument("--data-dir", help="data directory (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument("--max-eval-rows", type=at_least(1), default=EVAL_ROWS_PER_SOURCE, help="rows per language set")
    p.add_argument(
        "--backend-rows", type=at_least(0), default=3000, help="validation rows for the backend choice (0: skip)"
    )
    return p.parse_args(argv)


def write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {path}", flush=True)


def measure_backends(model_dir: Path, frame, rows: int) -> dict:
    """Each backend on the same validation rows: macro ROC-AUC, the share of rows it flags differently from PyTorch
    at the model's current thresholds (0.5 where it has none yet; they are re-tuned afterwards, on the chosen
    backend), and the backend chosen from them."""
    validation = frame[frame["fold"] == "validation"]
    sample = validation.sample(min(rows, len(validation)), random_state=42)
    backends = ("torch", "onnx", "onnx-int8") if onnx_available() else ("torch",)
    auc, flags = {}, {}
    for backend in backends:
        model = TransformerModel.load(model_dir, backend=backend)
        thresholds = np.array([model.thresholds[label] for label in LABELS])
        scores = model.predict_proba(sample["text"].tolist())
        scores.index = sample.index
        auc[backend] = float(evaluate(sample[list(LABELS)], scores).loc["macro", "roc_auc"])
        flags[backend] = (scores[list(LABELS)].to_numpy() >= thresholds).any(axis=1)
        print(f"backend {backend}: validation macro ROC-AUC {auc[backend]:.5f} on {len(sample):,} rows", flush=True)
    changes = {backend: float((flags[backend] != flags["torch"]).mean()) for backend in backends if backend != "torch"}
    print(f"flagged differently from torch: {json.dumps(changes)}", flush=True)
    return {"backend": choose_backend(auc, changes), "macro_roc_auc": auc, "flag_changes": changes, "rows": len(sample)}


def _main(argv=None) -> int:
    args = parse_args(argv)
    # The files this writes describe the model as it ships (backend.json), whatever the shell asks to serve.
    os.environ.pop(BACKEND_VARIABLE, None)
    frame = build_dataset(args.data_dir)
    if args.backend_rows:
        write(Path(args.model) / BACKEND_FILE, measure_backends(Path(args.model), frame, args.backend_rows))
    scores = score_folds(load_model(args.model), frame, args.max_eval_rows)  # as backend.json serves it
    report = report_from_scores("transformer", frame, scores)
    write(Path(args.model) / "evaluation.json", report)
    write(Path(args.model) / "thresholds.json", report["thresholds"])
    for split, content in report["splits"].items():
        macro = content["metrics"]["macro"]
        figures = f"ROC-AUC {macro['roc_auc']:.4f} PR-AUC {macro['pr_auc']:.4f} F1 {macro['f1']:.4f}"
        print(f"transformer {split}: macro {figures}")
    print("next: python scripts/fit_ensemble.py (the ensemble's weights per language)", flush=True)
    return 0


def main(argv=None) -> int:
    return run_main(_main, argv)  # a CleanSpeechError: one line on stderr, exit status 2


if __name__ == "__main__":
    sys.exit(main())
