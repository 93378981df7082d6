"""Explanation faithfulness, rewriting, and speed and size (from a benchmark JSON of `scripts/benchmark.py`)."""

from __future__ import annotations

from pathlib import Path

from .common import METHOD_TITLES, REWRITE_SYSTEMS, count, load, missing, num, rel, table

# ---------------------------------------------------------------- explanations


def render_faithfulness(root: Path) -> str:
    out = ["## Explanation faithfulness", ""]
    names = ("baseline", "transformer", "embedding")
    found = {name: load(root / "models" / name / "faithfulness.json") for name in names}
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
                "*No benchmark JSON in this checkout* (looked for `models/benchmark.json`, `models/*/benchmark.json` "
                "and `runs/benchmark.json`; "
                "`runs/` is git-ignored). Produce one on the machine you care about with",
                "",
                "```bash",
                "python scripts/benchmark.py                       # writes models/benchmark.json",
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
        out += [serving_table(serving), ""]
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
        out += [explanation_table(explanations), ""]
    if isinstance(report.get("service"), dict):
        out += service_lines(report["service"])
    if isinstance(report.get("queue"), dict):
        out += queue_lines(report["queue"])
    out += benchmark_notes(report)
    return "\n".join(out)


def serving_table(serving: dict) -> str:
    """Size, throughput, latency and cold start per serving configuration."""
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
    return table(header, rows)


def explanation_table(explanations: dict) -> str:
    """Median seconds per explanation method, one column per number of words."""
    columns = sorted(
        {k for t in explanations.values() if isinstance(t, dict) for k in t},
        key=lambda k: int(k.split("_")[0]) if k.split("_")[0].isdigit() else 0,
    )
    header = ["explanation (median s)", *(c.replace("_words_s", " words") for c in columns)]
    rows = [
        [f"`{key}`", *(num(t.get(c), 3) for c in columns)] for key, t in explanations.items() if isinstance(t, dict)
    ]
    return table(header, rows)


def service_lines(service: dict) -> list[str]:
    """`cleanspeech serve` under load, batched and not, beside offline scoring of the same comments."""
    header = [
        "service",
        "clients",
        "comments/s",
        "p50 (ms)",
        "p95 (ms)",
        "p99 (ms)",
        "server CPU (s)",
        "clients' CPU (s)",
    ]
    rows = [
        [mode, str(clients), num(e.get("comments_per_s"), 1), num(e.get("p50_ms"), 0), num(e.get("p95_ms"), 0),
         num(e.get("p99_ms"), 0), num(e.get("server_cpu_s"), 2), num(e.get("client_cpu_s"), 2)]
        for mode in ("batched", "unbatched")
        for clients, e in (service.get(mode) or {}).items()
        if isinstance(e, dict)
    ]  # fmt: skip
    offline = service.get("offline") or {}
    rows.append(["offline scoring", "-", num(offline.get("comments_per_s"), 1), "-", "-", "-",
                 num(offline.get("cpu_s"), 2), "-"])  # fmt: skip
    ratios = service.get("ratios") or {}
    return [
        f"The scoring service (`cleanspeech serve --model {service.get('model')}`, one worker) under concurrent "
        "clients, one comment per request, micro-batched and with batching off (`--max-wait-ms 0`), beside offline "
        "scoring of the same comments in one process:",
        "",
        table(header, rows),
        "",
        "Ratios: " + ", ".join(f"{k} {num(v, 2)}" for k, v in ratios.items()) + ".",
        "",
        *_section_machine(service),
    ]


def _section_machine(section: dict) -> list[str]:
    """A section re-measured on its own (`benchmark.py --only`) says where and when."""
    machine = section.get("machine")
    if not isinstance(machine, dict):
        return []
    runs = (section.get("offline") or {}).get("runs_comments_per_s")
    median = f" Offline comments/s is the median of {', '.join(map(str, runs))}." if runs else ""
    return [f"Measured on its own run ({machine.get('cpus')} cores, {machine.get('date')}).{median}", ""]


def queue_lines(queue: dict) -> list[str]:
    """The review queue at scale: enqueue rate and the time of the Queue page's queries, per database."""
    header = ["store", "items", "enqueued/s", "first page (ms)", "last page (ms)", "filtered page (ms)",
              "count (ms)", "claim (ms)", "Queue page, first (ms)", "Queue page, last (ms)"]  # fmt: skip
    keys = ("enqueue_items_per_s", "first_page_ms", "last_page_ms", "filtered_page_ms", "count_ms",
            "claim_and_release_ms", "queue_page_first_ms", "queue_page_last_ms")  # fmt: skip
    rows = [[backend, count(e.get("items")), *(num(e.get(k), 1) for k in keys)]
            for backend, e in queue.items() if isinstance(e, dict) and "items" in e]  # fmt: skip
    return ["The review queue (synthetic items; medians; the Queue page timed through streamlit.testing, so it "
            "includes the page's own Python but not a browser):", "", table(header, rows), ""]  # fmt: skip


def benchmark_notes(report: dict) -> list[str]:
    """The lines on the local rewrite's latency and on training the baseline, where the benchmark measured them."""
    out = []
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
    return out
