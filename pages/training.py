"""Training metrics: loss, validation ROC-AUC and learning rate per evaluation of a run of scripts/train.py."""

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cleanspeech import LABELS
from cleanspeech.classifiers import MODEL_COMMANDS, model_path
from cleanspeech.paths import REPO_ROOT
from pages.common import read_json


def candidate_dirs() -> list[str]:
    """Model directories with a history.json: the shipped transformer first, then runs, newest first."""
    found = [model_path("transformer")] + sorted(
        (p.parent for p in (REPO_ROOT / "runs").glob("*/best/history.json")), key=lambda p: -p.stat().st_mtime
    )
    return [str(p) for p in found if (p / "history.json").is_file()]


def line_chart(history: pd.DataFrame, columns: dict[str, str], title: str, marks: dict[str, int | None]) -> go.Figure:
    fig = go.Figure()
    for column, name in columns.items():
        fig.add_scatter(x=history["step"], y=history[column], name=name, mode="lines+markers")
    for text, step in marks.items():
        if step is not None:
            fig.add_vline(x=step, line_dash="dot", annotation_text=text)
    fig.update_layout(title=title, xaxis_title="optimizer step", height=340, margin={"t": 40})
    return fig


st.title("Training metrics")
choices = candidate_dirs()
directory = st.text_input("Model directory (any output of scripts/train.py)", value=choices[0] if choices else "",
                          key="history_dir")  # fmt: skip
history = read_json(Path(directory) / "history.json") if directory else None
if not history:
    st.warning(f"No history.json in `{directory or 'models/transformer'}`. Train a model with:")
    st.code(MODEL_COMMANDS["transformer"], language="bash")
    st.stop()

frame = pd.DataFrame(history)
for metric in ("roc_auc", "pr_auc"):
    expanded = pd.json_normalize(frame[metric]).add_prefix(f"{metric}.")
    frame = pd.concat([frame.drop(columns=metric), expanded], axis=1)
metrics = read_json(Path(directory) / "metrics.json") or {}
best, stopped = metrics.get("best_step"), metrics.get("early_stopped_at")
marks = {"best": best, "early stop": stopped}

a, b, c = st.columns(3)
a.metric("evaluations", len(frame))
b.metric("best validation macro ROC-AUC", f"{frame['roc_auc.macro'].max():.4f}", help=f"step {best}")
c.metric("early stopping", f"step {stopped}" if stopped else "did not trigger")

st.plotly_chart(line_chart(frame, {"train_loss": "train loss", "val_loss": "validation loss"}, "Loss", marks),
                key="loss_chart")  # fmt: skip
auc_columns = {"roc_auc.macro": "macro", **{f"roc_auc.{lb}": lb for lb in LABELS if f"roc_auc.{lb}" in frame}}
st.plotly_chart(line_chart(frame, auc_columns, "Validation ROC-AUC", marks), key="auc_chart")
st.plotly_chart(line_chart(frame, {"learning_rate": "learning rate"}, "Learning rate", {}), key="lr_chart")

with st.expander("Every evaluation"):
    st.dataframe(frame.round(5), hide_index=True, key="history_table")
config = read_json(Path(directory) / "training_config.json")
if config:
    with st.expander("Training configuration"):
        st.json(config)
