"""A model between two fine-tunings of one transformer: each weight (1 - w) * start + w * end (WiSE-FT).

    python scripts/interpolate_weights.py --start models/transformer --end runs/e5-small-cpu-stance/last \
        --weight 0.5 --output-dir runs/e5-small-cpu-stance-wise/best
    python -m cleanspeech pack-model runs/e5-small-cpu-stance-wise/best --force
    python scripts/evaluate_transformer.py && python scripts/fit_ensemble.py && python scripts/evaluate_fairness.py

`--end` is a run's model directory (`best`, or `last`: where the run stopped); `--start` the model it was warm-started
from, packed or not. The output is a best-model directory like a training run's, its `training_config.json` the end
model's with the interpolation recorded; the thresholds are tuned afterwards by `scripts/evaluate_transformer.py`.
Why and with what weight: docs/training.md, "Half the mixture statements, then halfway back".
"""

import argparse
import json
import sys
from pathlib import Path

from cleanspeech._io import run_main
from cleanspeech.errors import InputError
from cleanspeech.training.interpolation import interpolate_models


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--start", required=True, help="the model the end one was warm-started from")
    p.add_argument("--end", required=True, help="the continued model (a run's best or last directory)")
    p.add_argument("--weight", type=float, default=0.5, help="the end model's share (default: %(default)s)")
    p.add_argument("--output-dir", required=True, help="where to write the interpolated model")
    return p.parse_args(argv)


def _main(argv=None) -> int:
    args = parse_args(argv)
    end = Path(args.end)
    config_file = end / "training_config.json"
    if not config_file.is_file():
        raise InputError(f"{end} has no training_config.json: pass a directory written by scripts/train.py")
    out = interpolate_models(args.start, end, args.weight, args.output_dir, json.loads(config_file.read_text()))
    print(f"wrote {out} ({1 - args.weight:g} x {args.start} + {args.weight:g} x {args.end})")
    return 0


def main(argv=None) -> int:
    return run_main(_main, argv)  # a CleanSpeechError: one line on stderr, exit status 2


if __name__ == "__main__":
    sys.exit(main())
