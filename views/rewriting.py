"""The Moderate page's Rewrite section: backend choice, the cached rewriter, and the result with its word diff and
scores before and after. Gemini's key and model come from Streamlit secrets or the environment, never the page."""

import os

import plotly.graph_objects as go
import streamlit as st

from cleanspeech import LABELS, CleanSpeechError
from cleanspeech.classifiers import MODEL_COMMANDS
from cleanspeech.rewrite import GEMINI_MODEL, Rewrite, Rewriter, load_lexicon, load_rewriter, word_diff
from cleanspeech.rewrite.local import LocalRewriter
from views.common import load_models
from views.highlight import diff_html

KEPT_REWRITES = 16  # per browser session

BACKEND_TITLES = {"auto": "Auto (Gemini with a key, else local)", "local": "Local (offline)", "gemini": "Gemini"}


def _setting(names: tuple[str, ...]) -> str | None:
    """The first of `names` set in Streamlit secrets, else in the environment."""
    for name in names:
        try:
            value = str(st.secrets.get(name) or "").strip()
        except Exception:  # no secrets.toml at all, or an unreadable one: the environment still counts
            value = ""
        if value:
            return value
    return next((os.environ[n].strip() for n in names if os.environ.get(n, "").strip()), None)


def gemini_api_key() -> str | None:
    """The key from Streamlit secrets (GEMINI_API_KEY or GOOGLE_API_KEY), else the environment; never displayed."""
    return _setting(("GEMINI_API_KEY", "GOOGLE_API_KEY"))


def gemini_model() -> str:
    """GEMINI_MODEL from Streamlit secrets or the environment, else the default."""
    return _setting(("GEMINI_MODEL",)) or GEMINI_MODEL


@st.cache_resource(show_spinner="Loading the rewriter…")
def load_local_rewriter() -> LocalRewriter:
    models = load_models()
    judge = models["transformer"]
    return LocalRewriter(judge, load_lexicon(), guide=models.get("baseline", judge))


def rewriter() -> Rewriter:
    """The local rewriter (cached) with a Gemini client when a key is configured."""
    return load_rewriter(local=load_local_rewriter(), api_key=gemini_api_key(), gemini_model=gemini_model())


def rewrite_section(text: str) -> None:
    """Backend choice and a Rewrite button; the rewrite, who wrote it, scores before and after and a word diff."""
    if "transformer" not in load_models():
        st.info("Rewriting needs the transformer model, which re-scores every rewrite. Create it with:")
        st.code(MODEL_COMMANDS["transformer"], language="bash")
        return
    has_key = gemini_api_key() is not None
    backend = st.radio(
        "Rewriter", list(BACKEND_TITLES), format_func=BACKEND_TITLES.get, horizontal=True, key="rewrite_backend"
    )
    if not has_key:
        st.caption(
            "No Gemini key is set (GEMINI_API_KEY in the environment or Streamlit secrets): the local rewriter answers."
        )
    store = st.session_state.setdefault("rewrites", {})
    key = (text, backend, has_key)
    if st.button("Rewrite politely", key="rewrite_run", type="primary"):
        current = rewriter()
        try:
            with st.spinner("Rewriting…"):
                store[key] = current.rewrite(text, backend)
        except CleanSpeechError as exc:
            st.error(str(exc))
        finally:
            if current.gemini is not None:
                current.gemini.close()  # one client per click: its connections go with it
        while len(store) > KEPT_REWRITES:
            store.pop(next(iter(store)))
    if key in store:
        show_rewrite(store[key])


def verdict(result: Rewrite) -> tuple[str, str]:
    """One headline per outcome ("success" or "warning", text), so that no two messages contradict each other."""
    who = f"Gemini ({gemini_model()})" if result.backend == "gemini" else "the local rewriter (offline)"
    if result.outcome == "clean":
        return "success", "Nothing to rewrite: no label is flagged, so the comment is returned unchanged."
    if result.outcome == "rewritten":
        return "success", f"Written by {who}. No label is flagged any more."
    if result.rewrite == result.text:
        return "warning", "No safe rewrite found: the comment is returned unchanged. Review it by hand."
    flagged = ", ".join(result.flagged_after)
    return "warning", f"Written by {who}, but no safe rewrite found: still flagged: {flagged}. Review it by hand."


def show_rewrite(result: Rewrite) -> None:
    kind, headline = verdict(result)
    (st.success if kind == "success" else st.warning)(headline)
    st.code(result.rewrite, language=None, wrap_lines=True)
    for note in result.notes:
        if not note.startswith(("no label is flagged", "no safe rewrite found")):  # the headline says it already
            st.info(note)
    st.html(diff_html(word_diff(result.text, result.rewrite)))
    st.caption("The transformer's probability per label before (red) and after (green) the rewrite; ticks: thresholds.")
    st.plotly_chart(before_after_chart(result), key="rewrite_chart")


def before_after_chart(result: Rewrite) -> go.Figure:
    """The transformer's probability per label before and after the rewrite, its thresholds as ticks."""
    labels = list(LABELS)[::-1]
    fig = go.Figure()
    for name, values, color in (("before", result.before, "#D62728"), ("after", result.after, "#2CA02C")):
        fig.add_bar(
            y=labels, x=[values[label] for label in labels], name=name, orientation="h", marker_color=color,
            hovertemplate="%{y}: %{x:.3f}<extra>" + name + "</extra>",
        )  # fmt: skip
    thresholds = load_local_rewriter().judge.thresholds
    fig.add_scatter(
        y=labels, x=[thresholds[label] for label in labels], mode="markers", name="threshold",
        marker={"symbol": "line-ns-open", "size": 18, "color": "black", "line": {"width": 2}},
    )  # fmt: skip
    fig.update_layout(
        barmode="group", height=320, margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": "transformer probability", "range": [0, 1]}, legend={"orientation": "h"},
    )  # fmt: skip
    return fig
