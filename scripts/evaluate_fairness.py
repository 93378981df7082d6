"""Identity bias and functional tests of each model: templates, real held-out comments, a HateCheck-style suite.

    python scripts/evaluate_fairness.py                         # every shipped model -> models/<model>/fairness.json
    python scripts/evaluate_fairness.py --quick --output-dir runs/fair    # a small sample: a few terms, 2 languages

Per model it writes `fairness.json` (see `cleanspeech.evaluation.fairness`): per identity term and language the
benign false-positive rate at the tuned thresholds, subgroup, BPSN and BNSP AUC, their generalized means (p = -5)
and the Jigsaw 2019 final metric, on our template sentences (48 terms, 6 languages) and on held-out comments that
mention the terms; and the pass rate per functionality of the functional suite, with failing examples. The Compare
models page shows it; the model cards quote it. Prints a summary.
"""

import argparse
import sys
from pathlib import Path

from cleanspeech._io import at_least, run_main, write_json_atomic
from cleanspeech.classifiers import available_models, load_models, remember_scores, resolve_model_dir
from cleanspeech.data import build_dataset
from cleanspeech.errors import InputError
from cleanspeech.evaluation.fairness import REAL_ROWS, fairness_report
from cleanspeech.evaluation.identity_templates import LANGUAGES

QUICK_TERMS = ("gay", "muslim", "black", "woman", "deaf", "immigrant")  # --quick: one or two per category
QUICK_LANGUAGES = ("en", "de")
QUICK_ROWS = 200


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", action="append", help="model name or directory (repeatable; default: every shipped one)")
    p.add_argument("--data-dir", help="data directory (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument("--no-real", action="store_true", help="templates and the functional suite only (no data needed)")
    p.add_argument("--real-rows", type=at_least(1), help="held-out comments per language mentioning a term, and as "
                   f"many without (default: {REAL_ROWS}; {QUICK_ROWS} with --quick)")  # fmt: skip
    p.add_argument("--quick", action="store_true", help=f"terms {', '.join(QUICK_TERMS)} in "
                   f"{' and '.join(QUICK_LANGUAGES)}, {QUICK_ROWS} real comments: a check, not a measurement, so it "
                   "needs --output-dir (a model's own fairness.json is the full measurement)")  # fmt: skip
    p.add_argument("--output-dir", help="write DIR/<model>/fairness.json instead of beside each model")
    args = p.parse_args(argv)
    if args.quick and not args.output_dir:
        p.error(
            "--quick measures a sample: give --output-dir, so that it does not replace the full report beside "
            "each model"
        )
    return args


def summary_line(name: str, report: dict) -> str:
    templates = report["templates"]["languages"]["all"]
    line = (f"{name}: templates BPSN gmean {templates['bpsn_auc_gmean']}, final {templates['final_metric']}, "
            f"benign FPR max {templates['max_benign_fpr']} mean {templates['mean_benign_fpr']}, "
            f"terms over 10% {templates['terms_over_fpr_limit']} ({templates['terms_surely_over_fpr_limit']} "
            "beyond doubt); "
            f"functional pass rate {report['functional']['pass_rate']}, attacks on a group above benign mentions "
            f"(ROC-AUC) {_rounded(report['functional'].get('separation', {}))}")  # fmt: skip
    real = report.get("real_comments", {}).get("en")
    return line + (f"; real English comments final {real['final_metric']}" if real else "")


def _rounded(values: dict) -> dict:
    return {key: round(value, 3) for key, value in values.items()}


def output_dirs(names: list[str], output_dir: str | None) -> dict[str, Path]:
    """Where each model's fairness.json goes: beside the model, or under `output_dir` in a folder named after it,
    its parent's name joined on where two models share a name (runs/a/best and runs/b/best: a-best, b-best)."""
    if not output_dir:
        return {name: resolve_model_dir(name) for name in names}
    for folder in (Path(output_dir), *Path(output_dir).parents):  # found now, not after the first model's hours
        if folder.exists() and not folder.is_dir():
            raise InputError(f"--output-dir {output_dir}: {folder} is a file, not a folder")
    parts = {name: [p for p in Path(name).parts if p not in (Path(name).anchor, ".", "..")] or ["model"]
             for name in names}  # never a folder outside --output-dir ("/best", "..")  # fmt: skip
    short = [parts[name][-1] for name in names]
    return {name: Path(output_dir) / (folder if short.count(folder) == 1 else "-".join(parts[name][-2:]))
            for name, folder in zip(names, short, strict=True)}  # fmt: skip


def main(argv=None) -> int:
    args = parse_args(argv)
    names = args.model or available_models()
    directories = output_dirs(names, args.output_dir)
    if len(set(directories.values())) < len(directories):
        raise InputError("two --model paths would write one fairness.json: give them folders with different names")
    models = remember_scores(load_models(names))  # the ensemble reads its members' scores, not runs them again
    frame = None if args.no_real else build_dataset(args.data_dir)
    languages, terms = (QUICK_LANGUAGES, QUICK_TERMS) if args.quick else (LANGUAGES, None)
    rows = args.real_rows or (QUICK_ROWS if args.quick else REAL_ROWS)
    for name, model in models.items():
        report = fairness_report(model, frame, languages, terms, rows)
        report["settings"] = {"model": name, "languages": list(languages), "terms": list(terms or []) or "all",
                              "real_rows": rows}  # fmt: skip
        write_json_atomic(directories[name] / "fairness.json", report)
        print(summary_line(name, report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
