"""MkDocs hook: the measured results in docs/results.md, rendered at build time from the models' own JSON files.

The page holds the marker `<!-- results -->`; this hook replaces it with Markdown tables read from

- `models/<model>/evaluation.json` (baseline, transformer, ensemble): only the metric summaries, i.e.
  `splits[fold]["metrics"]`, `splits[fold]["by_source"]` and `by_language` (never the curves or predictions);
- `models/<model>/fairness.json`: identity-bias metrics and functional-test pass rates;
- `models/<model>/faithfulness.json`: ERASER comprehensiveness and sufficiency per explanation method;
- `models/rewriter/evaluation.json`: the rewriting systems on held-out ParaDetox;
- `models/transformer/backend.json`, `metrics.json`, `history.json`: the serving backend check and the last
  training pass;
- `models/baseline/baseline_meta.json`: the rows per source the shipped models were trained and evaluated on;
- a benchmark JSON from `scripts/benchmark.py`, where one exists (`models/benchmark.json`, else
  `models/*/benchmark.json` or `runs/benchmark.json`).

It uses the standard library only (no torch, no `cleanspeech` import), and a missing or unreadable file becomes a
sentence on the page, never a build error. The sections are built in the `results_tables` package beside this
file (`quality`: classifiers, backend, training; `reports`: faithfulness, rewriting, speed). Run it directly to
print the generated Markdown:

    python docs/hooks/results.py [REPO_ROOT]
"""

from __future__ import annotations

import sys
from pathlib import Path

# MkDocs loads a hook from its file path, not as part of a package, so the `results_tables` package beside this file
# is importable only once this directory is on sys.path (running the file as a script puts it there already).
HOOKS_DIR = str(Path(__file__).resolve().parent)
if HOOKS_DIR not in sys.path:
    sys.path.insert(0, HOOKS_DIR)

from results_tables.fairness import render_fairness  # noqa: E402
from results_tables.quality import (  # noqa: E402 - importable only after the sys.path line above
    render_backend,
    render_classifiers,
    render_training_data,
    render_transformer_training,
)
from results_tables.reports import render_benchmark, render_faithfulness, render_rewriting  # noqa: E402

MARKER = "<!-- results -->"
PAGE = "results.md"


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    if page.file.src_uri != PAGE or MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, render(Path(config.config_file_path).resolve().parent))


SECTIONS = (
    render_classifiers,
    render_backend,
    render_fairness,
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
