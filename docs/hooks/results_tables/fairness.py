"""The fairness section of docs/results.md, from `models/<model>/fairness.json` (scripts/evaluate_fairness.py)."""

from __future__ import annotations

from pathlib import Path

from .common import CLASSIFIERS, load, missing, num, table

SUMMARY = [("final_metric", "final metric"), ("subgroup_auc_gmean", "subgroup AUC"),
           ("bpsn_auc_gmean", "BPSN AUC"), ("bnsp_auc_gmean", "BNSP AUC"), ("max_benign_fpr", "worst benign FPR"),
           ("mean_benign_fpr", "mean benign FPR")]  # fmt: skip


def _summary_rows(found: dict, source: str) -> list[list[str]]:
    rows = []
    for name, report in found.items():
        languages = report["templates"]["languages"] if source == "templates" else report.get("real_comments", {})
        for lang, m in languages.items():
            if isinstance(m, dict):
                rows.append([name, lang, *(num(m.get(key), 3) for key, _ in SUMMARY)])
    return rows


def _worst_terms(found: dict, k: int = 8) -> list[str]:
    out = []
    for name, report in found.items():
        groups = report["templates"]["languages"].get("all", {}).get("groups", {})
        worst = sorted(groups.items(), key=lambda item: -(item[1].get("benign_fpr") or 0))[:k]
        shown = ", ".join(f"{term} {num(g.get('benign_fpr'), 2)}" for term, g in worst)
        out.append(f"- {name}: {shown}")
    return out


def _extent(found: dict) -> str:
    """How many terms and languages the reports measured (each model's, where they differ)."""
    extents = {}
    for name, report in found.items():
        languages = [lang for lang in report["templates"]["languages"] if lang != "all"]
        terms = report["templates"]["languages"].get("all", {}).get("groups", {})
        extents.setdefault(f"{len(terms)} terms, {len(languages)} languages", []).append(name)
    if len(extents) == 1:
        return next(iter(extents))
    return "; ".join(f"{extent} ({', '.join(names)})" for extent, names in extents.items())


def render_fairness(root: Path) -> str:
    out = ["## Identity bias and functional tests", ""]
    found = {name: load(root / "models" / name / "fairness.json") for name in CLASSIFIERS}
    found = {name: r for name, r in found.items() if isinstance(r, dict) and isinstance(r.get("templates"), dict)}
    if not found:
        return "\n".join(out + [missing("models/*/fairness.json", "`python scripts/evaluate_fairness.py` writes them."),
                                ""])  # fmt: skip
    out += [
        "Source: " + ", ".join(f"`models/{name}/fairness.json`" for name in found) + ". Borkan et al. (2019) "
        "metrics per identity term, summarised by their generalized mean (p = -5) and the Jigsaw 2019 final "
        "metric; benign FPR: the share of non-toxic sentences naming the group that the model flags (any label "
        f"at its tuned threshold). Templates: our sentences, {_extent(found)}; `all` pools them.",
        "",
    ]
    header = ["model", "language", *(title for _, title in SUMMARY)]
    out += ["### Templates", "", table(header, _summary_rows(found, "templates")), ""]
    out += ["Terms with the highest benign false-positive rate (templates, all languages):", ""]
    out += [*_worst_terms(found), ""]
    real = _summary_rows(found, "real comments")
    if real:
        out += ["### Held-out comments that name the terms", "", table(header, real), ""]
    functionalities = list(next(iter(found.values()))["functional"]["functionalities"])
    rows = [[f, *(num(r["functional"]["functionalities"].get(f, {}).get("pass_rate"), 2) for r in found.values())]
            for f in functionalities]  # fmt: skip
    rows.append(["all cases", *(num(r["functional"]["pass_rate"], 2) for r in found.values())])
    out += ["### Functional tests (pass rate)", "", table(["functionality", *found], rows), ""]
    return "\n".join(out)
