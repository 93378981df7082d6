"""The app's one UI helper module: cached model loading and shared widgets.

`cleanspeech/` never imports streamlit; everything Streamlit-specific that several pages share lives here.
"""

import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cleanspeech import LABELS, CleanSpeechError
from cleanspeech import models as cs_models
from cleanspeech.data import texts_for_ids
from cleanspeech.models import MODEL_COMMANDS
from cleanspeech.preprocess import MAX_TEXT_CHARS

MODEL_COLORS = {"baseline": "#4C78A8", "transformer": "#F58518"}


@st.cache_resource(show_spinner="Loading models…")
def load_models() -> dict:
    """Every shipped model that is present, loaded once per server process."""
    return cs_models.load_models()


@st.cache_data(max_entries=256, show_spinner=False)
def score_text(text: str) -> dict[str, dict[str, float]]:
    """Per-model, per-label probabilities for one comment (cached by text)."""
    return {name: model.predict_proba([text]).iloc[0].to_dict() for name, model in load_models().items()}


def require_models() -> dict:
    """The loaded models, or an explanation of how to create them (and the page stops)."""
    try:
        models = load_models()
    except CleanSpeechError as exc:
        st.error(str(exc))
        st.stop()
    if not models:
        commands = "\n".join(MODEL_COMMANDS.values())
        st.error("No trained model found in `models/`. Create one with:")
        st.code(commands, language="bash")
        st.stop()
    return models


def truncation_notice(text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        st.info(f"This comment has {len(text):,} characters; the models read the first {MAX_TEXT_CHARS:,}.")


def scores_chart(scores: dict[str, dict[str, float]], thresholds: dict[str, dict[str, float]]) -> go.Figure:
    """Grouped horizontal bars per label and model, each model's tuned threshold marked on its bar."""
    fig = go.Figure()
    labels = list(LABELS)[::-1]
    for name, values in scores.items():
        color = MODEL_COLORS.get(name, "#54A24B")
        fig.add_bar(
            y=labels,
            x=[values[lb] for lb in labels],
            name=name,
            orientation="h",
            marker_color=color,
            hovertemplate="%{y}: %{x:.3f}<extra>" + name + "</extra>",
        )
        fig.add_scatter(
            y=labels,
            x=[thresholds[name][lb] for lb in labels],
            mode="markers",
            name=f"{name} threshold",
            marker={"symbol": "line-ns-open", "size": 18, "color": "black", "line": {"width": 2}},
            hovertemplate="threshold %{x:.3f}<extra>" + name + "</extra>",
        )
    fig.update_layout(
        barmode="group",
        xaxis={"range": [0, 1], "title": "probability"},
        height=360,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def scores_table(scores: dict[str, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(scores).loc[list(LABELS)].round(3)


@st.cache_data(show_spinner=False)
def load_json(path: str, modified: float) -> dict | list:
    """A JSON file, cached until it changes on disk (`modified` is part of the cache key)."""
    return json.loads(Path(path).read_text())


def read_json(path: Path) -> dict | list | None:
    return load_json(str(path), path.stat().st_mtime) if path.is_file() else None


@st.cache_data(max_entries=64, show_spinner="Reading the comments from the data directory…")
def comment_texts(data_dir: str, keys: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Texts for a few (source, id) pairs; cached per set of ids, so a rerun of the page reads no file."""
    wanted: dict[str, set[str]] = {}
    for source, id_ in keys:
        wanted.setdefault(source, set()).add(id_)
    return texts_for_ids(Path(data_dir), wanted)
