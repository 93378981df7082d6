"""History: every decision, who made it and under which model and policy, with the service's suggestscore records
in the same table; how often each model's verdict agreed with the moderators; and the thresholds that would reach
the precision the team wants, applied as a new policy version only when accepted."""

import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import plotly.express as px
import streamlit as st

from cleanspeech import InputError
from cleanspeech.moderation import LABEL_NAMES
from cleanspeech.moderation.feedback import agreement, as_judged_by, decided_items, propose_thresholds, training_rows
from cleanspeech.moderation.store import HISTORY_LIMIT
from cleanspeech.moderation.verdicts import policy_model_name
from cleanspeech.serving import neutralize_formulas
from views.common import MODEL_COLORS, as_text, load_models
from views.workbench import reviewer, store


def _audit_csv(log: pd.DataFrame) -> bytes:
    """The audit log as a file to open in a spreadsheet: scores as JSON, and cells a spreadsheet would run as a
    formula (a comment or a note starting with =) behind a ' (as the Batch page's download)."""
    log = log.assign(scores=log["scores"].map(lambda s: json.dumps(s) if isinstance(s, dict) else s))
    return neutralize_formulas(log).to_csv(index=False).encode("utf-8")


st.title("Decision history")
name = reviewer()
moderation = store()

who, what, since = st.columns(3)
picked_reviewer = who.text_input("Reviewer", key="history_reviewer", placeholder="anyone")
action = what.selectbox("Action", [None, "approve", "remove", "escalate"], key="history_action",
                        format_func=lambda x: "any" if x is None else x)  # fmt: skip
days = since.selectbox("Since", [1, 7, 30, 365, None], index=2, key="history_days",
                       format_func=lambda d: "ever" if d is None else f"{d} days ago")  # fmt: skip
start = datetime.now(UTC) - timedelta(days=days) if days else None
picked = picked_reviewer.strip()  # "" : anyone
log = moderation.history(picked or None, action, start, limit=HISTORY_LIMIT)
shown_counts = log["kind"].value_counts()
st.caption(f"{len(log):,} record{'' if len(log) == 1 else 's'} ({shown_counts.get('suggestscore', 0):,} scores "
           "suggested through the scoring service, e.g. a comment platform's approve and reject; kind "
           "'suggestscore').")  # fmt: skip
if log.attrs.get("truncated"):  # the table stops there; the download does not
    st.caption(f"The table shows the newest {HISTORY_LIMIT:,} decisions and the newest {HISTORY_LIMIT:,} "
               "suggested scores of this period; Download CSV holds every one.")  # fmt: skip
shown = log.drop(columns=["scores"])
st.dataframe(shown, hide_index=True, key="history_table")  # shown as data: markup in a comment is never rendered
by = f" by {picked}" if picked else ""
decided = decided_items(moderation.engine, start, picked or None)  # agreement and proposals follow the reviewer too
st.caption(as_text(f"Below: the {len(decided):,} approve and remove decisions of this period{by}."))
audit, training = st.columns(2)
# Built on click, and the click does not rerun the page: a rerun would clear the file's address before it was sent.
audit.download_button("Download CSV", lambda: _audit_csv(moderation.history(picked or None, action, start, limit=None)),
                      mime="text/csv",
                      file_name="cleanspeech_decisions.csv", key="history_download", on_click="ignore")  # fmt: skip
training.download_button("Download as training rows", lambda: training_rows(decided).to_csv(index=False).encode(),
                         mime="text/csv", file_name="cleanspeech_training_rows.csv", key="history_training",
                         on_click="ignore", disabled=decided.empty)  # fmt: skip
st.caption(
    "Training rows retrain a model on your community's judgement: `python scripts/train_baseline.py "
    "--extra-data FILE` (or scripts/train.py). `python -m cleanspeech export-decisions FILE` writes the same."
)

st.header("Agreement with the moderators")
if decided.empty:
    st.info(as_text(f"No approve or remove decisions in this period{by} yet: review some items on the Queue page."))
    st.stop()
period = st.radio("Per", ["all time", "week", "day"], horizontal=True, key="history_period")
frames = [decided]
if st.toggle("Measure every loaded model on these decisions (scores them again)", key="history_all_models"):
    policy = moderation.policies.default()
    frames = [as_judged_by(decided, model, policy) for model in load_models().values()]
table = agreement(pd.concat(frames, ignore_index=True),
                  None if period == "all time" else period[0].upper())  # fmt: skip
table["label"] = table["label"].map(LABEL_NAMES)
if period == "all time" or table["period"].nunique() < 2:  # one point: Plotly spans its date axis over milliseconds
    if period != "all time":
        st.caption(f"All these decisions fall in one {period}: a chart per {period} needs two.")
    st.dataframe(table.round(3), hide_index=True, key="history_agreement")
else:
    for metric in ("precision", "recall"):
        st.plotly_chart(px.line(table, x="period", y=metric, color="model", line_dash="label", markers=True,
                                color_discrete_map=MODEL_COLORS, title=f"{metric.capitalize()} per {period}"),
                        key=f"history_{metric}")  # fmt: skip
st.caption("A model flagged a label when the verdict put it over its review threshold; a moderator confirmed it "
           "by removing the comment for that harm, and denied it by approving the comment.")  # fmt: skip

st.header("Proposed thresholds")
if applied := st.session_state.pop("history_applied", None):  # read again below: the caption and button show v+1
    st.success(as_text(applied))
policy = moderation.policies.default()
target = st.slider("Target precision", 0.5, 0.99, 0.9, 0.01, key="history_target")
model_name = policy_model_name(policy)
model = load_models().get(model_name)
if model is None:
    st.info(as_text(f"The default policy's model ({model_name}) is not loaded."))
    st.stop()
st.caption(as_text(f"For policy {policy.name} v{policy.version}, on the decisions about comments its model "
                   f"({model_name}) scored."))  # fmt: skip
current = policy.review_thresholds(model.thresholds)
proposal = propose_thresholds(decided[decided["model"] == model_name], current, target)
st.dataframe(proposal.assign(label=proposal["label"].map(LABEL_NAMES)).round(3), hide_index=True,
             key="history_proposal")  # fmt: skip
proposed = {row.label: float(row.proposed) for row in proposal.itertuples() if row.proposed == row.proposed}
too_high = [LABEL_NAMES[lb] for lb, value in proposed.items() if value > policy.remove[lb]]
if too_high:
    st.caption(as_text("Above the remove threshold, so not proposed for review: " + ", ".join(too_high) + "."))
# a proposal equal to the threshold in force changes nothing: applying it saved a version identical to the last
changes = {label: value for label, value in proposed.items()
           if value <= policy.remove[label] and round(value, 4) != round(current[label], 4)}  # fmt: skip
if not proposed:
    st.caption("No label can be proposed at this precision: the table says why for each.")
elif not changes and not too_high:
    st.caption("The policy already reviews at the proposed thresholds: nothing to apply.")
elif changes and st.button(f"Apply to policy {policy.name} as version {policy.version + 1}", key="history_apply"):
    try:
        saved = moderation.policies.save(
            policy.changed(review={**policy.review, **changes}),
            by=name,
            note=f"review thresholds for precision {target:.2f} from {len(decided)} decisions",
        )
    except InputError as exc:  # the policy cannot be saved as it stands (a setting a newer check refuses)
        st.error(as_text(f"Not applied: {exc}. Mend the policy on the Policies page first."))
        st.stop()
    st.session_state["history_applied"] = f"Saved {saved.name} v{saved.version}: " + ", ".join(
        f"{LABEL_NAMES[label]} {value:.3f}" for label, value in changes.items())  # fmt: skip
    st.rerun()
