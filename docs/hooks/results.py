"""MkDocs hook: the measured results in docs/results.md, rendered at build time from the models' own JSON files.

The page holds the marker `<!-- results -->`; this hook replaces it with Markdown tables read from

- `models/<model>/evaluation.json` (baseline, transformer, ensemble): only the metric summaries, i.e.
  `splits[fold]["metrics"]`, `splits[fold]["by_source"]` and `by_language` (never the curves or predictions);
- `models/<model>/faithfulness.json`: ERASER comprehensiveness and sufficiency per explanation method;
- `models/rewriter/evaluation.json`: the rewriting systems on held-out ParaDetox;
- `models/transformer/backend.json`, `metrics.json`, `history.json`: the serving backend check and the last
  training pass;
- `models/baseline/baseline_meta.json`: the rows per source the shipped models were trained and evaluated on;
- a benchmark JSON from `scripts/benchmark.py`, where one exists (`models/*/benchmark.json`, `runs/benchmark.json`).

It uses the standard library only (no torch, no `cleanspeech` import), and a missing or unreadable file becomes a
sentence on the page, never a build error. Run it directly to print the generated Markdown:

    python docs/hooks/results.py [REPO_ROOT]
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

MARKER = "<!-- results -->"
PAGE = "results.md"
LABELS = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
CLASSIFIERS = ("baseline", "transformer", "ensemble")
SPLITS = ("validation", "test")
SPLIT_TITLES = {
    "validation": "validation (held-out rows of every training source)",
    "test": "test (the scored Jigsaw test rows)",
}
REWRITE_SYSTEMS = {
    "copy": "copy the input",
    "delete": "delete lexicon phrases",
    "local": "**local rewriter**",
    "reference": "human rewrite",
}
METHOD_TITLES = {
    "linear": "linear (exact)",
    "gradient": "gradient × input",
    "integrated_gradients": "integrated gradients",
    "shap": "SHAP",
}


# ---------------------------------------------------------------- MkDocs entry point


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    if page.file.src_uri != PAGE or MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, render(Path(config.config_file_path).resolve().parent))


# ---------------------------------------------------------------- helpers


def load(path: Path):
    """The parsed JSON of `path`, or None where it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def num(value, digits: int = 4) -> str:
    """A number for a table cell with `digits` decimals; '–' for None, NaN or anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}"


def count(value) -> str:
    """A count (rows, positives, steps; JSON may hold them as floats) with thousands separators."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return "–"
    return f"{round(value):,}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def missing(path: str, how: str) -> str:
    return f"*`{path}` is not in this checkout, so this section is empty.* {how}"


def rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


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

    out += ["### ROC-AUC side by side", "", "Validation / test ROC-AUC per label, at a glance.", ""]
    header = ["label"] + [name for name in reports]
    rows = []
    for label in (*LABELS, "macro"):
        cells = [f"{num(metric(r, 'validation', label))} / {num(metric(r, 'test', label))}" for r in reports.values()]
        rows.append([f"**{label}**" if label == "macro" else label, *cells])
    out += [table(header, rows), ""]

    for name, report in reports.items():
        out += [f"### {name}", ""]
        for fold in (*SPLITS, *(f for f in report["splits"] if f not in SPLITS)):
            metrics = (report["splits"].get(fold) or {}).get("metrics") or {}
            if not metrics:
                continue
            out += [
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
            by_source = (report["splits"].get(fold) or {}).get("by_source") or {}
            if len(by_source) > 1 or (by_source and fold == "validation"):
                out += [f"ROC-AUC by source, {fold} (– where the source does not annotate the label):", ""]
                header = ["source", *LABELS, "macro"]
                rows = [
                    [source, *(num((per.get(label) or {}).get("roc_auc")) for label in (*LABELS, "macro"))]
                    for source, per in sorted(by_source.items())
                ]
                out += [table(header, rows), ""]
    out += [render_languages(reports)]
    return "\n".join(out)


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
    out += [
        f"Source: `{rel(root, path)}`. The same {count(choice.get('rows'))} validation rows scored with each backend; "
        "int8 is served only when it stays within 0.002 macro ROC-AUC of PyTorch, else fp32 ONNX under the same "
        f"rule, else PyTorch. Served backend: **`{choice.get('backend')}`**.",
        "",
        table(
            ["backend", "macro ROC-AUC", "difference to torch"],
            [
                [
                    f"`{b}`",
                    num(v, 5),
                    num(v - scores["torch"], 5)
                    if isinstance(scores.get("torch"), (int, float)) and isinstance(v, (int, float))
                    else "–",
                ]
                for b, v in scores.items()
            ],
        ),
        "",
    ]
    return "\n".join(out)


# ---------------------------------------------------------------- explanations


def render_faithfulness(root: Path) -> str:
    out = ["## Explanation faithfulness", ""]
    found = {name: load(root / "models" / name / "faithfulness.json") for name in ("baseline", "transformer")}
    found = {name: report for name, report in found.items() if isinstance(report, dict)}
    if not found:
        return "\n".join(
            out + [missing("models/*/faithfulness.json", "`python scripts/evaluate_explanations.py` writes them."), ""]
        )
    out += [
        "Source: " + ", ".join(f"`models/{name}/faithfulness.json`" for name in found) + ". ERASER "
        "comprehensiveness (the drop in probability when the top-ranked words are deleted; higher is more faithful) "
        "and sufficiency (the drop when only they are kept; lower is better), averaged over the bins of top words, "
        "against a random ranking of the same words; ± one standard error.",
        "",
    ]
    header = [
        "model",
        "method",
        "label",
        "comments",
        "comprehensiveness",
        "sufficiency",
        "random: comp. / suff.",
        "comp. ÷ random",
        "s per comment",
    ]
    rows, notes = [], []
    for name, report in found.items():
        for method, m in (report.get("methods") or {}).items():
            if not isinstance(m, dict):
                continue
            rnd = m.get("random") or {}
            rows.append(
                [
                    name,
                    METHOD_TITLES.get(method, method),
                    str(report.get("label")),
                    count(report.get("comments")),
                    f"{num(m.get('comprehensiveness'), 3)} ± {num(m.get('comprehensiveness_se'), 3)}",
                    f"{num(m.get('sufficiency'), 3)} ± {num(m.get('sufficiency_se'), 3)}",
                    f"{num(rnd.get('comprehensiveness'), 3)} / {num(rnd.get('sufficiency'), 3)}",
                    num(m.get("comprehensiveness_vs_random"), 2),
                    num(m.get("seconds_per_comment"), 3),
                ]
            )
        notes.append(f"{name}: {report.get('selection')}; top-word bins {report.get('bins')}")
    out += [table(header, rows), "", "Comments: " + "; ".join(notes) + ".", ""]
    return "\n".join(out)


# ---------------------------------------------------------------- rewriting


def render_rewriting(root: Path) -> str:
    path = root / "models" / "rewriter" / "evaluation.json"
    report = load(path)
    out = ["## Rewriting", ""]
    if not isinstance(report, dict) or not isinstance(report.get("systems"), dict):
        return "\n".join(out + [missing(rel(root, path), "`python scripts/evaluate_rewrite.py` writes it."), ""])
    out += [
        f"Source: `{rel(root, path)}`: {report.get('data')}, {count(report.get('sentences'))} sentences. STA: share "
        "the transformer flags no label; STA baseline: the same by the baseline; SIM: cosine of e5 sentence "
        "embeddings to the input; FL: fluency; chrF against the human rewrites; J: mean of STA × SIM × FL per "
        "sentence; changed: share of sentences the system changed. Definitions: [Rewriting](rewriting.md#evaluation).",
        "",
    ]
    header = ["system", "STA", "STA baseline", "SIM", "FL", "chrF", "J", "changed"]
    rows = []
    for key, s in report["systems"].items():
        if not isinstance(s, dict):
            continue
        title = REWRITE_SYSTEMS.get(key, key)
        if key == "reference" and s.get("sentences"):
            title += f" ({count(s['sentences'])} sentences with two or more)"
        rows.append(
            [
                title,
                num(s.get("STA"), 3),
                num(s.get("STA_baseline"), 3),
                num(s.get("SIM"), 3),
                num(s.get("FL"), 3),
                num(s.get("chrF"), 1),
                num(s.get("J"), 3),
                num(s.get("changed"), 3),
            ]
        )
    out += [table(header, rows), ""]
    speeds = [
        f"{REWRITE_SYSTEMS.get(k, k).strip('*')} {num(s['sentences_per_s'], 1)} sentences/s"
        for k, s in report["systems"].items()
        if isinstance(s, dict) and s.get("sentences_per_s")
    ]
    if speeds:
        out += ["Speed in the same run: " + ", ".join(speeds) + ".", ""]
    return "\n".join(out)


# ---------------------------------------------------------------- speed


def benchmark_files(root: Path) -> list[Path]:
    candidates = [root / "models" / "benchmark.json", *sorted((root / "models").glob("*/benchmark.json"))]
    candidates.append(root / "runs" / "benchmark.json")
    return [path for path in candidates if path.is_file()]


def render_benchmark(root: Path) -> str:
    out = ["## Speed and size", ""]
    paths = benchmark_files(root)
    if not paths:
        return "\n".join(
            out
            + [
                "*No benchmark JSON in this checkout* (looked for `models/*/benchmark.json` and `runs/benchmark.json`; "
                "`runs/` is git-ignored). Produce one on the machine you care about with",
                "",
                "```bash",
                "python scripts/benchmark.py                       # writes runs/benchmark.json",
                "python scripts/benchmark.py --predict-rows 400 --latency-repeats 50 --output runs/benchmark.json",
                "```",
                "",
                "and build the docs again: this section then shows its tables. Compare figures as ratios within one "
                "run; absolute figures depend on the machine.",
                "",
            ]
        )
    for path in paths:
        out.append(render_one_benchmark(rel(root, path), load(path)))
    return "\n".join(out)


def render_one_benchmark(name: str, report) -> str:
    if not isinstance(report, dict):
        return f"*`{name}` could not be read as JSON.*\n"
    machine = report.get("machine") or {}
    out = [
        f"### `{name}`",
        "",
        f"Machine: {machine.get('platform')}, Python {machine.get('python')}, {machine.get('cpus')} cores; "
        f"comments of {num(report.get('mean_comment_chars'), 1)} characters on average.",
        "",
    ]
    serving = report.get("serving") or {}
    if serving:
        header = [
            "configuration",
            "size (MB)",
            "comments",
            "comments/s",
            "one comment: median (ms)",
            "p95 (ms)",
            "cold start (s)",
            "cold-start peak (MB)",
        ]
        rows = [
            [
                f"`{config}`",
                num(e.get("size_mb"), 1),
                count(e.get("comments")),
                num(e.get("comments_per_s"), 1),
                num(e.get("single_latency_ms_median"), 1),
                num(e.get("single_latency_ms_p95"), 1),
                num(e.get("cold_start_s"), 2),
                num(e.get("peak_rss_mb"), 0),
            ]
            for config, e in serving.items()
            if isinstance(e, dict)
        ]
        out += [table(header, rows), ""]
    ratios = report.get("ratios") or {}
    if ratios:
        out += [
            "Ratios within the run (served backend: "
            f"`{ratios.get('served_backend')}`): "
            + ", ".join(f"{k} {num(v, 2)}" for k, v in ratios.items() if k != "served_backend")
            + ".",
            "",
        ]
    explanations = report.get("explanation_latency") or {}
    if explanations:
        columns = sorted(
            {k for t in explanations.values() if isinstance(t, dict) for k in t},
            key=lambda k: int(k.split("_")[0]) if k.split("_")[0].isdigit() else 0,
        )
        header = ["explanation (median s)", *(c.replace("_words_s", " words") for c in columns)]
        rows = [
            [f"`{key}`", *(num(t.get(c), 3) for c in columns)] for key, t in explanations.items() if isinstance(t, dict)
        ]
        out += [table(header, rows), ""]
    rewrite = report.get("rewrite_latency") or {}
    if rewrite:
        out += [
            f"Local rewrite of one toxic comment: {num(rewrite.get('p50_s'), 3)} s median, "
            f"{num(rewrite.get('p95_s'), 3)} s p95 ({count(rewrite.get('comments'))} comments of "
            f"{count(rewrite.get('median_words'))} words median).",
            "",
        ]
    training = report.get("baseline_training") or {}
    if training:
        out += [
            f"Baseline training: {count(training.get('comments'))} comments in {num(training.get('seconds'), 1)} s "
            f"({num(training.get('comments_per_s'), 1)} comments/s). Peak memory of the benchmark process: "
            f"{num(report.get('peak_rss_mb'), 0)} MB.",
            "",
        ]
    return "\n".join(out)


# ---------------------------------------------------------------- the page


SECTIONS = (
    render_classifiers,
    render_backend,
    render_faithfulness,
    render_rewriting,
    render_benchmark,
    render_transformer_training,
    render_training_data,
)


def render(root: Path) -> str:
    """The generated Markdown. A file of an unexpected shape spoils only its own section, and the page says so."""
    sections = []
    for section in SECTIONS:
        try:
            sections.append(section(root))
        except Exception as exc:  # noqa: BLE001 - the docs build goes on; the page names the problem
            name = section.__name__.removeprefix("render_").replace("_", " ")
            sections.append(f"*The {name} section could not be rendered: {type(exc).__name__}: {exc}.*\n")
    return "\n".join(section.rstrip() + "\n" for section in sections)


if __name__ == "__main__":
    repo = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]
    sys.stdout.write(render(repo))
