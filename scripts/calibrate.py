"""Calibrated probabilities for a model, fitted and measured: writes calibration.json beside it and a reliability plot.

    python scripts/calibrate.py                          # every shipped model with an evaluation.json
    python scripts/calibrate.py --model transformer --plot-dir docs/images

Fitting rows: the Jigsaw rows of the model's stored validation predictions (`evaluation.json`; never trained on),
weighted so that each label's positives make up its natural base rate, which is read from the natural-rate Jigsaw
train rows (`jigsaw_sample/train.csv`, a prefix of Kaggle's file; `--jigsaw-dir` for Kaggle's full one). Measuring
rows: the labelled Jigsaw test rows, at their natural base rates, never used for fitting. See
`cleanspeech.evaluation.calibration` for the method. `cleanspeech serve` answers Perspective's API with the
calibrated probabilities wherever calibration.json exists.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech._io import run_main
from cleanspeech.classifiers import available_models, resolve_model_dir
from cleanspeech.data.readers import read_jigsaw_train
from cleanspeech.errors import InputError
from cleanspeech.evaluation.calibration import (
    Calibration,
    expected_calibration_error,
    fit_platt,
    prior_weights,
    reliability_bins,
)
from cleanspeech.labels import LABELS
from cleanspeech.paths import find_data_file, resolve_data_dir

FIT_SOURCE = "jigsaw"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", action="append", help="model name or directory (default: every shipped model)")
    p.add_argument("--data-dir", help="data directory (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument("--jigsaw-dir", help="a folder with Kaggle's full train.csv: base rates from it instead")
    p.add_argument("--plot-dir", help="write reliability_<model>.svg here (needs matplotlib)")
    return p.parse_args(argv)


def natural_base_rates(data_dir, jigsaw_dir=None) -> dict[str, float]:
    """Each label's positive rate in natural-rate Jigsaw training rows."""
    folder = Path(jigsaw_dir) if jigsaw_dir else resolve_data_dir(data_dir) / "jigsaw_sample"
    rows = read_jigsaw_train(find_data_file(folder, "train.csv"))
    return {label: float(rows[label].mean()) for label in LABELS}


def stored_predictions(model_dir: Path, split: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(labels, scores) of a split in the model's evaluation.json, Jigsaw rows only."""
    path = model_dir / "evaluation.json"
    if not path.is_file():
        raise InputError(f"{path} not found: evaluate the model first (python -m cleanspeech evaluate)")
    record = json.loads(path.read_text())["predictions"][split]
    keep = np.array(record["source"]) == FIT_SOURCE
    labels, scores = pd.DataFrame(record["labels"])[keep], pd.DataFrame(record["scores"])[keep]
    return labels.reset_index(drop=True), scores.reset_index(drop=True)


def calibrate(model_dir: Path, rates: dict[str, float]) -> Calibration:
    fit_truth, fit_scores = stored_predictions(model_dir, "validation")
    test_truth, test_scores = stored_predictions(model_dir, "test")
    params, measured = {}, {}
    for label in LABELS:
        known = fit_truth[label].notna()
        truth, score = fit_truth.loc[known, label].to_numpy(), fit_scores.loc[known, label].to_numpy()
        params[label] = fit_platt(truth, score, prior_weights(truth, rates[label]))
        held = test_truth[label].notna()
        y, raw = test_truth.loc[held, label].to_numpy(), test_scores.loc[held, [label]]
        calibrated = Calibration({label: params[label]}).apply_frame(raw.reindex(columns=list(LABELS)))[label]
        measured[label] = {
            "fit_rows": int(known.sum()), "fit_positives": int(truth.sum()), "test_rows": int(held.sum()),
            "test_positives": int(y.sum()), "natural_base_rate": rates[label],
            "ece_before": expected_calibration_error(y, raw[label].to_numpy()),
            "ece_after": expected_calibration_error(y, calibrated.to_numpy()),
            "reliability_before": reliability_bins(y, raw[label].to_numpy()),
            "reliability_after": reliability_bins(y, calibrated.to_numpy()),
        }  # fmt: skip
    report = {"fitted_on": "validation predictions, Jigsaw rows, weighted to natural base rates",
              "measured_on": "labelled Jigsaw test rows (natural base rates)", "per_label": measured}  # fmt: skip
    return Calibration(params, report)


def plot(calibration: Calibration, name: str, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(2, 3, figsize=(11, 7), sharex=True, sharey=True)
    for ax, label in zip(axes.flat, LABELS):
        measured = calibration.report["per_label"][label]
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
        for when, color in (("before", "tab:red"), ("after", "tab:blue")):
            bins = measured[f"reliability_{when}"]
            ax.plot([b["mean_score"] for b in bins], [b["observed"] for b in bins], "o-", color=color,
                    label=f"{when}: ECE {measured[f'ece_{when}']:.3f}")  # fmt: skip
        ax.set_title(f"{label} ({measured['test_positives']} of {measured['test_rows']} positive)", fontsize=10)
        ax.legend(fontsize=8, loc="upper left")
    figure.supxlabel("mean predicted probability (10 bins)")
    figure.supylabel("observed positive rate")
    figure.suptitle(f"Reliability of {name} on the natural-rate Jigsaw test rows, before and after calibration")
    figure.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"reliability_{name}.svg"
    figure.savefig(path, metadata={"Date": None})  # no timestamp: the same fit gives the same file
    plt.close(figure)
    return path


def main(argv=None) -> int:
    args = parse_args(argv)
    rates = natural_base_rates(args.data_dir, args.jigsaw_dir)
    for name in args.model or available_models():
        model_dir = resolve_model_dir(name)
        calibration = calibrate(model_dir, rates)
        written = [calibration.save(model_dir)]
        if args.plot_dir:
            written.append(plot(calibration, model_dir.name, Path(args.plot_dir)))
        summary = {label: {k: round(v[k], 4) for k in ("ece_before", "ece_after")}
                   for label, v in calibration.report["per_label"].items()}  # fmt: skip
        print(json.dumps({"model": model_dir.name, "ece": summary, "written": [str(p) for p in written]}))
    print("done", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
