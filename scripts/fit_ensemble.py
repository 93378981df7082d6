"""The ensemble's weights per language, fitted on validation data, with its thresholds and evaluation.

    python scripts/fit_ensemble.py                        # models/baseline + models/transformer -> models/ensemble/
    python scripts/fit_ensemble.py --max-eval-rows 500 --ensemble-dir runs/ensemble

Both members score the validation and test folds and a sample of every evaluation set. For each language with
validation rows, the baseline gets the weight (0, 0.1, ..., 1; the transformer the rest) that maximises the mean
ROC-AUC over the labels known in that language, or the smallest weight within `--tolerance` of that maximum:
where validation cannot tell two weights apart, the transformer gets the say, since it reads every language and
was trained against identity bias, while a bag of n-grams keys on the identity words themselves. A language the
baseline never trained on is scored by the transformer alone, and so is a comment whose language is undetermined
or uncertain (the default weights): the baseline cannot read a language it has not seen, and mixing its guess into
a few misrouted comments ranks them apart from the rest. Each comment is routed by its detected language
(`cleanspeech.classifiers.ensemble.routing_language`), as the ensemble does when it serves, so the thresholds
(tuned for F1 on validation) and `evaluation.json` describe the ensemble as served.
"""

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech._io import run_main, write_json_atomic
from cleanspeech.classifiers import load_model, resolve_model_dir
from cleanspeech.classifiers.ensemble import routing_language, save_ensemble, weights_for
from cleanspeech.data import build_dataset
from cleanspeech.evaluation import MetricWarning
from cleanspeech.evaluation.metrics import evaluate
from cleanspeech.evaluation.reports import EVAL_ROWS_PER_SOURCE, report_from_scores, score_folds
from cleanspeech.labels import LABELS
from cleanspeech.languages import KNOWN_LANGUAGES

GRID = np.round(np.linspace(0, 1, 11), 1)  # the baseline's weight; the transformer gets 1 - w
# Mean ROC-AUC differences below this are noise: on the 13,269 English validation rows the weights 0.5, 0.6 and 0.7
# scored within 0.0001 of each other, and the argmax alone picked 0.6.
TOLERANCE = 0.001


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--baseline", default="baseline", help="baseline model name or directory (default: baseline)")
    p.add_argument("--transformer", default="transformer", help="transformer name or directory (default: transformer)")
    p.add_argument("--ensemble-dir", help="where to write the ensemble (default: the shipped models' ensemble folder)")
    p.add_argument("--data-dir", help="data directory (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument("--max-eval-rows", type=int, default=EVAL_ROWS_PER_SOURCE, help="rows per evaluation set")
    p.add_argument("--max-validation-rows", type=int, help="rows per source of the validation fold the weights and "
                   "thresholds are fitted on, a seeded sample for a quick fit (default: all)")  # fmt: skip
    p.add_argument("--tolerance", type=float, default=TOLERANCE, help="mean ROC-AUC within which the smallest "
                   f"baseline weight is preferred to the best one (default: {TOLERANCE}; 0: the best)")  # fmt: skip
    return p.parse_args(argv)


def baseline_languages(baseline_dir: Path) -> set[str]:
    """The languages the baseline trained on, from its meta (training-data summary)."""
    meta = json.loads((baseline_dir / "baseline_meta.json").read_text())
    return {source["lang"] for source in meta["training_data"].get("train", {}).values()}


def mean_auc(rows: pd.DataFrame, scores: pd.DataFrame) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MetricWarning)  # a label with one class in a language: left out
        table = evaluate(rows[list(LABELS)], scores)
    return float(table["roc_auc"].reindex(list(LABELS)).mean(skipna=True))


def best_weight(rows: pd.DataFrame, baseline: pd.DataFrame, transformer: pd.DataFrame, tolerance: float) -> float:
    aucs = [mean_auc(rows, w * baseline.loc[rows.index] + (1 - w) * transformer.loc[rows.index]) for w in GRID]
    return smallest_near_best(aucs, tolerance)


def smallest_near_best(aucs, tolerance: float) -> float:
    """The smallest baseline weight of GRID whose score is within `tolerance` of the best score."""
    aucs = np.asarray(aucs, dtype=float)
    near = np.flatnonzero(aucs >= np.nanmax(aucs) - tolerance)
    return float(GRID[int(near[0])])


def fit_language_weights(validation: pd.DataFrame, baseline, transformer, readable: set[str],
                         tolerance: float = TOLERANCE) -> tuple[dict, dict]:  # fmt: skip
    """(default weights, {language: weights}): fitted where validation rows exist, transformer-only where the
    baseline cannot read the language and where the language is not known (the default)."""
    default = 0.0
    per_language = {}
    for lang in KNOWN_LANGUAGES:
        rows = validation[validation["lang"] == lang]
        w = best_weight(rows, baseline, transformer, tolerance) if lang in readable and len(rows) else 0.0
        per_language[lang] = {"baseline": w, "transformer": round(1 - w, 1)}
    return {"baseline": default, "transformer": round(1 - default, 1)}, per_language


def routed(frame, baseline, transformer, default: dict, per_language: dict) -> pd.DataFrame:
    """Each row's ensemble score with the weights of its detected language."""
    languages = [routing_language(text)[1] for text in frame.loc[baseline.index, "text"]]
    w = np.array([weights_for(lang, default, per_language)["baseline"] for lang in languages])
    return baseline.mul(w, axis=0) + transformer.mul(1 - w, axis=0)


def main(argv=None) -> int:
    args = parse_args(argv)
    frame = build_dataset(args.data_dir)
    baseline_dir, transformer_dir = resolve_model_dir(args.baseline), resolve_model_dir(args.transformer)
    scores = {name: score_folds(load_model(path), frame, args.max_eval_rows, args.max_validation_rows)
              for name, path in (("baseline", baseline_dir), ("transformer", transformer_dir))}  # fmt: skip
    baseline, transformer = scores["baseline"], scores["transformer"].loc[scores["baseline"].index]
    validation = frame.loc[baseline.index][frame.loc[baseline.index, "fold"] == "validation"]
    readable = baseline_languages(baseline_dir)
    default, per_language = fit_language_weights(validation, baseline, transformer, readable, args.tolerance)
    report = report_from_scores("ensemble", frame, routed(frame, baseline, transformer, default, per_language))
    directory = Path(args.ensemble_dir) if args.ensemble_dir else resolve_model_dir("ensemble")
    members = {"baseline": baseline_dir, "transformer": transformer_dir}
    save_ensemble(directory, members, default, report["thresholds"], per_language)
    write_json_atomic(directory / "evaluation.json", report, indent=None, separators=(",", ":"))
    print(json.dumps({"default": default, "per_language": per_language}))
    for split, content in report["splits"].items():
        print(f"{split}: macro ROC-AUC {content['metrics']['macro']['roc_auc']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
