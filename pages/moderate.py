"""Moderate: paste one comment, see every model's per-label probabilities, flagged labels, a verdict, which words
drove each label, and a polite rewrite scored before and after."""

import streamlit as st

from cleanspeech import flagged_labels
from cleanspeech.languages import LANGUAGE_NAMES, detect_language
from pages.common import (
    explanation_section,
    require_models,
    score_text,
    scores_chart,
    scores_table,
    truncation_notice,
)
from pages.rewriting import rewrite_section

EXAMPLES = {
    "Insult": "You are a disgusting idiot.",
    "Threat": "If you revert my edit again I will find you and hurt you.",
    "Polite disagreement": "I don't think this source supports the claim; could you add a better citation?",
    "German": "Halt die Klappe, du dummer Vollidiot.",
    "Portuguese": "Obrigado pela ajuda, ficou ótimo!",
}

st.title("Moderate a comment")
models = require_models()

st.caption("Try an example:")
columns = st.columns(len(EXAMPLES))
for column, (title, example) in zip(columns, EXAMPLES.items()):
    if column.button(title, key=f"example_{title}", width="stretch"):
        st.session_state["comment"] = example

text = st.text_area("Comment", key="comment", height=140, placeholder="Paste a comment to moderate…")
if not text.strip():
    st.info("Enter a comment above, or click an example.")
    st.stop()

truncation_notice(text)
scores = score_text(text)
thresholds = {name: model.thresholds for name, model in models.items()}

verdict_columns = st.columns(len(models))
for column, (name, values) in zip(verdict_columns, scores.items()):
    flagged = flagged_labels(values, thresholds[name])
    with column:
        st.subheader(name)
        if flagged:
            st.error("Flagged: " + ", ".join(flagged))
        else:
            st.success("Not flagged")

language = detect_language(text)
route = [f"Detected language: {LANGUAGE_NAMES.get(language, language)} ({language})."]
for name, model in models.items():
    if hasattr(model, "weights_for"):  # an ensemble: how much each member counts here
        weights = model.weights_for(language)
        route.append(f"The {name} weighs " + ", ".join(f"{m} {w:.0%}" for m, w in weights.items()) + " for it.")
st.caption(" ".join(route), help="Each language is scored by the models that read it best, with weights fitted on "
           "validation data per language (scripts/fit_ensemble.py).")  # fmt: skip

st.plotly_chart(scores_chart(scores, thresholds), key="scores_chart")
with st.expander("Scores and thresholds"):
    st.dataframe(scores_table(scores), key="scores_table")
    st.caption("A label is flagged when its probability reaches the model's threshold, tuned for F1 on validation.")

st.subheader("Explanation")
explanation_section(text, scores, thresholds)

st.subheader("Rewrite")
rewrite_section(text)
