"""Queue: the comments a policy sent to review, most severe and oldest first. Open one (or press N for the next),
read its scores, why it was flagged, which words drove it and a suggested rewrite, then approve (A), remove (X) or
escalate (E) with a reason; S skips it, B goes back to the list. An opened item is yours for ten minutes: nobody
else is shown it."""

import time
from datetime import UTC

import pandas as pd
import streamlit as st

from cleanspeech import LABELS, InputError
from cleanspeech.languages import LANGUAGE_NAMES
from cleanspeech.moderation import LABEL_NAMES, REASON_CODES, SEVERITIES, QueueFilter
from cleanspeech.moderation.queue import PAGE_SIZE
from cleanspeech.moderation.reasons import DEFAULT_REASONS, STATUSES
from views.common import as_text, explanation_section, load_models, score_text
from views.highlight import comment_html
from views.rewriting import rewrite_section
from views.workbench import plain_scores, reviewer, store

# A decision or skip this soon after the last one is the second click of a double-click (or a key pressed twice): the
# next item opened under the pointer and nobody has read it. Operating systems take 0.5 s for a double-click.
DOUBLE_CLICK_S = 0.5

st.title("Review queue")
name = reviewer()
queue = store().queue


def _filters() -> QueueFilter:
    status, label, language, source, policy = st.columns(5)
    statuses = status.multiselect("Status", STATUSES, default=["open"], key="queue_status")
    picked = label.selectbox("Label", [None, *LABELS], key="queue_label",
                             format_func=lambda x: "any" if x is None else LABEL_NAMES[x])  # fmt: skip
    seen = [code for code in queue.languages() if code not in LANGUAGE_NAMES]  # "nl", "ar": named by the detector
    lang = language.selectbox("Language", [None, *LANGUAGE_NAMES, *seen], key="queue_language",
                              format_func=lambda x: "any" if x is None else LANGUAGE_NAMES.get(x, x))  # fmt: skip
    origin = source.selectbox("Source", [None, "batch", "cli", "service", "moderate"], key="queue_source",
                              format_func=lambda x: "any" if x is None else x)  # fmt: skip
    policy_name = policy.selectbox("Policy", [None, *store().policies.names()], key="queue_policy",
                                   format_func=lambda x: "any" if x is None else x)  # fmt: skip
    return QueueFilter(tuple(statuses) or ("open",), picked, lang, origin, policy_name)


def _show(item_id: int | None) -> None:
    """Open `item_id` (None: the list) with an empty note: a note belongs to the item it was typed for, and a decision
    records it for good."""
    st.session_state["queue_item"] = item_id
    st.session_state["queue_note"] = ""


def _open(item_id: int) -> None:
    if queue.claim(item_id, name):
        _show(item_id)
    else:
        st.session_state["queue_notice"] = f"Item {item_id} is being reviewed by someone else, or was decided."


def _next(where: QueueFilter) -> None:
    item = queue.claim_next(name, where, skip=tuple(st.session_state.get("queue_skipped", ())))
    _show(item["id"] if item else None)
    if item is None:
        st.session_state["queue_notice"] = "Nothing left to review with these filters."


def _unread(item_id: int, action: str) -> bool:
    """Whether a decision or skip of `item_id` must not count: its button is a stale one of an item no longer shown (a
    click that reached the page while the next item was being drawn), or it came so soon after the last decision or
    skip that the next item opened under the pointer (a double-click, a key pressed twice): nobody has read it."""
    if item_id != st.session_state.get("queue_item"):
        return True
    since = time.monotonic() - st.session_state.get("queue_moved_at", float("-inf"))
    if since < DOUBLE_CLICK_S:
        st.session_state["queue_notice"] = (f"Not recorded: this {action} came less than {DOUBLE_CLICK_S:g} s after "
                                            f"the last one, too soon to have read item {item_id}. Press it again if "
                                            "you meant it.")  # fmt: skip
        return True
    return False


def _decide(item_id: int, action: str, where: QueueFilter) -> None:
    if _unread(item_id, action):
        return
    try:
        queue.decide(item_id, name, action, st.session_state[f"queue_reason_{action}_{item_id}"],
                     st.session_state.get("queue_note", ""))  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - a lost claim or a store outage is shown, the item stays
        st.session_state["queue_notice"] = str(exc)
        return
    st.session_state["queue_done"] = st.session_state.get("queue_done", 0) + 1
    st.session_state["queue_moved_at"] = time.monotonic()
    _next(where)  # a shift is a stream: the next item opens at once


def _skip(item_id: int, where: QueueFilter) -> None:
    if _unread(item_id, "skip"):
        return
    st.session_state["queue_moved_at"] = time.monotonic()
    queue.release(item_id, name)  # free for a colleague; this session does not offer it again
    st.session_state.setdefault("queue_skipped", set()).add(item_id)
    _next(where)


def _item_view(item: dict, where: QueueFilter) -> None:
    try:
        policy = store().policies.get(item["policy_name"], item["policy_version"])
    except InputError:  # judged by a policy file that was never stored (`--policy file.json`)
        policy = store().policies.default()
    left, right = st.columns([3, 2])
    with left:
        st.subheader(f"Item {item['id']} · {SEVERITIES[item['severity']]} · {item['verdict']}")
        st.html(comment_html(item["text"]))  # escaped: markup in a comment is never rendered
        st.caption(as_text(f"{LANGUAGE_NAMES.get(item['language'], item['language'])} · from {item['source']}"
                           f" · {_utc(item['created_at']):%Y-%m-%d %H:%M} UTC · {item['model']} {item['model_version']}"
                           f" · policy {item['policy_name']} v{item['policy_version']}"))  # fmt: skip
        for reason in item["reasons"]:
            st.markdown("- " + as_text(reason))
    with right:
        st.dataframe(plain_scores(item["scores"], policy.review_thresholds(_thresholds(item["model"])),
                                  policy.remove), key="queue_scores")  # fmt: skip
        claim = item["claim_expires_at"]
        st.caption(f"Yours until {_utc(claim):%H:%M:%S} UTC." if claim else "")
    _actions(item, where)
    with st.expander("Which words drove the scores"):
        models = load_models()
        thresholds = {n: m.thresholds for n, m in models.items()}
        explanation_section(item["text"], score_text(item["text"]), thresholds, judged_by=item["model"])
    with st.expander("Suggested rewrite"):
        rewrite_section(item["text"])


def _thresholds(model_name: str) -> dict:
    models = load_models()
    return models[model_name].thresholds if model_name in models else dict.fromkeys(LABELS, 0.5)


def _actions(item: dict, where: QueueFilter) -> None:
    columns = st.columns(3)
    for column, (action, key, kind) in zip(columns, [("approve", "a", "secondary"), ("remove", "x", "primary"),
                                                      ("escalate", "e", "secondary")]):  # fmt: skip
        codes = list(REASON_CODES[action])
        # Each item's own picker, opening on the action's weakest claim: one carried over from the last item would
        # record that item's reason for this one.
        column.selectbox(f"Reason to {action}", codes, format_func=REASON_CODES[action].get,
                         index=codes.index(DEFAULT_REASONS[action]),
                         key=f"queue_reason_{action}_{item['id']}")  # fmt: skip
        # Keyed by the item: a second click (or key press) that reaches the page after a decision opened the next item
        # was made on the decided item's button, which is then gone, so it cannot decide the next one unseen.
        column.button(action.capitalize(), key=f"queue_{action}_{item['id']}", type=kind, width="stretch",
                      shortcut=key, on_click=_decide, args=(item["id"], action, where))  # fmt: skip
    st.text_input("Note (optional)", key="queue_note", max_chars=2000)
    skip, back = st.columns(2)
    skip.button("Skip", key=f"queue_skip_{item['id']}", shortcut="s", on_click=_skip, args=(item["id"], where))
    back.button("Back to the list", key="queue_back", shortcut="b", on_click=_back, args=(item["id"],))


def _back(item_id: int) -> None:
    queue.release(item_id, name)
    _show(None)


def _list_view(where: QueueFilter) -> None:
    cursors = st.session_state.setdefault("queue_cursors", [None])  # the cursor each visited page started after
    rows = queue.page(where, after=cursors[-1], limit=PAGE_SIZE + 1)  # one more: is there a next page?
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    total = queue.count(where)
    page_number = len(cursors)
    st.caption(f"{total:,} item{'' if total == 1 else 's'} · page {page_number} of {max(1, -(-total // PAGE_SIZE)):,}")
    if not rows:
        st.info("The queue is empty for these filters." if page_number == 1 else "Nothing more on this page.")
    _pager(cursors, rows, more)
    if not rows:
        return
    table = pd.DataFrame({
        "id": [r["id"] for r in rows], "severity": [SEVERITIES[r["severity"]] for r in rows],
        "verdict": [r["verdict"] for r in rows], "comment": [r["preview"] for r in rows],
        "labels": [", ".join(LABEL_NAMES[lb] for lb in r["labels"]) for r in rows],
        "language": [r["language"] for r in rows], "source": [r["source"] for r in rows],
        "age": [_age(r["created_at"]) for r in rows], "status": [r["status"] for r in rows],
        "claimed by": [r["claimed_by"] or "" for r in rows],
    })  # fmt: skip
    # A new key after each pick: a selection would otherwise outlive the item it opened and reopen it on return.
    generation = st.session_state.setdefault("queue_table_generation", 0)
    picked = st.dataframe(table, hide_index=True, key=f"queue_table_{generation}", on_select="rerun",
                          selection_mode="single-row")  # fmt: skip
    if picked and picked.selection.rows:
        st.session_state["queue_table_generation"] = generation + 1
        _open(int(table.iloc[picked.selection.rows[0]]["id"]))
        st.rerun()


def _pager(cursors: list, rows: list, more: bool) -> None:
    back, forward = st.columns(2)
    if back.button("Previous page", key="queue_prev", disabled=len(cursors) == 1, shortcut="p"):
        cursors.pop()
        st.rerun()
    if forward.button("Next page", key="queue_next_page", disabled=not more, shortcut="shift+n"):
        cursors.append(rows[-1]["cursor"])
        st.rerun()


def _utc(when) -> pd.Timestamp:
    """A stored time in UTC: SQLite gives it back naive (stored as UTC), PostgreSQL in the session's time zone."""
    stamp = pd.Timestamp(when)
    return stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)


def _age(created_at) -> str:
    minutes = int((pd.Timestamp.now(tz=UTC) - _utc(created_at)).total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h" if minutes < 2880 else f"{minutes // 1440} d"


where = _filters()
if st.session_state.get("queue_filter") != where:  # new filters start from the first page
    st.session_state["queue_filter"], st.session_state["queue_cursors"] = where, [None]
if notice := st.session_state.pop("queue_notice", None):
    st.info(as_text(notice))
done = st.session_state.get("queue_done", 0)
st.button("Review next", key="queue_next", type="primary", shortcut="n", on_click=_next, args=(where,))
if done:
    st.caption(f"{done} decided this session.")
item_id = st.session_state.get("queue_item")
if item_id is None and "queue_item" not in st.session_state:
    item_id = queue.held_by(name)  # after a reload or a restart, the item you were reviewing comes back
if item_id is not None:
    item = queue.get(item_id)
    if item["status"] in ("open", "escalated") and queue.claim(item_id, name):
        st.session_state["queue_item"] = item_id
        _item_view(queue.get(item_id), where)
        st.stop()
    # decided or taken meanwhile (a claim that ran out): back to the list, saying why, and the note kept to copy
    decided = item["status"] not in ("open", "escalated")
    fate = f"was decided meanwhile ({item['status']})" if decided else "is no longer yours: your claim on it ran out"
    fate += f" and {item['claimed_by']} is reviewing it" if not decided and item["claimed_by"] else ""
    note = st.session_state.get("queue_note", "")
    st.info(as_text(f"Item {item_id} {fate}." + (f" Your note, not recorded: {note}" if note else "")))
    _show(None)
_list_view(where)
