"""Mine the local rewriter's lexicon from ParaDetox's development part and write `models/rewriter/lexicon.json`.

    python scripts/build_rewriter.py                     # ../shared/data/paradetox or $CLEANSPEECH_DATA
    python scripts/build_rewriter.py --pairs my_pairs.csv --column toxic   # any CSV with toxic + neutral1..3 columns

Only the development part is read (the held-out fifth, chosen by a hash of each toxic sentence, stays unseen for
`scripts/evaluate_rewrite.py`). ParaDetox is CC0, so the mined lexicon may ship.
"""

import argparse
import sys

from cleanspeech._io import at_least, run_main
from cleanspeech.data.paradetox import development_pairs, read_paradetox, read_sentences_csv
from cleanspeech.paths import models_dir
from cleanspeech.rewrite import REWRITER_DIR
from cleanspeech.rewrite.lexicon import Lexicon


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", help="data directory with paradetox/ (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument("--pairs", help="a CSV of toxic sentences with their rewrites instead of ParaDetox")
    p.add_argument("--column", default="toxic", help="the toxic-sentence column of --pairs (default: toxic)")
    p.add_argument("--output-dir", default=str(models_dir() / REWRITER_DIR), help="default: models/rewriter")
    p.add_argument(
        "--min-count", type=at_least(1), default=3, help="times people must have changed a phrase (default: 3)"
    )
    p.add_argument("--min-rate", type=float, default=0.5, help="share of its sentences where it was changed")
    return p.parse_args(argv)


def _main(argv=None) -> int:
    args = parse_args(argv)
    frame = read_sentences_csv(args.pairs, args.column) if args.pairs else read_paradetox(args.data_dir)
    pairs = development_pairs(frame)
    lexicon = Lexicon.mine(pairs, min_count=args.min_count, min_rate=args.min_rate)
    source = f"{args.pairs or 'ParaDetox'}: {len(pairs):,} development pairs, min_count {args.min_count}"
    path = lexicon.save(args.output_dir, source=f"{source}, min_rate {args.min_rate}")
    print(f"{len(lexicon.entries):,} phrases from {len(pairs):,} pairs -> {path}")
    return 0


def main(argv=None) -> int:
    return run_main(_main, argv)  # a CleanSpeechError: one line on stderr, exit status 2


if __name__ == "__main__":
    sys.exit(main())
