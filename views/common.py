"""The app's one UI helper module: cached model loading and shared widgets.

`cleanspeech/` never imports streamlit; everything Streamlit-specific that several pages share lives here.
"""

import gc
import html
import json
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cleanspeech import LABELS, CleanSpeechError, classifiers
from cleanspeech.classifiers import MODEL_COMMANDS
from cleanspeech.data.readers import texts_for_ids
from cleanspeech.explain import METHODS, PER_LABEL_METHODS, Explanation, ExplanationError, explain, model_family
from cleanspeech.labels import LABEL_NAMES
from cleanspeech.serving import score_models
from cleanspeech.text import MAX_TEXT_CHARS
from views.highlight import heatmap_html

# The same on every page.
MODEL_COLORS = {"baseline": "#4C78A8", "transformer": "#F58518", "embedding": "#B279A2", "ensemble": "#54A24B"}


@st.cache_resource(show_spinner=False)
def _models_loading() -> Future:
    """Every shipped model that is present, loading once per server process on a background thread: a page shows
    its inputs at once and waits for the models only when it needs a score."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="cleanspeech-models").submit(_load_and_freeze)


def _load_and_freeze() -> dict:
    models = classifiers.load_models()
    # Streamlit collects garbage after every script run (runner.postScriptGC); the models' ~470k long-lived objects
    # made each of those collections take 0.2 s of every click. Frozen, they are left out of later collections.
    gc.collect()
    gc.freeze()
    return models


def models_ready() -> bool:
    return _models_loading().done()


def load_models() -> dict:
    """The loaded models, waiting for them with a spinner if they are still loading."""
    loading = _models_loading()
    if not loading.done():
        with st.spinner("Loading models…"):
            loading.exception()  # waits
    if loading.exception() is not None:
        _models_loading.clear()  # the next run tries again (a model may have been added since)
    return loading.result()


@st.cache_data(max_entries=256, show_spinner=False)
def score_text(text: str) -> dict[str, dict[str, float]]:
    """Per-model, per-label probabilities for one comment (cached by text)."""
    return {name: scores.iloc[0].to_dict() for name, scores in score_models(load_models(), [text]).items()}


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
    names = [LABEL_NAMES[lb] for lb in labels]
    for name, values in scores.items():
        color = MODEL_COLORS.get(name, "#54A24B")
        fig.add_bar(
            y=names,
            x=[values[lb] for lb in labels],
            name=name,
            orientation="h",
            marker_color=color,
            offsetgroup=name,
            hovertemplate="%{y}: %{x:.3f}<extra>" + name + "</extra>",
        )
        fig.add_scatter(  # in the same offset group, so each mark sits on its own model's bar
            y=names,
            x=[thresholds[name][lb] for lb in labels],
            mode="markers",
            name=f"{name} threshold",
            offsetgroup=name,
            orientation="h",  # grouped along y like the bars: without it every mark sat on the label's centre line
            marker={"symbol": "line-ns-open", "size": 14, "color": "black", "line": {"width": 2}},
            hovertemplate="threshold %{x:.3f}<extra>" + name + "</extra>",
        )
    fig.update_layout(
        barmode="group",
        scattermode="group",
        xaxis={"range": [0, 1], "title": "probability"},
        yaxis={"automargin": True},  # room for "Severely toxic" beside the narrow left margin
        height=360,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def scores_table(scores: dict[str, dict[str, float]], thresholds: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Per label (in plain words), each model's probability and its threshold beside it."""
    columns = {}
    for name, values in scores.items():
        columns[name] = [values[label] for label in LABELS]
        columns[f"{name} threshold"] = [thresholds[name][label] for label in LABELS]
    return pd.DataFrame(columns, index=[LABEL_NAMES[label] for label in LABELS]).round(3)


@st.cache_data(show_spinner=False)
def load_json(path: str, modified: float) -> dict | list:
    """A JSON file, cached until it changes on disk (`modified` is part of the cache key)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_json(path: Path) -> dict | list | None:
    """A JSON file, or None when it is missing; a damaged or half-written one is named in a notice and skipped."""
    if not path.is_file():
        return None
    try:
        return load_json(str(path), path.stat().st_mtime)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        st.warning(as_text(f"{path.parent.name}/{path.name} is damaged or partly written; it is left out."))
        return None


# Markdown (and Streamlit's own :color[...] and $math$) is made of ASCII punctuation; a backslash before each one
# shows it as typed. Applied to everything a user or a file supplied: file names, column names, messages quoting them.
_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")


def as_text(text: str) -> str:
    """`text` for st.error/st.info/st.caption, shown literally: a file name like `**x**.csv` or `[a](b)` stays text."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).splitlines()))


def chart_text(text: str) -> str:
    """`text` for a Plotly label, shown literally: Plotly reads <b>, <a> and &...; as markup otherwise."""
    return html.escape(str(text), quote=False)


@st.cache_data(max_entries=64, show_spinner="Reading the comments from the data directory…")
def comment_texts(data_dir: str, keys: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Texts for a few (source, id) pairs; cached per set of ids, so a rerun of the page reads no file."""
    wanted: dict[str, set[str]] = {}
    for source, id_ in keys:
        wanted.setdefault(source, set()).add(id_)
    return texts_for_ids(Path(data_dir), wanted)


METHOD_TITLES = {
    "linear": "Exact (linear decomposition)",
    "gradient": "Gradient × input (fast)",
    "integrated_gradients": "Integrated gradients (a few seconds)",
    "shap": "SHAP (slowest)",
}
SLOW_METHODS = {"integrated_gradients", "shap"}  # run only when asked, behind a button
KEPT_EXPLANATIONS = 16  # per browser session


def explainable_models(models: dict) -> dict:
    explainable = {}
    for name, model in models.items():
        try:
            explainable[name] = model_family(model)
        except ExplanationError:
            continue  # an ensemble: explained through its members
    return explainable


def explanation_section(text: str, scores: dict, thresholds: dict, judged_by: str | None = None) -> None:
    """Model, method and label pickers (opening on `judged_by`, the model whose verdict is shown, where it can be
    explained word by word); the comment as a heat-map for that label and its top words."""
    loaded = load_models()
    families = explainable_models(loaded)
    if not families:
        st.info("None of the loaded models can be explained word by word.")
        return
    names = list(families)
    if judged_by in loaded and judged_by not in families:  # the ensemble: opening on a member without a word misled
        st.caption(as_text(f"The {judged_by} model, whose verdict is shown, weighs its members' scores and is "
                           "explained through them: pick the member to read."))  # fmt: skip
    pick_model, pick_method, pick_label = st.columns(3)
    index = names.index(judged_by) if judged_by in families else 0
    name = pick_model.selectbox("Model", names, index=index, key="explain_model")
    methods = METHODS[families[name]]
    method = pick_method.selectbox("Method", methods, key=f"explain_method_{name}", format_func=METHOD_TITLES.get)
    # opens on the first label over its own threshold (toxic, flagged only because a label that implies it is, has
    # nothing of its own to explain)
    over = [label for label in LABELS if float(scores[name][label]) >= thresholds[name][label]]
    first = LABELS.index(over[0]) if over else 0
    label = pick_label.selectbox("Label", LABELS, index=first, key="explain_label")
    explanation = _explanation(name, method, text, label)
    if explanation is not None:
        show_explanation(explanation, label)


def _explanation(name: str, method: str, text: str, label: str) -> Explanation | None:
    """The explanation from this session's store; fast methods run at once, slow ones when the button is clicked."""
    store = st.session_state.setdefault("explanations", {})
    labels = (label,) if method in PER_LABEL_METHODS else None
    key = (name, method, text, labels)
    if key not in store:
        title = METHOD_TITLES[method]
        ask = st.empty()  # emptied once asked: the button would stay beside the explanation it made until a rerun
        if method in SLOW_METHODS and not ask.button(f"Explain with {title.split(' (')[0]}", key="explain_run"):
            st.caption("This method takes seconds on a CPU, so it runs when you ask.")
            return None
        ask.empty()
        try:
            with st.spinner(f"Explaining with {title}…"):
                store[key] = explain(load_models()[name], text, method, labels=labels)
        except CleanSpeechError as exc:
            st.error(str(exc))
            return None
        while len(store) > KEPT_EXPLANATIONS:
            store.pop(next(iter(store)))
    return store[key]


def show_explanation(explanation: Explanation, label: str) -> None:
    for note in explanation.notes:
        st.info(f"Explanation: {note}.")
    if not explanation.words:
        st.info("No words to explain.")
        return
    st.html(heatmap_html(explanation, label))
    st.caption(
        f"Red words push the {label} score up, blue ones down ({explanation.method}, log-odds). "
        f"Base value {explanation.base_value[label]:+.2f}, explained score {explanation.prediction[label]:+.2f}."
    )
    st.plotly_chart(top_words_chart(explanation, label), key="explain_chart")


def top_words_chart(explanation: Explanation, label: str, k: int = 10) -> go.Figure:
    """The k words with the largest absolute score for `label`, largest at the top."""
    words = sorted(explanation.words, key=lambda w: -abs(w["scores"][label]))[:k][::-1]
    values = [w["scores"][label] for w in words]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=[chart_text(f"{w['word']} ·{w['start']}") for w in words],  # the offset keeps repeated words apart
            orientation="h",
            marker_color=["#D62728" if v > 0 else "#1F77B4" for v in values],
            hovertemplate="%{y}: %{x:+.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=60 + 26 * len(words),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": f"contribution to {label} (log-odds)"},
    )
    return fig
