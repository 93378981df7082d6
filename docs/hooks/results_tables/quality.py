"""The classifiers' quality, the serving backend check, the transformer's last training pass and the training data."""

from __future__ import annotations

from pathlib import Path

from .common import CLASSIFIERS, LABELS, SPLIT_TITLES, SPLITS, count, load, missing, num, rel, table

# ---------------------------------------------------------------- classifiers


def load_evaluations(root: Path) -> dict:
    """Model name -> the metric summary of its evaluation.json (curves and predictions dropped at once)."""
    found = {}
    for name in CLASSIFIERS:
        report = load(root / "models" / name / "evaluation.json")
        if not isinstance(report, dict):
            continue
        splits = {
            fold: {"metrics": part.get("metrics") or {}, "by_source": part.get("by_source") or {}}
            for fold, part in (report.get("splits") or {}).items()
            if isinstance(part, dict)
        }
        found[name] = {"splits": splits, "by_language": report.get("by_language") or []}
    return found


def metric(report: dict, fold: str, label: str, key: str = "roc_auc"):
    return ((report["splits"].get(fold) or {}).get("metrics") or {}).get(label, {}).get(key)


def render_classifiers(root: Path) -> str:
    reports = load_evaluations(root)
    out = ["## Classifiers", ""]
    absent = [name for name in CLASSIFIERS if name not in reports]
    for name in absent:
        script = "scripts/train_baseline.py" if name == "baseline" else "scripts/evaluate_transformer.py"
        out += [missing(f"models/{name}/evaluation.json", f"`python {script}` writes it."), ""]
    if not reports:
        return "\n".join(out)
    sources = ", ".join(f"`models/{name}/evaluation.json`" for name in reports)
    out += [f"Source: {sources} (`splits[fold].metrics`, `splits[fold].by_source`, `by_language`).", ""]
    out += side_by_side(reports)
    for name, report in reports.items():
        out += [f"### {name}", ""]
        for fold in (*SPLITS, *(f for f in report["splits"] if f not in SPLITS)):
            out += fold_tables(report, fold)
    out += [render_languages(reports)]
    return "\n".join(out)


def side_by_side(reports: dict) -> list[str]:
    """The lines of the validation / test ROC-AUC table with one column per model."""
    out = ["### ROC-AUC side by side", "", "Validation / test ROC-AUC per label, at a glance.", ""]
    header = ["label"] + [name for name in reports]
    rows = []
    for label in (*LABELS, "macro"):
        cells = [f"{num(metric(r, 'validation', label))} / {num(metric(r, 'test', label))}" for r in reports.values()]
        rows.append([f"**{label}**" if label == "macro" else label, *cells])
    return out + [table(header, rows), ""]


def fold_tables(report: dict, fold: str) -> list[str]:
    """The lines of one model's metrics on one fold, and its ROC-AUC by source where that says something."""
    part = report["splits"].get(fold) or {}
    metrics = part.get("metrics") or {}
    if not metrics:
        return []
    out = [
        f"**{SPLIT_TITLES.get(fold, fold)}**: F1, precision and recall at the thresholds tuned on validation.",
        "",
    ]
    header = ["label", "ROC-AUC", "PR-AUC", "precision", "recall", "F1", "threshold", "rows", "positives"]
    rows = []
    for label in (*LABELS, "macro"):
        m = metrics.get(label)
        if not isinstance(m, dict):
            continue
        cells = [
            num(m.get("roc_auc")),
            num(m.get("pr_auc")),
            num(m.get("precision"), 3),
            num(m.get("recall"), 3),
            num(m.get("f1"), 3),
            num(m.get("threshold"), 3),
            count(m.get("n")),
            count(m.get("positives")),
        ]
        rows.append([f"**{label}**" if label == "macro" else label, *cells])
    out += [table(header, rows), ""]
    by_source = part.get("by_source") or {}
    if len(by_source) > 1 or (by_source and fold == "validation"):
        out += [f"ROC-AUC by source, {fold} (– where the source does not annotate the label):", ""]
        header = ["source", *LABELS, "macro"]
        rows = [
            [source, *(num((per.get(label) or {}).get("roc_auc")) for label in (*LABELS, "macro"))]
            for source, per in sorted(by_source.items())
        ]
        out += [table(header, rows), ""]
    return out


def render_languages(reports: dict) -> str:
    keyed: dict[tuple, dict] = {}
    for name, report in reports.items():
        for row in report["by_language"]:
            if not isinstance(row, dict):
                continue
            key = (row.get("lang"), row.get("source"), row.get("set"), row.get("label"))
            entry = keyed.setdefault(key, {"n": row.get("n"), "positives": row.get("positives")})
            entry[name] = row.get("roc_auc")
    if not keyed:
        return "### Per language\n\n*No model's evaluation.json has a `by_language` list.*\n"
    names = [name for name in reports if reports[name]["by_language"]]
    out = [
        "### Per language",
        "",
        "Toxic ROC-AUC per language set. `validation`: held-out rows of sources the models train on; `evaluation`: "
        "rows no shipped model trained on, the research-licensed sets (see [Data and licences](data.md)) and the "
        "fifth of ParaDetox held out for the rewriting evaluation; `test`: the scored Jigsaw test rows. An "
        "evaluation set is sampled to the `--max-eval-rows` of the run that wrote the file (3,000 by default; "
        "`python -m cleanspeech evaluate --max-eval-rows 0` scores every row).",
        "",
    ]
    header = ["lang", "source", "set", "label", "rows", "positives", *(f"{name} ROC-AUC" for name in names)]
    rows = [
        [
            str(k[0]),
            str(k[1]),
            str(k[2]),
            str(k[3]),
            count(v["n"]),
            count(v["positives"]),
            *(num(v.get(name), 3) for name in names),
        ]
        for k, v in sorted(keyed.items(), key=lambda item: tuple(str(x) for x in item[0]))
    ]
    out += [table(header, rows), ""]
    return "\n".join(out)


# ---------------------------------------------------------------- training data and the last training pass


def render_training_data(root: Path) -> str:
    path = root / "models" / "baseline" / "baseline_meta.json"
    meta = load(path)
    out = ["## Data the shipped models saw", ""]
    if not isinstance(meta, dict) or not isinstance(meta.get("training_data"), dict):
        return "\n".join(out + [missing(rel(root, path), "`python scripts/train_baseline.py` writes it."), ""])
    data = meta["training_data"]
    out += [
        f"Source: `{rel(root, path)}` (`training_data`). Rows per source after de-duplication, per fold, with how "
        "many rows annotate each label (a source that does not annotate a label leaves it unknown, never 0). "
        f"Research data in training: {'yes' if meta.get('include_research_data') else 'no'}; Jigsaw files: "
        f"{meta.get('jigsaw')}; "
        f"split seed {meta.get('seed')}.",
        "",
    ]
    header = ["fold", "source", "lang", "rows", *(f"{label} known / positive" for label in LABELS)]
    rows, totals = [], {}
    for fold in ("train", "validation", "test", "evaluation"):
        for source, entry in sorted((data.get(fold) or {}).items()):
            if not isinstance(entry, dict):
                continue
            known, positives = entry.get("known") or {}, entry.get("positives") or {}
            cells = [
                f"{count(known.get(label))} / {count(positives.get(label))}" if known.get(label) else "–"
                for label in LABELS
            ]
            rows.append([fold, source, str(entry.get("lang")), count(entry.get("rows")), *cells])
            totals[fold] = totals.get(fold, 0) + (entry.get("rows") or 0)
    out += [table(header, rows), ""]
    out += [
        "Rows per fold: " + ", ".join(f"{fold} {count(rows_in_fold)}" for fold, rows_in_fold in totals.items()) + ".",
        "",
    ]
    return "\n".join(out)


def render_transformer_training(root: Path) -> str:
    directory = root / "models" / "transformer"
    out = ["## The transformer's last training pass", ""]
    metrics, history = load(directory / "metrics.json"), load(directory / "history.json")
    if not isinstance(metrics, dict) and not isinstance(history, list):
        return "\n".join(out + [missing("models/transformer/history.json", "`scripts/train.py` writes it."), ""])
    if isinstance(metrics, dict):
        out += [
            "Source: `models/transformer/metrics.json`: best step "
            f"{count(metrics.get('best_step'))} of {count(metrics.get('steps'))}, best validation macro ROC-AUC "
            f"{num(metrics.get('best_score'))} (on the pass's validation sample), mixed precision "
            f"`{metrics.get('mixed_precision')}`, {count(metrics.get('frozen_parameters'))} frozen parameters.",
            "",
        ]
    if isinstance(history, list) and history:
        out += ["Source: `models/transformer/history.json` (one row per evaluation):", ""]
        header = [
            "step",
            "epoch",
            "train loss",
            "validation loss",
            "learning rate",
            "samples/s",
            "macro ROC-AUC",
            "macro PR-AUC",
        ]
        rows = [
            [
                count(h.get("step")),
                num(h.get("epoch"), 3),
                num(h.get("train_loss")),
                num(h.get("val_loss")),
                f"{h['learning_rate']:.2e}" if isinstance(h.get("learning_rate"), (int, float)) else "–",
                num(h.get("samples_per_s"), 1),
                num((h.get("roc_auc") or {}).get("macro")),
                num((h.get("pr_auc") or {}).get("macro")),
            ]
            for h in history
            if isinstance(h, dict)
        ]
        out += [table(header, rows), ""]
    return "\n".join(out)


def render_backend(root: Path) -> str:
    path = root / "models" / "transformer" / "backend.json"
    choice = load(path)
    out = ["## Serving backend check", ""]
    if not isinstance(choice, dict):
        return "\n".join(out + [missing(rel(root, path), "`python scripts/evaluate_transformer.py` writes it."), ""])
    scores = choice.get("macro_roc_auc") or {}
    changes = choice.get("flag_changes")  # files written before the flag rule have none
    changes = changes if isinstance(changes, dict) else {}
    out += [
        f"Source: `{rel(root, path)}`. The same {count(choice.get('rows'))} validation rows scored with each backend; "
        "int8 is served only when it stays within 0.002 macro ROC-AUC of PyTorch and flags at most 0.5% of the rows "
        "differently at the model's thresholds, else fp32 ONNX under the same rule, else PyTorch. Served backend: "
        f"**`{choice.get('backend')}`**.",
        "",
        table(
            ["backend", "macro ROC-AUC", "difference to torch", "rows flagged differently"],
            [
                [
                    f"`{b}`",
                    num(v, 5),
                    num(v - scores["torch"], 5)
                    if isinstance(scores.get("torch"), (int, float)) and isinstance(v, (int, float))
                    else "–",
                    f"{changes[b]:.2%}" if isinstance(changes.get(b), (int, float)) else "–",
                ]
                for b, v in scores.items()
            ],
        ),
        "",
    ]
    return "\n".join(out)
