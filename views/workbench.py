"""What the moderation pages share: the store, who is reviewing, and how a verdict looks.

A UI helper beside `common.py`; `cleanspeech/` keeps the logic (policies, the queue, the audit log).
"""

import pandas as pd
import streamlit as st

from cleanspeech import LABELS, CleanSpeechError
from cleanspeech.moderation import LABEL_NAMES, ModerationStore, Policy, Verdict
from cleanspeech.moderation.database import default_store
from cleanspeech.moderation.users import users_file, verify
from views.common import as_text

VERDICT_LOOK = {"allow": ("Allow", st.success), "review": ("Review", st.warning), "remove": ("Remove", st.error)}


@st.cache_resource(show_spinner="Opening the moderation store…")
def _open_store(url: str) -> ModerationStore:
    return ModerationStore(url)


def store() -> ModerationStore:
    """The moderation store every page and the service share (`CLEANSPEECH_STORE`, else cleanspeech.sqlite3)."""
    try:
        return _open_store(default_store())
    except CleanSpeechError as exc:
        st.error(as_text(str(exc)))
        st.stop()


def default_policy() -> Policy:
    return store().policies.default()


def default_policy_or_none() -> Policy | None:
    """The default policy, or None with a notice when the store cannot be opened: a page that can work without it
    (Moderate's scores, Batch's download) goes on."""
    try:
        return _open_store(default_store()).policies.default()
    except Exception as exc:  # noqa: BLE001 - a store outage costs the verdict, not the page
        st.warning(as_text(f"No verdict: the moderation store is unavailable ({str(exc).splitlines()[0]})."))
        return None


def reviewer(required: bool = True) -> str | None:
    """The signed-in reviewer's name; without one, a sign-in form in the sidebar (and the page stops if required).

    With `CLEANSPEECH_USERS` naming a users file, a password is checked against its scrypt hashes; otherwise a name
    is enough (a team on a trusted machine)."""
    name = st.session_state.get("reviewer")
    with st.sidebar:
        if name:
            st.caption(as_text(f"Reviewing as {name}"))
            if st.button("Sign out", key="sign_out"):
                st.session_state.pop("reviewer")
                st.rerun()
            return name
        with st.form("sign_in"):
            typed = st.text_input("Your name", key="reviewer_name", max_chars=100)
            path = users_file()
            password = st.text_input("Password", type="password", key="reviewer_password") if path else ""
            signed = st.form_submit_button("Sign in")
        if signed:
            if not typed.strip():
                st.error("Enter your name.")
            elif path and not verify(path, typed, password):
                st.error("Unknown name or wrong password.")
            else:
                st.session_state["reviewer"] = typed.strip()
                st.rerun()
    if required:
        st.info("Sign in with your name in the sidebar: every decision records who made it.")
        st.stop()
    return None


def verdict_card(verdict: Verdict, policy: Policy, model_name: str) -> None:
    title, box = VERDICT_LOOK[verdict.action]
    reasons = "; ".join(verdict.reasons) if verdict.reasons else "no label reaches its review threshold"
    box(as_text(f"{title} · severity {verdict.severity} · {reasons}"), icon=":material/gavel:")
    st.caption(as_text(f"Policy {policy.name} v{policy.version} on the {model_name} model."))


def plain_scores(scores: dict, review: dict, remove: dict) -> pd.DataFrame:
    """Per label, in plain words: the score, and the policy's review and remove thresholds."""
    return pd.DataFrame({"score": [round(float(scores[lb]), 3) for lb in LABELS],
                         "review at": [round(review[lb], 3) for lb in LABELS],
                         "remove at": [round(remove[lb], 3) for lb in LABELS]},
                        index=[LABEL_NAMES[lb] for lb in LABELS])  # fmt: skip


def queue_section(scored: pd.DataFrame, status: pd.Series, column: str, run_key: tuple) -> None:
    """The Batch page's hand-off: judge the scored rows by the default policy and queue the flagged ones.

    `run_key` names what was scored (the file's content, its options, the models): a second file of the same name
    and length is judged again, not shown, or queued, with the first file's verdicts."""
    from cleanspeech.moderation import moderate
    from cleanspeech.moderation.verdicts import policy_model_name, row_ids
    from cleanspeech.serving import SCORED_STATUSES
    from views.common import load_models

    policy = default_policy_or_none()
    if policy is None:
        return
    name = policy_model_name(policy)
    models = load_models()
    rows = scored[status.isin(SCORED_STATUSES)]
    if name not in models or rows.empty:
        return
    cache_key = (run_key, policy.name, policy.version)
    judged = st.session_state.get("batch_judged")
    if not judged or judged[0] != cache_key:  # judged once per file and policy, not on every rerun
        columns = [f"{name}_{label}" for label in LABELS]
        scores = rows[columns].set_axis(list(LABELS), axis=1) if set(columns) <= set(rows.columns) else None
        with st.spinner("Applying the policy…"):
            moderation = moderate(rows[column].astype(str).tolist(), policy, models[name], scores=scores)
        judged = (cache_key, moderation.queue_rows("batch", row_ids(rows)), [v.action for v in moderation.verdicts])
        st.session_state["batch_judged"] = judged
    queued_rows = judged[1]
    counts = pd.Series(judged[2]).value_counts()
    st.caption(as_text(f"Policy {policy.name} v{policy.version} ({name}): " + ", ".join(
        f"{counts.get(action, 0):,} {action}" for action in ("allow", "review", "remove"))))  # fmt: skip
    done_key = ("batch_queued", *cache_key)
    if st.session_state.get("batch_queued", (None,))[:-1] == done_key:
        st.success(_queued_note(len(queued_rows), st.session_state["batch_queued"][-1]))
    else:
        send = st.empty()  # emptied once sent: the button stayed beside "... are in the review queue" until a rerun
        if queued_rows and send.button(f"Send {len(queued_rows):,} to the review queue", key="batch_enqueue"):
            send.empty()
            added = store().queue.enqueue(queued_rows, ids_name_comments="id" in rows.columns)
            st.session_state["batch_queued"] = (*done_key, added)
            st.success(_queued_note(len(queued_rows), added))


def _queued_note(sent: int, added: int) -> str:
    before = f" ({sent - added:,} of them were queued already, under the same id and text)" if added < sent else ""
    return f"{sent:,} comments are in the review queue{before}."
