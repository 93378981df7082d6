"""Command line: `python -m cleanspeech predict|evaluate|score|explain|rewrite|export-model|pack-model|serve ...`.

Output is JSON (or a table for `evaluate`); any problem with the input is one line on stderr and exit status 2.
"""

import argparse
import json
import sys
import warnings
from pathlib import Path

import pandas as pd

from ._io import at_least, output_file, run_main, summary_stream, typed_text
from .classifiers import load_models, remember_scores
from .classifiers.command import add_model_commands, add_model_option
from .errors import InputError
from .evaluation.reports import EVAL_ROWS_PER_SOURCE, report_tables
from .explain.command import add_explain_command
from .labels import LABELS
from .moderation.command import add_moderation_commands, add_verdict_options, verdict_hook
from .rewrite.command import add_rewrite_command
from .server.command import add_serve_command
from .serving.csv_files import CHUNK_ROWS, TEXT_COLUMN
from .text import is_blank


def _model_result(row: dict, name: str) -> dict:
    """One model's part of a `score_frame` row: its scores and the labels it flagged (on the unrounded scores)."""
    return {
        "scores": {label: round(float(row[f"{name}_{label}"]), 5) for label in LABELS},
        "flagged": row[f"{name}_flagged"].split(",") if row[f"{name}_flagged"] else [],
    }


def _read_file_to_score(args):
    """The --file of `predict`: (frame, row errors), after its notices went to stderr."""
    from .serving import read_lines, read_table, require_column

    if args.texts:
        raise InputError("give either texts or --file, not both")
    if args.lines:
        if args.column != TEXT_COLUMN:  # the one column read_lines makes
            raise InputError("--lines reads one comment per line, with no columns: leave out --column")
        table, how = read_lines(args.file, lenient=args.lenient), ""
    else:  # a .txt read as CSV lost its first line, likely a comment, to the header: say how to read it instead
        how = ", or read one comment per line with --lines" if Path(args.file).suffix.lower() == ".txt" else ""
        table = read_table(args.file, lenient=args.lenient, keep_how=f"with --lenient{how}")
    require_column(list(table.frame.columns), args.column, table.name, f"Name it with --column{how}.")
    empty = f"{table.name} holds no comments" if args.lines else f"{table.name} has a header but no rows"
    for notice in table.notices + ([empty] if table.frame.empty else []):
        print(f"note: {notice}", file=sys.stderr)
    return table.frame, table.row_errors


def cmd_predict(args) -> int:
    from .serving import check_output_path

    if args.output:
        check_output_path(args.output, args.file)
    if args.lines and not args.file:
        raise InputError("--lines says how to read --file: give --file FILE")
    if args.file:
        frame, errors = _read_file_to_score(args)
        texts = frame[args.column].tolist()
    else:
        texts, errors, frame = args.texts, {}, None
        if not texts or all(is_blank(t) for t in texts):
            raise InputError("nothing to score: " + ("the text is empty" if texts else "give texts or --file FILE"))
    models = load_models(args.model)
    hook = verdict_hook(args, models, args.column if frame is not None and args.output else "text")
    if args.output:
        _write_scored(args, frame if frame is not None else pd.DataFrame({"text": texts}), errors, models, hook)
    else:
        _print_scored(args, frame, texts, errors, models, hook)
    return 0


def _write_scored(args, frame: pd.DataFrame, errors: dict, models: dict, hook) -> None:
    """`predict --output`: every input row and column, a status column and the scores, then a summary."""
    from .serving import renamed_inputs_notice, score_frame, status_column, write_table

    column = args.column if args.file else "text"
    if notice := renamed_inputs_notice(frame.columns, models):
        print(f"note: {notice}", file=sys.stderr)
    scored = score_frame(frame, column, models, row_errors=errors)
    scored = hook(scored, status=status_column(frame.columns)) if hook else scored
    write_table(scored, args.output, safe_cells=not args.raw_cells)
    summary = {"rows": len(scored), "output": str(args.output), "models": list(models)}
    print(json.dumps(summary | (hook.summary if hook else {})), file=summary_stream(args.output))


def _print_scored(args, frame: pd.DataFrame | None, texts: list, errors: dict, models: dict, hook) -> None:
    """`predict` without --output: one JSON result per comment on stdout, with its verdict where a policy judged."""
    from .serving import UNPARSED_COLUMN, score_frame

    texts_only = pd.DataFrame({"text": texts})
    if frame is not None and "id" in frame.columns and args.column != "id":  # what names each comment in the queue
        texts_only["id"] = frame["id"].tolist()
    scored = score_frame(texts_only, "text", models, row_errors=errors)  # once, for both uses
    results = _json_results(scored, models)
    if frame is not None and UNPARSED_COLUMN in frame.columns:  # a malformed row kept by --lenient: its text, whole
        for i in errors:
            results[i]["unparsed_row"] = frame[UNPARSED_COLUMN].iloc[i]
    if hook:
        judged = hook(scored)
        for result, row in zip(results, judged.itertuples()):
            if row.verdict:
                result["verdict"] = {"action": row.verdict, "severity": row.severity, "reasons": row.reasons.split("; ")
                                     if row.reasons else [], "policy": hook.summary["policy"],
                                     "model": hook.summary["model"]}  # fmt: skip
        if args.enqueue:  # stdout holds the results: how many were queued goes beside them
            print(json.dumps({k: hook.summary[k] for k in ("queued", "already_queued")}), file=sys.stderr)
    print(json.dumps(results, indent=2, ensure_ascii=False))


def _json_results(scored: pd.DataFrame, models: dict) -> list[dict]:
    """One result per row of a `score_frame` of texts: its status, detected language and each model's scores and
    flags (an ensemble also says which language's weights it used, `und` where detection was unsure and the
    languages' weights were blended, and how much each member counted on each label and in the language's mix)."""
    from .classifiers.ensemble import routing_language
    from .serving import SCORED_STATUSES

    results = []
    for row in scored.to_dict("records"):
        text, status = row["text"], row["status"]
        result = {"text": text, "status": status, "truncated": status == "truncated", "language": None, "models": {}}
        if status in SCORED_STATUSES:
            result["language"] = routing_language(text)[0]
            for name, model in models.items():
                result["models"][name] = _model_result(row, name)
                if hasattr(model, "route"):  # an ensemble: which member spoke, and how loudly
                    route = model.route(text)[0]
                    weights = {member: round(w, 4) for member, w in route["weights"].items()}  # as scores are
                    per_label = {label: {member: round(w, 4) for member, w in mix.items()}
                                 for label, mix in route["label_weights"].items()}  # fmt: skip
                    result["models"][name] |= {"routed_as": route["routed_as"], "weights": weights,
                                               "label_weights": per_label}  # fmt: skip
        results.append(result)
    return results


def cmd_evaluate(args) -> int:
    from .data import build_dataset
    from .evaluation import MetricWarning, evaluation_report

    models = remember_scores(load_models(args.model))  # the ensemble reads its members' scores, not runs them again
    frame = build_dataset(args.data_dir, args.jigsaw_dir)
    reports = {}
    sample = [rows or None for rows in (args.max_eval_rows, args.max_validation_rows, args.max_test_rows)]  # 0: all
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MetricWarning)  # one-class groups show as NaN in the table
        for name, model in models.items():
            report = evaluation_report(model, frame, model.thresholds, *sample)
            report.pop("predictions")
            for split in report["splits"].values():
                split.pop("curves")
            reports[name] = report
    print(json.dumps(reports, indent=2) if args.json else report_tables(reports))
    return 0


def cmd_score(args) -> int:
    from .serving import check_output_path, score_csv

    check_output_path(args.output, args.input)  # before the models load
    models = load_models(args.model)
    hook = verdict_hook(args, models, args.column, args.chunk_rows)
    summary = score_csv(args.input, args.output, args.column, models, args.chunk_rows, args.cpu, not args.raw_cells,
                        args.lenient, hook)  # fmt: skip
    summary |= hook.summary if hook else {}
    if summary.pop("is_main_process"):
        for notice in summary["notices"]:
            print(f"note: {notice}", file=sys.stderr)
        print(json.dumps(summary), file=summary_stream(args.output))
    return 0


def _add_raw_cells_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw-cells", action="store_true", help="write text cells as they are, even ones a "
                        "spreadsheet would run as formulas (default: such cells get a leading ')")  # fmt: skip


def _add_lenient_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lenient", action="store_true", help="keep malformed rows (a wrong number of fields, a "
                        "quote never closed, a NUL byte) whole in an 'unparsed_row' column, marked as errors and not "
                        "scored (default: such a file is refused, naming the lines)")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cleanspeech", description="CleanSpeech toxicity moderation")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_scoring_commands(sub)
    add_explain_command(sub)
    add_rewrite_command(sub)
    add_model_commands(sub)
    add_moderation_commands(sub)
    add_serve_command(sub)
    return parser


def _add_scoring_commands(sub) -> None:
    """`predict`, `evaluate` and `score`."""
    predict = sub.add_parser("predict", help="score comments; prints JSON")
    predict.add_argument("texts", nargs="*", help="comment text(s) to score")
    predict.add_argument("--file", help="CSV (comma, semicolon or tab; any common encoding) or .xlsx file of comments "
                         "(- for stdin)")  # fmt: skip
    predict.add_argument("--column", default=TEXT_COLUMN, help="text column of --file (default: %(default)s)")
    predict.add_argument("--lines", action="store_true", help="--file is plain text, one comment per line, no header "
                         "(blank lines skipped)")  # fmt: skip
    predict.add_argument("--output", type=output_file, help="write the scored file here (.csv, or .xlsx by its "
                         "name; every input row and column kept, plus a status column; - for stdout) instead of "
                         "JSON")  # fmt: skip
    add_model_option(predict, many=True)
    _add_raw_cells_option(predict)
    _add_lenient_option(predict)
    add_verdict_options(predict)
    predict.set_defaults(func=cmd_predict)

    evaluate = sub.add_parser("evaluate", help="metrics of the models on the data's validation, test and language sets")
    evaluate.add_argument("--data-dir", help="data directory (default: $CLEANSPEECH_DATA or ../shared/data)")
    evaluate.add_argument("--jigsaw-dir", help="directory with Kaggle's full train.csv, test.csv, test_labels.csv")
    add_model_option(evaluate, many=True)
    evaluate.add_argument("--max-eval-rows", type=at_least(0), default=EVAL_ROWS_PER_SOURCE,
                          help="rows per language set (0: all; default: %(default)s)")  # fmt: skip
    evaluate.add_argument("--max-validation-rows", type=at_least(0), default=0, help="rows per source of the "
                          "validation fold, a seeded sample for a quick look (default 0: all 18,259)")  # fmt: skip
    evaluate.add_argument("--max-test-rows", type=at_least(0), default=0, help="rows of the test fold, a seeded "
                          "sample for a quick look (default 0: all 1,027)")  # fmt: skip
    evaluate.add_argument("--json", action="store_true", help="print JSON instead of tables")
    evaluate.set_defaults(func=cmd_evaluate)

    score = sub.add_parser("score", help="score a CSV or .xlsx of any size into a new file (also under accelerate "
                           "launch)")  # fmt: skip
    score.add_argument("input", help="CSV (comma, semicolon or tab; any common encoding) or .xlsx file to score (- "
                       "for stdin)")  # fmt: skip
    score.add_argument("output", type=output_file, help="file to write (.csv, or .xlsx by its name; - for stdout): "
                       "every input row and column, a status column (scored, empty, truncated, error: ...), then the "
                       "scores")  # fmt: skip
    score.add_argument("--column", default=TEXT_COLUMN, help="text column (default: %(default)s)")
    add_model_option(score, many=True)
    score.add_argument(
        "--chunk-rows", type=at_least(1), default=CHUNK_ROWS, help="rows per chunk (default: %(default)s)"
    )
    score.add_argument("--cpu", action="store_true", help="score on CPU processes even where GPUs exist")
    _add_raw_cells_option(score)
    _add_lenient_option(score)
    add_verdict_options(score)
    score.set_defaults(func=cmd_score)


def _typed_text(text: str) -> str:
    repaired, changed = typed_text(text)
    if changed:
        print("note: the text has bytes that are not UTF-8; each reads as \ufffd", file=sys.stderr)
    return repaired


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if isinstance(getattr(args, "text", None), str):
        args.text = _typed_text(args.text)
    if getattr(args, "texts", None):
        args.texts = [_typed_text(text) for text in args.texts]
    return run_main(lambda _: args.func(args))
