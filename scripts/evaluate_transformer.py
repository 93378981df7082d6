"""Evaluate a trained transformer and the baseline+transformer ensemble on the baseline's splits.

    python scripts/evaluate_transformer.py                       # models/transformer and models/baseline
    python scripts/evaluate_transformer.py --model runs/e5-small/best --max-eval-rows 1000

Writes `<model>/evaluation.json` and `<model>/thresholds.json` (re-tuned on the full validation fold), and
`models/ensemble/` (`ensemble.json`: members, weights, thresholds; `evaluation.json`) for the app and the CLI.
"""

import argparse
import json
import sys
from pathlib import Path

from cleanspeech.corpus import build_dataset
from cleanspeech.errors import CleanSpeechError
from cleanspeech.evaluation import EVAL_ROWS_PER_SOURCE, report_from_scores, score_folds
from cleanspeech.models import ENSEMBLE_FILE, load_model
from cleanspeech.paths import models_dir


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=str(models_dir() / "transformer"), help="transformer directory")
    p.add_argument("--baseline", default=str(models_dir() / "baseline"), help="baseline directory")
    p.add_argument("--ensemble-dir", default=str(models_dir() / "ensemble"), help="where to write the ensemble")
    p.add_argument("--data-dir", help="data directory (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument("--max-eval-rows", type=int, default=EVAL_ROWS_PER_SOURCE, help="rows per language set")
    return p.parse_args(argv)


def write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {path}", flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        transformer, baseline = load_model(args.model), load_model(args.baseline)
        frame = build_dataset(args.data_dir)
        scores = {"transformer": score_folds(transformer, frame, args.max_eval_rows)}
        scores["baseline"] = score_folds(baseline, frame, args.max_eval_rows).loc[scores["transformer"].index]
    except CleanSpeechError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = report_from_scores("transformer", frame, scores["transformer"])
    write(Path(args.model) / "evaluation.json", report)
    write(Path(args.model) / "thresholds.json", report["thresholds"])
    ensemble_scores = (scores["transformer"] + scores["baseline"]) / 2
    ensemble = report_from_scores("ensemble", frame, ensemble_scores)
    members = {Path(args.baseline).name: 0.5, Path(args.model).name: 0.5}
    write(Path(args.ensemble_dir) / ENSEMBLE_FILE, {"weights": members, "thresholds": ensemble["thresholds"]})
    write(Path(args.ensemble_dir) / "evaluation.json", ensemble)
    for name, r in (("transformer", report), ("ensemble", ensemble)):
        for split, content in r["splits"].items():
            macro = content["metrics"]["macro"]
            figures = f"ROC-AUC {macro['roc_auc']:.4f} PR-AUC {macro['pr_auc']:.4f} F1 {macro['f1']:.4f}"
            print(f"{name} {split}: macro {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
