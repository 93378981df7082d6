"""Train the TF-IDF + logistic-regression baseline on the real data and write `models/baseline/`.

    python scripts/train_baseline.py                      # staged data in ../shared/data or $CLEANSPEECH_DATA
    python scripts/train_baseline.py --jigsaw-dir ~/kaggle/jigsaw-toxic-comment-classification-challenge

Writes `baseline_pipeline.pkl.gz` (vectorisers + one classifier per label), `baseline_meta.json` (labels, tuned
thresholds, settings, training-data summary, metrics) and `evaluation.json` (metrics, ROC/PR curve points,
per-language scores and the validation/test predictions the app's comparison pages read).
"""

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from cleanspeech._io import at_least, run_main
from cleanspeech.classifiers.baseline import DEFAULT_SETTINGS, BaselineModel
from cleanspeech.data.corpus import SEED, VALIDATION_FRACTION, build_dataset, summarize, with_extra_rows
from cleanspeech.data.counterfactual import (
    DEFAULT_BALANCE_FACTOR,
    DEFAULT_BENIGN_COPIES,
    DEFAULT_CLEAN_ATTACK_COPIES,
    DEFAULT_TOXIC_COPIES,
    identity_training_rows,
)
from cleanspeech.data.readers import is_kaggle_dir
from cleanspeech.data.statements import DEFAULT_DENIALS, parse_attack_languages
from cleanspeech.evaluation.reports import evaluation_report, summary_lines, write_report
from cleanspeech.labels import LABELS
from cleanspeech.paths import models_dir, resolve_data_dir

# The baseline trains with the written identity statements, benign ones only: sentences that name a group or say who
# the speaker is, in six languages, labelled clean. Measured (docs/training.md): its benign false-positive rate on
# the identity templates fell from 7.1% to 1.6%, and on held-out real comments that name a group from 9.9% to 8.7% in
# English and from 48% to 12% in Spanish, at the same Jigsaw ROC-AUC. With the attacks too it got worse: a bag of
# n-grams cannot read who is attacked, and the attacks' group words made the identity terms more toxic.
STATEMENTS = 600
STATEMENT_ATTACKS = "none"


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", help="data directory (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument("--jigsaw-dir", help="Kaggle's full Jigsaw files (train.csv, test.csv, test_labels.csv; zipped ok)")
    p.add_argument("--output-dir", default=None, help="where to write the model (default: models/baseline)")
    p.add_argument(
        "--include-research-data",
        action="store_true",
        help="also train on research-only / non-commercial sets (you accept their terms; do not ship)",
    )
    p.add_argument(
        "--max-train-rows", type=at_least(0), default=None, help="subsample the training rows (quick runs; 0: all)"
    )
    p.add_argument("--C", type=float, default=DEFAULT_SETTINGS["C"], help="inverse regularisation strength")
    p.add_argument("--no-unicode-normalization", action="store_true", help="train without evasion folding")
    p.add_argument("--identity-benign-copies", type=at_least(0), default=DEFAULT_BENIGN_COPIES,
                   help="counterfactual copies (identity terms swapped) of each benign training comment that names "
                   "a group (default: %(default)s; 0 turns the augmentation off)")  # fmt: skip
    p.add_argument("--identity-toxic-copies", type=at_least(0), default=DEFAULT_TOXIC_COPIES,
                   help="counterfactual copies of each toxic one (default: %(default)s)")  # fmt: skip
    p.add_argument("--identity-balance-factor", type=at_least(0), default=DEFAULT_BALANCE_FACTOR,
                   help="benign mentions added per identity term until it is no more often toxic than its language's "
                   "comments, at most this many per toxic mention (default: %(default)s; 0: off)")  # fmt: skip
    p.add_argument(
        "--clean-attack-copies",
        type=at_least(0),
        default=DEFAULT_CLEAN_ATTACK_COPIES,
        help="identity-swapped copies of each identity attack not labelled obscene (default: %(default)s)",
    )
    p.add_argument("--identity-statements", type=at_least(0), default=STATEMENTS,
                   help="written identity statements per language: attacks without profanity, benign mentions, "
                   "counter-speech (default: %(default)s; never more than the real rows)")  # fmt: skip
    p.add_argument("--identity-statement-attacks", metavar="LANGS", default=STATEMENT_ATTACKS,
                   help="comma-separated languages whose statements hold attacks, none, or all (default: "
                   "%(default)s: benign statements only)")  # fmt: skip
    p.add_argument("--identity-statement-denials", metavar="SHARE", type=float, default=DEFAULT_DENIALS,
                   help="share of the statements' draw given to outright denials of an attack (\"No, Muslims are "
                   "not a threat to anyone.\"), 0 to 0.4, from the benign kinds (default: %(default)s)")  # fmt: skip
    p.add_argument(
        "--extra-data",
        help="CSV file(s), comma-separated, of your own training rows: comment_text and "
        "label columns (0, 1 or blank), as `python -m cleanspeech export-decisions` writes them",
    )
    p.add_argument("--seed", type=int, default=SEED)
    return p.parse_args(argv)


def mitigation_rows(train_rows: pd.DataFrame, args: argparse.Namespace) -> tuple[pd.DataFrame, dict]:
    """The identity mitigation's rows for `train_rows`, and the settings and counts the metadata records."""
    settings = (args.identity_benign_copies, args.identity_toxic_copies, args.identity_balance_factor,
                args.clean_attack_copies, args.identity_statements)  # fmt: skip
    attack_languages = args.identity_statement_attacks
    extra, counts = identity_training_rows(
        train_rows,
        *settings,
        seed=args.seed,
        statement_attack_languages=parse_attack_languages(attack_languages),
        statement_denials=args.identity_statement_denials,
    )
    names = ("benign_copies", "toxic_copies", "balance_factor", "clean_attack_copies", "statements")
    augmentation = dict(zip(names, settings)) | {"statement_attacks": attack_languages or "all",
                                                 "statement_denials": args.identity_statement_denials}  # fmt: skip
    print(f"identity mitigation rows: {counts}", flush=True)
    return extra, augmentation | {"rows": counts}


def train(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    frame = build_dataset(args.data_dir, args.jigsaw_dir, args.include_research_data, VALIDATION_FRACTION, args.seed)
    train_rows = frame[frame["fold"] == "train"]
    if args.max_train_rows and len(train_rows) > args.max_train_rows:
        train_rows = train_rows.sample(args.max_train_rows, random_state=args.seed)
    frame = with_extra_rows(frame, args.extra_data)  # every extra row trains, whatever --max-train-rows says
    train_rows = pd.concat([train_rows, frame[frame["source"] == "extra"]])
    print(f"data: {len(train_rows):,} training rows, {len(frame):,} rows in all", flush=True)
    trained_on = train_rows.index  # the summary counts real rows, not their counterfactual copies
    extra, augmentation = mitigation_rows(train_rows, args)
    train_rows = pd.concat([train_rows, extra], ignore_index=True)

    model = BaselineModel(C=args.C, unicode_normalization=not args.no_unicode_normalization)
    fit_started = time.perf_counter()
    model.fit(train_rows["text"].tolist(), train_rows[list(LABELS)])
    fit_seconds = time.perf_counter() - fit_started
    print(f"fit: {fit_seconds:.0f}s ({len(train_rows) / fit_seconds:.0f} comments/s)", flush=True)

    report = evaluation_report(model, frame)
    model.thresholds = report["thresholds"]
    used = frame.loc[frame.index.isin(trained_on) | (frame["fold"] != "train")]
    model.meta = {
        "model": "baseline",
        "training_data": summarize(used),
        "include_research_data": bool(args.include_research_data),
        "jigsaw": "kaggle" if args.jigsaw_dir or is_kaggle_dir(resolve_data_dir(args.data_dir)) else "staged",
        "seed": args.seed,
        "identity_augmentation": augmentation,
        "extra_data": {"files": args.extra_data, "rows": int((frame["source"] == "extra").sum())}
        if args.extra_data
        else None,
        "fit_seconds": round(fit_seconds, 1),
        "metrics": {split: content["metrics"] for split, content in report["splits"].items()},
    }
    output = Path(args.output_dir) if args.output_dir else models_dir() / "baseline"
    model.save(output)
    write_report(output, report)
    print(f"wrote {output} in {time.perf_counter() - started:.0f}s", flush=True)
    return report


def _main(argv=None) -> int:
    report = train(parse_args(argv))
    print("\n".join(summary_lines(report)))
    return 0


def main(argv=None) -> int:
    return run_main(_main, argv)  # a CleanSpeechError: one line on stderr, exit status 2


if __name__ == "__main__":
    sys.exit(main())
