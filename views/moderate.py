"""Moderate: paste one comment and press Check. One verdict from the moderation policy comes first (allow, review
or remove, with its reasons); then every model's scores with its thresholds, which words drove each label, and a
polite rewrite scored before and after. The comment stays when you visit another page and come back."""

import json

import pandas as pd
import streamlit as st

from cleanspeech.classifiers import flagged_labels
from cleanspeech.classifiers.ensemble import routing_language
from cleanspeech.labels import IMPLIES_TOXIC
from cleanspeech.languages import LANGUAGE_NAMES
from cleanspeech.moderation import LABEL_NAMES, moderate
from cleanspeech.moderation.verdicts import policy_model_name
from cleanspeech.text import is_blank, spoken_list
from views.common import (
    explanation_section,
    models_ready,
    require_models,
    score_text,
    scores_chart,
    scores_table,
    truncation_notice,
)
from views.rewriting import rewrite_section
from views.workbench import default_policy_or_none, store, verdict_card

EXAMPLES = {
    "Insult": "You are a disgusting idiot.",
    "Threat": "If you revert my edit again I will find you and hurt you.",
    "Polite disagreement": "I don't think this source supports the claim; could you add a better citation?",
    "German": "Halt die Klappe, du dummer Vollidiot.",
    "Portuguese": "Obrigado pela ajuda, ficou ótimo!",
}
KEPT = "moderate_kept"  # the comment, kept outside the widget so it survives a visit to another page


def _keep() -> None:
    st.session_state[KEPT] = st.session_state["comment"]


def _example(text: str) -> None:
    st.session_state["comment"] = st.session_state[KEPT] = text
    st.session_state["moderate_checked"] = text  # an example is checked at once


def _mix(weights: dict[str, float]) -> str:
    return ", ".join(f"{member} {w:.0%}" for member, w in sorted(weights.items()))


def _how_it_weighs(name: str, label_weights: dict[str, dict[str, float]], unsure: str) -> str:
    """One mix, or each label with its mix (labels sharing one named together): where a language's validation
    comments measured a label, that label has its own."""
    labels_by_mix = {}
    for label, mix in label_weights.items():
        labels_by_mix.setdefault(tuple(sorted(mix.items())), []).append(label)
    if len(labels_by_mix) == 1:
        return f"The {name} weighs {_mix(dict(next(iter(labels_by_mix))))} for it{unsure}."
    mixes = "; ".join(f"{', '.join(labels)}: {_mix(dict(mix))}" for mix, labels in labels_by_mix.items())
    return f"The {name} weighs its members per label for it{unsure}. {mixes}."


def _enqueue(rows: list[dict], sent: tuple) -> None:
    store().queue.enqueue(rows)
    st.session_state["moderate_queued"] = sent  # the rerun shows "Queued", not the button again


def _check() -> None:
    _keep()
    st.session_state["moderate_checked"] = st.session_state["comment"]


@st.cache_data(max_entries=64, show_spinner=False)
def _judged(text: str, policy_settings: str, model_name: str, _policy, _model, _scores):
    """The policy's verdict, judged on the scores above (cached by text) and kept per comment, policy settings and
    model: scoring again on every rerun took seconds for a long comment, and a comment holding an allowlisted word is
    scored again without it. Keyed by the settings, not the name and version: the cache is the whole server's, and
    two stores may each hold a "default v1". (Arguments with a leading _ are not part of the key.)"""
    return moderate([text], _policy, _model, scores=_scores)


st.title("Moderate a comment")
if "comment" not in st.session_state and KEPT in st.session_state:
    st.session_state["comment"] = st.session_state[KEPT]
st.caption("Try an example:")
columns = st.columns(len(EXAMPLES))
for column, (title, example) in zip(columns, EXAMPLES.items()):
    column.button(title, key=f"example_{title}", width="stretch", on_click=_example, args=(example,))
text = st.text_area("Comment", key="comment", height=140, placeholder="Paste a comment to moderate…", on_change=_keep)
st.button("Check", key="moderate_check", type="primary", on_click=_check, shortcut="ctrl+enter",
          help="Ctrl+Enter")  # fmt: skip
loading = st.empty()  # cleared once this run has the models: a caption left from the run's start would outlive them
if not models_ready():
    loading.caption("Models are loading in the background; Check waits for them.")
checked = st.session_state.get("moderate_checked")
if is_blank(text):  # white space, zero-width or filler characters: nothing to score or explain
    st.info("Enter a comment above and press Check, or click an example.")
    st.stop()
if checked != text:  # never show the scores of a comment that is no longer in the box
    st.info("Press Check to score this comment.")
    st.stop()

models = require_models()
loading.empty()
truncation_notice(text)
with st.spinner("Scoring…"):
    scores = score_text(text)
thresholds = {name: model.thresholds for name, model in models.items()}
policy = default_policy_or_none()
policy_model = policy_model_name(policy) if policy else None
if policy_model in models:
    settings = json.dumps(policy.to_dict(), sort_keys=True, default=str)
    judged = _judged(text, settings, policy_model, policy, models[policy_model], pd.DataFrame([scores[policy_model]]))
    verdict_card(judged.verdicts[0], policy, policy_model)
    sent = (text, policy.name, policy.version)  # once per comment and policy: a second click queued a twin
    if st.session_state.get("moderate_queued") == sent:
        st.success("Queued for review.")
    elif judged.verdicts[0].action != "allow":
        st.button("Send to the review queue", key="moderate_enqueue", on_click=_enqueue,
                  args=(judged.queue_rows("moderate"), sent))  # fmt: skip

verdict_columns = st.columns(len(models))
for column, (name, values) in zip(verdict_columns, scores.items()):
    flagged = [LABEL_NAMES[label] for label in flagged_labels(values, thresholds[name])]
    with column:
        st.subheader(name)
        if flagged:
            st.error("Flagged: " + ", ".join(flagged))
        else:
            st.success("Not flagged")

UNSURE_NOTES = {"blend": " (unsure of the language: each likely language's weights, blended)",
                "default": " (too unsure of the language to weigh it as such)"}  # fmt: skip
OTHER_LANGUAGE_NOTE = " (its default weights, fitted for languages it has no weights for)"
language, routed = routing_language(text)
known = language in LANGUAGE_NAMES  # else clearly a language none of the models trained or was measured on ("nl")
if not known:
    route = [f"Detected language: {language}, not one the models were trained or measured on."]
elif routed != language:  # the detector's best guess, below the confidence routing needs: said as a guess
    route = [f"Detected language: unsure, perhaps {LANGUAGE_NAMES[language]} ({language})."]
else:
    route = [f"Detected language: {LANGUAGE_NAMES[language]} ({language})."]
notes = UNSURE_NOTES if known else {**UNSURE_NOTES, "default": OTHER_LANGUAGE_NOTE}
for name, model in models.items():
    if hasattr(model, "route"):  # an ensemble: how much each member counts here
        routing = model.route(text)[0]
        unsure = notes["blend" if routing["blended"] else "default"] if routing["routed_as"] == "und" else ""
        route.append(_how_it_weighs(name, routing["label_weights"], unsure))
st.caption(" ".join(route), help="Each language is scored by the models that read it best, with weights fitted on "
           "validation data per language, and per label where the language's validation comments measure it "
           "(scripts/fit_ensemble.py); where the detector is unsure of the "
           "language, each likely language's weights count as much as the detector thinks it likely; where no "
           "language is clearly ahead, the default weights.")  # fmt: skip

st.plotly_chart(scores_chart(scores, thresholds), key="scores_chart")
with st.expander("Scores and thresholds"):
    st.dataframe(scores_table(scores, thresholds), key="scores_table")
    st.caption("A label is flagged when its probability reaches the model's threshold (the black mark on its bar), "
               "tuned for F1 on validation; Toxic is flagged too wherever "
               f"{spoken_list(LABEL_NAMES[label] for label in IMPLIES_TOXIC)} is.")  # fmt: skip

st.subheader("Explanation")
explanation_section(text, scores, thresholds, judged_by=policy_model)

st.subheader("Rewrite")
rewrite_section(text)
