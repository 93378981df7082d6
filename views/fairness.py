"""The Compare models page's reading of each model's fairness.json: which reports it can show, whether one is a
sample, and the functional tests' tables."""

import pandas as pd
import streamlit as st

from cleanspeech.evaluation.fairness import REAL_ROWS
from cleanspeech.evaluation.identity_templates import LANGUAGES


def readable_fairness(report) -> bool:
    """A report the page can show: its templates as written by scripts/evaluate_fairness.py."""
    return (
        isinstance(report, dict)
        and isinstance(report.get("templates"), dict)
        and isinstance(report["templates"].get("languages"), dict)
    )


def _has_functional(report: dict) -> bool:
    functional = report.get("functional")
    return isinstance(functional, dict) and isinstance(functional.get("functionalities"), dict)


def sample_note(settings) -> str:
    """What makes a report a sample (`--quick`, a subset of terms or languages), or "" for a full measurement."""
    if not isinstance(settings, dict):
        return ""
    notes = []
    if isinstance(settings.get("terms"), list):
        notes.append(f"{len(settings['terms'])} terms")
    if isinstance(settings.get("languages"), list) and len(settings["languages"]) < len(LANGUAGES):
        notes.append(f"languages {', '.join(map(str, settings['languages']))}")
    if isinstance(settings.get("real_rows"), int) and settings["real_rows"] < REAL_ROWS:
        notes.append(f"{settings['real_rows']:,} real comments a language")
    return "measured on a sample (" + ", ".join(notes) + ")" if notes else ""


def flag_step(benign: pd.Series) -> str:
    """How far one flag more or less moves a term's rate, from the benign sentences each term has here."""
    counts = pd.to_numeric(benign, errors="coerce").dropna()
    counts = counts[counts > 0]
    if counts.empty:
        return ""
    low, high = int(counts.min()), int(counts.max())
    if low == high:
        return f"With {low} benign sentences a term, one flag more or less moves its rate by {_points(low)} points."
    return (f"Terms have {low} to {high} benign sentences here: one flag more or less moves a rate by "
            f"{_points(high)} to {_points(low)} points.")  # fmt: skip


def _points(sentences: int) -> str:
    step = 100 / sentences
    return f"{step:.1f}" if step < 10 else f"{step:.0f}"


def separation_table(fairness: dict, order: list[str]) -> pd.DataFrame:
    """ROC-AUC of attacks against benign mentions: a row per functionality that has one (in `order`), a column per
    model and expected label."""
    columns = {}
    for name, report in fairness.items():
        for functionality, result in report["functional"]["functionalities"].items():
            for label, auc in result.get("separation", {}).items():
                columns.setdefault(f"{name}: {label}", {})[functionality] = auc
    return pd.DataFrame(columns, index=[f for f in order if any(f in column for column in columns.values())])


def functional_section(fairness: dict) -> None:
    """Pass rates per functionality and model, how well attacks outscore benign mentions, failing examples."""
    fairness = {name: report for name, report in fairness.items() if _has_functional(report)}
    if not fairness:
        st.info("No report holds the functional tests: run `python scripts/evaluate_fairness.py`.")
        return
    passes = pd.DataFrame({name: {f: v.get("pass_rate") for f, v in r["functional"]["functionalities"].items()}
                           for name, r in fairness.items()})  # fmt: skip
    first = next(iter(fairness.values()))["functional"]["functionalities"]
    passes.insert(0, "expected flags", [", ".join(first.get(f, {}).get("expect", [])) or "none" for f in passes.index])
    st.caption("Functional tests (in the spirit of HateCheck): the share of cases per functionality where every "
               "expected label is flagged and none of the forbidden ones.")  # fmt: skip
    st.dataframe(passes, key="functional_table")
    st.caption(
        "Without thresholds: how often a case of each functionality outscores a benign mention of the same groups "
        "(ROC-AUC per expected label; 1.0: every attack above every benign sentence, 0.5: chance). A functionality "
        "failed above at a high AUC needs other thresholds; at a low one, a better model."
    )
    st.dataframe(separation_table(fairness, list(passes.index)), key="functional_separation")
    with st.expander("Failing examples"):
        pick = st.selectbox("Model", list(fairness), key="fair_failures_model")
        failures = [
            {"functionality": f, "text": case["text"], "flagged": ", ".join(case["flagged"]) or "none"}
            for f, v in fairness[pick]["functional"]["functionalities"].items()
            for case in v.get("failures", [])
        ]
        st.dataframe(pd.DataFrame(failures), hide_index=True, key="functional_failures")  # text, never markup
