"""Training metrics: loss, validation ROC-AUC and learning rate per evaluation of a run of scripts/train.py."""

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cleanspeech import LABELS
from cleanspeech._io import read_json_records
from cleanspeech.classifiers import MODEL_COMMANDS, model_path
from cleanspeech.paths import runs_dir
from views.common import as_text, read_json

RUN_DEPTH = 3  # runs/<name>/best/history.json is the deepest place scripts/train.py writes one


def run_choices() -> dict[str, Path]:
    """Runs to show, by the name the user picks: the shipped transformer, then each run under the runs folder with a
    history.json, newest first. Only these can be opened: the page never reads a path a visitor types."""
    root = runs_dir()
    patterns = ["/".join(["*"] * depth) + "/history.json" for depth in range(1, RUN_DEPTH + 1)]
    found = [p.parent for pattern in patterns for p in root.glob(pattern)]
    found.sort(key=lambda p: -p.stat().st_mtime)
    choices = {f"runs/{p.relative_to(root).as_posix()}": p for p in found}
    shipped = model_path("transformer")
    return ({"shipped transformer": shipped} if (shipped / "history.json").is_file() else {}) | choices


def history_frame(records: list[dict]) -> pd.DataFrame:
    """One row per evaluation, nested metrics flattened (`roc_auc.macro`), numbers as numbers, a step on each."""
    frame = pd.json_normalize(records).apply(pd.to_numeric, errors="coerce")
    if "step" not in frame or frame["step"].isna().all():
        frame["step"] = range(1, len(frame) + 1)
    return frame.dropna(axis=1, how="all")


def line_chart(history: pd.DataFrame, columns: dict[str, str], title: str, marks: dict[str, int | None]) -> go.Figure:
    fig = go.Figure()
    for column, name in columns.items():
        fig.add_scatter(x=history["step"], y=history[column], name=name, mode="lines+markers")
    for text, step in marks.items():
        if isinstance(step, int | float):
            fig.add_vline(x=step, line_dash="dot", annotation_text=text)
    # The legend is shown for a single line too (Plotly hides it then): the shipped model's history has validation
    # loss and macro ROC-AUC only, and the chart must say which they are.
    fig.update_layout(title=title, xaxis_title="optimizer step", height=340, margin={"t": 40}, showlegend=True)
    return fig


def chart(frame: pd.DataFrame, columns: dict[str, str], title: str, marks: dict, key: str) -> None:
    present = {column: name for column, name in columns.items() if column in frame}
    if present:
        st.plotly_chart(line_chart(frame, present, title, marks), key=key)


st.title("Training metrics")
choices = run_choices()
if not choices:
    st.warning(f"No training run with a history.json under {as_text(str(runs_dir()))}. Train a model with:")
    st.code(MODEL_COMMANDS["transformer"], language="bash")
    st.stop()
picked = st.selectbox("Run", list(choices), key="history_run",
                      help=f"The shipped transformer and the runs of scripts/train.py under {runs_dir()}.")  # fmt: skip
directory = choices[picked]
records, problem = read_json_records(directory / "history.json")
if problem:
    st.warning(as_text(problem))
if not records:
    st.info("This run has no complete evaluation yet.")
    st.stop()

frame = history_frame(records)
metrics = read_json(directory / "metrics.json")
metrics = metrics if isinstance(metrics, dict) else {}
best, stopped = metrics.get("best_step"), metrics.get("early_stopped_at")
marks = {"best": best, "early stop": stopped}

a, b, c = st.columns(3)
a.metric("evaluations", len(frame))
macro = frame["roc_auc.macro"].max() if "roc_auc.macro" in frame else float("nan")
b.metric("best validation macro ROC-AUC", "—" if pd.isna(macro) else f"{macro:.4f}", help=f"step {best}")
c.metric("early stopping", f"step {stopped}" if stopped else "did not trigger")

chart(frame, {"train_loss": "train loss", "val_loss": "validation loss"}, "Loss", marks, "loss_chart")
chart(frame, {"roc_auc.macro": "macro", **{f"roc_auc.{lb}": lb for lb in LABELS}}, "Validation ROC-AUC", marks,
      "auc_chart")  # fmt: skip
chart(frame, {"learning_rate": "learning rate"}, "Learning rate", {}, "lr_chart")

with st.expander("Every evaluation"):
    st.dataframe(frame.round(5), hide_index=True, key="history_table")
config = read_json(directory / "training_config.json")
if isinstance(config, dict):
    with st.expander("Training configuration"):
        st.json(config)
