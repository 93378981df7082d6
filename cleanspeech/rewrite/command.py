"""The `rewrite` command: a polite rewrite of one comment, scored before and after, as JSON."""

import json

from ..classifiers import load_model
from ..classifiers.command import add_model_option
from ..errors import InputError
from ..text import is_blank
from .base import BACKENDS, GEMINI_MODEL


def add_rewrite_command(sub) -> None:
    rewrite = sub.add_parser("rewrite", help="a polite rewrite, re-scored before and after; prints JSON")
    rewrite.add_argument("text", help="the comment to rewrite")
    rewrite.add_argument(
        "--backend",
        choices=BACKENDS,
        default="auto",
        help="gemini needs GEMINI_API_KEY (or GOOGLE_API_KEY); auto: gemini with a key, else local (default)",
    )
    rewrite.add_argument("--gemini-model", help=f"Gemini model name (default: {GEMINI_MODEL})")
    add_model_option(rewrite)  # the judge: it scores the comment before and after
    rewrite.set_defaults(func=cmd_rewrite)


def cmd_rewrite(args) -> int:
    from .rewriter import load_rewriter

    if is_blank(args.text):
        raise InputError("nothing to rewrite: the text is empty")  # before seconds of model loading
    rewriter = load_rewriter(judge=load_model(args.model), gemini_model=args.gemini_model)
    print(json.dumps(rewriter.rewrite(args.text, args.backend).to_dict(), indent=2, ensure_ascii=False))
    return 0
