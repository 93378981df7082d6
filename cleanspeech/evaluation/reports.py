"""Evaluate a model on the dataset's folds: metrics tables, curves, per-language scores, stored predictions.

The same report is written beside a trained model (`evaluation.json`) and printed by `python -m cleanspeech evaluate`,
so what the app shows and what the CLI measures come from one code path.
"""

import copy
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import write_json_atomic
from ..labels import LABELS
from ..serving import score_texts
from .metrics import curve_points, evaluate, tune_thresholds, tune_toxic_threshold

EVAL_ROWS_PER_SOURCE = 3000  # research sets are large; a seeded sample per dataset keeps `evaluate` to seconds
PREDICTION_DECIMALS = 5  # stored scores: enough to tell rows apart at a fraction of the file's full-precision size
THRESHOLD_FIGURES = ("precision", "recall", "f1", "threshold")  # what a metrics table measures at the thresholds


def sample_evaluation_rows(frame: pd.DataFrame, max_rows: int | None = EVAL_ROWS_PER_SOURCE, seed: int = 42):
    """The `evaluation` fold, at most `max_rows` per source (stratified enough at these sizes by random sampling)."""
    return _per_source(frame[frame["fold"] == "evaluation"], max_rows, seed)


def _per_source(rows: pd.DataFrame, max_rows: int | None, seed: int = 42) -> pd.DataFrame:
    """At most `max_rows` rows of each source, a seeded sample, in their original order (all: None)."""
    if max_rows is None:
        return rows
    return rows.sample(frac=1.0, random_state=seed).groupby("source").head(max_rows).sort_index()


def score_rows(model, rows: pd.DataFrame, batch_size: int = 4096) -> pd.DataFrame:
    """Scores for `rows`, indexed like them."""
    scores = score_texts(model, rows["text"].tolist(), batch_size)
    scores.index = rows.index
    return scores


def metrics_by_group(rows: pd.DataFrame, scores: pd.DataFrame, keys: list[str], label: str = "toxic") -> list[dict]:
    """ROC-AUC and PR-AUC of one label per group (e.g. per language and dataset)."""
    out = []
    for group, part in rows.groupby(keys, sort=True):
        table = evaluate(part[[label]], scores.loc[part.index, [label]])
        if label not in table.index:
            continue
        values = table.loc[label]
        group = group if isinstance(group, tuple) else (group,)
        out.append(
            {
                **dict(zip(keys, group)),
                "label": label,
                "n": int(values["n"]),
                "positives": int(values["positives"]),
                "roc_auc": _nan_to_none(values["roc_auc"]),
                "pr_auc": _nan_to_none(values["pr_auc"]),
            }
        )
    return out


def _nan_to_none(value):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)


def table_to_dict(table: pd.DataFrame) -> dict:
    return {idx: {k: _nan_to_none(float(v)) for k, v in row.items()} for idx, row in table.iterrows()}


def predictions_record(rows: pd.DataFrame, scores: pd.DataFrame) -> dict:
    """Column-wise predictions without the text (texts stay in the data directory; `id` joins them back)."""
    return {
        "id": rows["id"].tolist(),
        "source": rows["source"].tolist(),
        "lang": rows["lang"].tolist(),
        "labels": {lb: [None if np.isnan(v) else int(v) for v in rows[lb]] for lb in LABELS},
        "scores": {lb: scores[lb].round(PREDICTION_DECIMALS).tolist() for lb in LABELS},
    }


def score_folds(
    model,
    frame: pd.DataFrame,
    max_eval_rows: int | None = EVAL_ROWS_PER_SOURCE,
    max_validation_rows: int | None = None,
    max_test_rows: int | None = None,
) -> pd.DataFrame:
    """Scores of the validation and test folds and of a sample of the evaluation fold, indexed like `frame`.

    `max_validation_rows` and `max_test_rows` sample the validation fold (per source; 18,259 rows in all) and the test
    fold (1,027 Jigsaw rows) too, seeded, for a quick look; by default both are scored whole.
    """
    validation = _per_source(frame[frame["fold"] == "validation"], max_validation_rows)
    test = _per_source(frame[frame["fold"] == "test"], max_test_rows)
    folds = frame[frame.index.isin(validation.index) | frame.index.isin(test.index)]  # in the frame's order
    return score_rows(model, pd.concat([folds, sample_evaluation_rows(frame, max_eval_rows)]))


def evaluation_report(
    model,
    frame: pd.DataFrame,
    thresholds: dict | None = None,
    max_eval_rows: int | None = EVAL_ROWS_PER_SOURCE,
    max_validation_rows: int | None = None,
    max_test_rows: int | None = None,
) -> dict:
    """Measure validation, test and the per-language evaluation sets.

    Precision/recall/F1 use `thresholds`; without them, thresholds are tuned on the validation fold (training time).
    """
    scores = score_folds(model, frame, max_eval_rows, max_validation_rows, max_test_rows)
    return report_from_scores(model.name, frame, scores, thresholds)


def report_from_scores(name: str, frame: pd.DataFrame, scores: pd.DataFrame, thresholds: dict | None = None) -> dict:
    """The report of `evaluation_report` from scores already computed (rows of `frame` that `scores` indexes)."""
    report = {"model": name, "labels": list(LABELS), "splits": {}, "predictions": {}}
    rows = frame.loc[scores.index]
    validation = rows[rows["fold"] == "validation"]
    if thresholds is None and len(validation):
        thresholds = tune_thresholds(validation[list(LABELS)], scores.loc[validation.index])
    report["thresholds"] = thresholds
    for fold in ("validation", "test"):
        part = rows[rows["fold"] == fold]
        if not len(part):
            continue
        fold_scores = scores.loc[part.index]
        report["splits"][fold] = {
            "metrics": table_to_dict(evaluate(part[list(LABELS)], fold_scores, thresholds)),
            "curves": curve_points(part[list(LABELS)], fold_scores),
            "by_source": {
                source: table_to_dict(evaluate(group[list(LABELS)], fold_scores.loc[group.index], thresholds))
                for source, group in part.groupby("source", sort=True)
            },
        }
        report["predictions"][fold] = predictions_record(part, fold_scores)
    if len(rows):
        report["by_language"] = metrics_by_group(rows.assign(set=rows["fold"]), scores, ["lang", "source", "set"])
    return report


def stored_predictions(report: dict, fold: str) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Targets (NaN where unknown), scores and sources of a fold's predictions stored in a report
    (`predictions_record`)."""
    stored = report["predictions"][fold]
    truth = pd.DataFrame(stored["labels"], columns=list(LABELS), dtype=float)
    return truth, pd.DataFrame(stored["scores"], columns=list(LABELS), dtype=float), np.asarray(stored["source"])


def _toxic_at(kept: dict, truth: pd.DataFrame, scores: pd.DataFrame, threshold: float) -> dict:
    """A stored metrics table with toxic's `THRESHOLD_FIGURES` measured again at `threshold`, and the macro row's
    means with them. Every other figure is kept: the AUCs and the other labels' figures were measured on the
    full-precision scores, which the stored ones only round."""
    if "toxic" not in kept:  # a source that does not annotate toxic
        return kept
    with warnings.catch_warnings():  # one class only: the run that wrote the report warned already
        warnings.simplefilter("ignore")
        toxic = table_to_dict(evaluate(truth[["toxic"]], scores[["toxic"]], {"toxic": threshold}))["toxic"]
    table = {row: dict(figures) for row, figures in kept.items()}
    table["toxic"].update({k: toxic[k] for k in THRESHOLD_FIGURES})
    if "macro" in table:  # as `evaluate` averages: over the labels that have the figure
        for k in ("precision", "recall", "f1"):
            values = [f[k] for row, f in table.items() if row != "macro" and f.get(k) is not None]
            table["macro"][k] = float(np.mean(values)) if values else None
    return table


def with_toxic_threshold_retuned(report: dict) -> dict:
    """`report` (an `evaluation.json`) with toxic's threshold tuned again for its flags as served
    (`tune_toxic_threshold`) on its stored validation predictions, the other labels' thresholds kept, and toxic's
    precision, recall and F1 in every table (and their macro means) measured again; every other figure is kept. For a
    change to the labels that imply toxic, without scoring every row again.

    The stored scores are rounded (`PREDICTION_DECIMALS`). The other labels' thresholds are compared with them rounded
    the same way (a threshold is a validation row's score: that row counts as flagged), and toxic's goes half a step
    below the tuned stored score, where it flags on the model's full-precision scores the rows it flags on the stored
    ones (half a step above the highest, where the best is to flag no row on toxic's own score).
    """
    truth, scores, _ = stored_predictions(report, "validation")
    thresholds = dict(report["thresholds"])
    on_grid = {label: round(value, PREDICTION_DECIMALS) for label, value in thresholds.items()}
    tuned = tune_toxic_threshold(truth, scores, on_grid)
    half = 0.5 * 10.0**-PREDICTION_DECIMALS
    toxic = tuned - half if tuned <= scores["toxic"].max() else tuned + half
    thresholds["toxic"] = round(toxic, PREDICTION_DECIMALS + 1)
    retuned = copy.deepcopy(report) | {"thresholds": thresholds}
    for fold, split in retuned["splits"].items():
        truth, scores, sources = stored_predictions(report, fold)
        split["metrics"] = _toxic_at(split["metrics"], truth, scores, thresholds["toxic"])
        for source, kept in split["by_source"].items():
            part = sources == source
            split["by_source"][source] = _toxic_at(kept, truth[part], scores[part], thresholds["toxic"])
    return retuned


def write_report(directory, report: dict) -> Path:
    """Write `report` as `evaluation.json` in `directory`: compact (the stored predictions make it large), through a
    temporary file, so a reader never sees half a report."""
    return write_json_atomic(Path(directory) / "evaluation.json", report, indent=None, separators=(",", ":"))


def summary_lines(report: dict) -> list[str]:
    """One line per split of a report: macro ROC-AUC, PR-AUC and F1 (what the training scripts print at the end)."""
    lines = []
    for split, content in report["splits"].items():
        macro = content["metrics"]["macro"]
        lines.append(
            f"{split}: macro ROC-AUC {macro['roc_auc']:.4f}  PR-AUC {macro['pr_auc']:.4f}  F1 {macro['f1']:.4f}"
        )
    return lines


def disagreements(report_a: dict, report_b: dict, split: str, label: str, top: int = 20) -> pd.DataFrame:
    """The `top` stored predictions of `split` where two reports' scores for `label` differ most.

    Rows are joined on `id` (texts are not stored; the caller joins them from the data directory). Columns: id,
    source, lang, the true label (NaN where the source does not annotate it), both models' scores and their
    difference (a - b), sorted by its size.
    """
    columns = ["id", "source", "lang", "truth", "score_a", "score_b", "difference"]
    frames = []
    for report, score in ((report_a, "score_a"), (report_b, "score_b")):
        record = report.get("predictions", {}).get(split)
        if not record:
            return pd.DataFrame(columns=columns)
        fields = {"id": record["id"], "source": record["source"], "lang": record["lang"]}
        frames.append(pd.DataFrame({**fields, "truth": record["labels"][label], score: record["scores"][label]}))
    # both reports store the same fields for an id, so only the scores are taken from the second
    joined = frames[0].merge(frames[1][["id", "score_b"]], on="id", how="inner")
    joined["difference"] = (joined["score_a"] - joined["score_b"]).round(5)
    joined = joined.sort_values("difference", key=np.abs, ascending=False, kind="stable")
    return joined.head(top)[columns].reset_index(drop=True)


def report_tables(reports: dict) -> str:
    """Evaluation reports (model name -> report) as plain-text tables: metrics per split, ROC-AUC by source and per
    language, as `cleanspeech evaluate` prints them."""
    lines = []
    for name, report in reports.items():
        for split, content in report["splits"].items():
            table = pd.DataFrame(content["metrics"]).T[["roc_auc", "pr_auc", "precision", "recall", "f1", "threshold"]]
            lines += [f"== {name} / {split} (F1 at tuned thresholds)", table.round(4).to_string(), ""]
            by_source = pd.DataFrame(
                {source: {k: v["roc_auc"] for k, v in m.items()} for source, m in content["by_source"].items()}
            ).T.reindex(columns=[*LABELS, "macro"])
            lines += [f"== {name} / {split}: ROC-AUC by source", by_source.round(4).to_string(na_rep="-"), ""]
        if report.get("by_language"):
            langs = pd.DataFrame(report["by_language"])[
                ["lang", "source", "set", "n", "positives", "roc_auc", "pr_auc"]
            ]
            lines += [f"== {name} / toxic ROC-AUC per language", langs.round(4).to_string(index=False), ""]
    return "\n".join(lines)
