"""The model parts of the command line: `--model` as every subcommand takes it, and the `export-model` and
`pack-model` subcommands that turn a trained transformer into a standalone or a shipped artifact."""

import argparse
import json
from pathlib import Path

from ..errors import InputError, ModelNotFound
from ..paths import models_dir
from .files import is_transformer_dir
from .registry import MODEL_COMMANDS, find_model, resolve_model_dir


def add_model_option(parser: argparse.ArgumentParser, many: bool = False, default: str = "transformer") -> None:
    """`--model NAME_OR_DIR`, the same in every subcommand: a shipped model name or a model directory.

    Commands that score with several models take it repeatedly (default: every shipped model); the others take one.
    """
    names = ", ".join(MODEL_COMMANDS)
    if many:
        help_text = f"model name ({names}) or directory; repeatable (default: every shipped model)"
        parser.add_argument("--model", action="append", help=help_text)
    else:
        parser.add_argument(
            "--model", default=default, help=f"model name ({names}) or directory (default: %(default)s)"
        )


def cmd_export_model(args) -> int:
    from .hf_export import export_model

    source = resolve_model_dir(args.model)
    if not is_transformer_dir(source):
        find_model(args.model)  # no model there at all: that error
        raise ModelNotFound(f"{args.model} is not a transformer: export-model writes a transformer as a Hugging Face "
                            "directory (the shipped one: --model transformer)")  # fmt: skip
    _check_target(Path(args.out_dir), args.force, source=source)
    out = export_model(source, args.out_dir)
    print(json.dumps({"exported": str(out), "from": str(source)}))
    return 0


def cmd_pack_model(args) -> int:
    from .compact import save_compact

    source, target = Path(args.trained_dir), Path(args.out_dir or models_dir() / "transformer")
    if not is_transformer_dir(source):
        raise ModelNotFound(f"no trained model in {source} (needs config.json from scripts/train.py)")
    _check_target(target, args.force, "--out-dir", source=source)
    out = save_compact(source, target)
    size_mb = sum(p.stat().st_size for p in out.iterdir() if p.is_file()) / 2**20
    print(json.dumps({"packed": str(out), "from": str(source), "size_mb": round(size_mb, 1)}))
    return 0


def _check_target(target: Path, force: bool, choose: str = "another directory", source: Path | None = None) -> None:
    """Refuse, before any model loads, to write into a file, into the model being read (writing a model clears the
    one it replaces), or over what a directory already holds unless forced."""
    if source is not None and target.exists() and target.resolve() == Path(source).resolve():
        raise InputError(f"{target} is the model being read: write it into {choose}")
    if target.exists() and not target.is_dir():
        raise InputError(f"{target} is a file, not a directory to write the model into")
    if target.exists() and any(target.iterdir()) and not force:
        raise InputError(f"{target} is not empty; pass --force to write the model into it anyway (or choose {choose})")


def add_model_commands(sub) -> None:
    """`export-model` and `pack-model`."""
    export = sub.add_parser("export-model", help="write a standalone Hugging Face directory of a transformer model")
    export.add_argument("out_dir", help="directory to write (transformers.pipeline loads it)")
    export.add_argument("--force", action="store_true", help="write into out_dir although it is not empty")
    add_model_option(export)
    export.set_defaults(func=cmd_export_model)

    pack = sub.add_parser("pack-model", help="store an e5 model from scripts/train.py compactly (for models/)")
    pack.add_argument("trained_dir", help="the best-model directory of a run, e.g. runs/e5-small/best")
    pack.add_argument("--out-dir", help="where to write it (default: the shipped models' transformer folder)")
    pack.add_argument("--force", action="store_true", help="replace a model already in --out-dir")
    pack.set_defaults(func=cmd_pack_model)
