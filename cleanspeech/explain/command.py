"""The `explain` command: which words drove each label's score for one comment, as JSON."""

import json

from .._io import at_least
from ..classifiers import load_model
from ..classifiers.command import add_model_option
from ..errors import InputError
from ..labels import LABELS
from ..text import is_blank


def add_explain_command(sub) -> None:
    explain = sub.add_parser("explain", help="which words drove each label's score; prints JSON")
    explain.add_argument("text", help="the comment to explain")
    add_model_option(explain)
    explain.add_argument(
        "--method",
        help="baseline: linear (exact); transformer: gradient (fast), integrated_gradients (ig), shap; "
        "embedding: shap (default: the first)",
    )
    explain.add_argument("--label", action="append", choices=LABELS,
                         help="only this label (repeatable; speeds up gradient methods)")  # fmt: skip
    explain.add_argument("--top", type=at_least(0), default=0,
                         help="only the N words that pushed hardest towards a label (0: every word)")  # fmt: skip
    explain.set_defaults(func=cmd_explain)


def cmd_explain(args) -> int:
    from . import explain

    if is_blank(args.text):  # said before the model loads
        raise InputError("nothing to explain: the text is empty")
    labels = tuple(args.label) if args.label else None
    explanation = explain(load_model(args.model), args.text, args.method, labels=labels)
    result = explanation.to_dict()
    if args.top:  # the words pushing hardest towards the labels shown (the asked ones, else any); none for a word
        # that only pulled scores down: on a clean comment "the top words towards toxic" are none
        pushing = [w for w in result["words"] if max(w["scores"].values(), default=0.0) > 0]
        result["words"] = sorted(pushing, key=lambda w: -max(w["scores"].values()))[: args.top]
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0
