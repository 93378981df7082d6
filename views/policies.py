"""Policies: what the community acts on and how strictly. Edit a policy and see, before saving, how many comments
would move between allow, review and remove, on the model's validation comments and on the comments moderators
already decided; save it as a new version, and choose which policy is the default."""

import pandas as pd
import streamlit as st

from cleanspeech import LABELS, InputError, available_models
from cleanspeech.moderation import LABEL_NAMES, SEVERITIES, Policy
from cleanspeech.moderation.feedback import decided_items
from cleanspeech.moderation.impact import moved, validation_scores, verdict_moves
from cleanspeech.moderation.policy import check_before_saving
from cleanspeech.moderation.verdicts import policy_model_name
from cleanspeech.paths import models_dir
from views.common import as_text, load_models, read_json
from views.workbench import reviewer, store

st.title("Moderation policies")
name = reviewer()
book = store().policies
default_name = book.default().name
names = book.names()
if saved := st.session_state.pop("policy_saved", None):  # set before the picker exists: it shows the saved policy
    st.session_state["policy_pick"] = saved
    st.session_state["policy_note"] = ""  # the note went with that version; the next one gets its own
    st.success(as_text(f"Saved {saved} v{book.get(saved).version}."))
if made := st.session_state.pop("policy_made_default", None):
    st.success(as_text(f"{made} is now the default: comments with no policy of their own are judged by it."))
chosen = st.selectbox("Policy", [*names, "＋ new policy"], index=names.index(default_name), key="policy_pick",
                      format_func=lambda n: f"{n} (default)" if n == default_name else n)  # fmt: skip
NEW = "new policy"
base = Policy(name=NEW) if chosen == "＋ new policy" else book.get(chosen)
if base.version:
    history = pd.DataFrame(book.versions(base.name))
    st.caption(as_text(f"Version {base.version}, saved by {history.iloc[0]['created_by']}. "
                       f"{len(history)} version(s) in all."))  # fmt: skip


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _form(base: Policy) -> dict:
    key = f"policy_{base.name}_{base.version}"  # widgets start over when another policy or version is picked
    fields = {
        "name": st.text_input("Name", base.name, key=f"{key}_name", max_chars=200),
        "description": st.text_area("Description", base.description, key=f"{key}_description", height=68),
    }
    models = ["auto", *available_models()]
    fields["model"] = st.selectbox(
        "Model",
        models,
        index=models.index(base.model) if base.model in models else 0,
        key=f"{key}_model",
        help="auto: the language-aware ensemble where it is shipped",
    )
    fields["labels"] = tuple(st.multiselect("Labels this community acts on", LABELS, default=list(base.labels),
                                            format_func=LABEL_NAMES.get, key=f"{key}_labels"))  # fmt: skip
    st.caption("Per label: the score that sends a comment to review (blank: the model's own tuned threshold) and "
               "the score that removes it.")  # fmt: skip
    review, remove = {}, {}
    for label in LABELS:
        left, middle, right = st.columns([2, 2, 2])
        left.markdown(f"**{LABEL_NAMES[label]}**")
        review[label] = middle.number_input("Review at", 0.0, 1.0, base.review[label], 0.01, format="%.2f",
                                            key=f"{key}_review_{label}", placeholder="model's own")  # fmt: skip
        remove[label] = right.number_input("Remove at", 0.0, 1.0, float(base.remove[label]), 0.01, format="%.2f",
                                           key=f"{key}_remove_{label}")  # fmt: skip
    fields["review"], fields["remove"] = review, remove
    bands = st.columns(3)
    fields["bands"] = {band: column.number_input(f"Severity {band} from", 0.0, 1.0, float(base.bands.get(band, 1.0)),
                                                  0.01, key=f"{key}_band_{band}")
                       for band, column in zip(SEVERITIES[2:], bands)}  # fmt: skip
    lists = st.columns(2)
    fields["blocklist"] = _lines(lists[0].text_area("Blocklist: one word or phrase per line (removes the comment; "
                                                    "spelling tricks are caught; * matches any letters)",
                                                    "\n".join(base.blocklist), key=f"{key}_blocklist"))  # fmt: skip
    fields["allowlist"] = _lines(lists[1].text_area("Allowlist: words this community uses in good faith (the model "
                                                    "does not see them)", "\n".join(base.allowlist),
                                                    key=f"{key}_allowlist"))  # fmt: skip
    fields["communities"] = _lines(
        st.text_area(
            "Service communityIds this policy applies to (one per line)",
            "\n".join(base.communities),
            key=f"{key}_communities",
            height=68,
        )
    )
    return fields


fields = _form(base)
try:
    edited = Policy(**fields)
    check_before_saving(edited)
    if edited.name in names and (edited.name != base.name or not base.version):  # a new one left at "new policy" too
        raise InputError(f"A policy named {edited.name!r} exists: pick it above to change it.")
    if reason := book.conflict(edited):
        raise InputError(reason[0].upper() + reason[1:] + ".")
except InputError as exc:
    st.error(as_text(str(exc)))
    st.stop()

st.header("What this change would do")
model_name = policy_model_name(edited)
model = load_models().get(model_name)
report = read_json(models_dir() / model_name / "evaluation.json")
before = base if base.version else Policy()
if model is None:
    st.info(as_text(f"The {model_name} model is not loaded, so the change cannot be measured."))
else:
    left, right = st.columns(2)
    if report and "predictions" in report:
        moves = verdict_moves(before, edited, validation_scores(report), model)
        left.markdown(f"**Validation comments** ({int(moves.to_numpy().sum()):,}): {moved(moves):,} change verdict")
        left.dataframe(moves, key="policy_moves_validation")
        left.caption("Scores only: blocklist and allowlist changes count on decided comments.")
    decided = decided_items(store().engine)
    if len(decided):
        moves = verdict_moves(before, edited, decided[list(LABELS)], model, decided["text"].tolist())
        right.markdown(f"**Decided comments** ({len(decided):,}): {moved(moves):,} change verdict")
        right.dataframe(moves, key="policy_moves_decided")
    else:
        right.caption("No decided comments yet.")

note = st.text_input("What changed, and why (kept with the version)", key="policy_note", max_chars=500)
save, make_default = st.columns(2)
unchanged = bool(base.version) and edited == base.changed(version=0)
if save.button("Save as a new version", type="primary", key="policy_save", disabled=unchanged):
    st.session_state["policy_saved"] = book.save(edited, by=name, note=note).name
    st.rerun()
if base.version and base.name != default_name and make_default.button("Make this the default", key="policy_default"):
    book.set_default(base.name)
    st.session_state["policy_made_default"] = base.name  # said after the rerun, where the button is gone
    st.rerun()
