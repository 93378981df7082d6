"""The moderator's pages through streamlit.testing: sign in, work the queue, read the history, send a batch to
review (the Policies page: test_app_policies.py). Each test has its own store (CLEANSPEECH_STORE), so tests never see
each other's items."""

import time

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cleanspeech.moderation import ModerationStore
from cleanspeech.moderation.reasons import DEFAULT_REASONS
from tests.helpers import REPO
from tests.helpers.app_testing import fill_queue, signed_in

pytestmark = pytest.mark.xdist_group("app")  # the app's models load once per worker


def test_queue_needs_a_reviewer_then_opens_decides_and_moves_on(store_path, shipped_baseline):
    store = fill_queue(store_path, ["you stupid idiot", "I will hurt you", "what a lovely day"], shipped_baseline)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/queue.py").run()
    assert any("Sign in" in info.value for info in at.info)  # nobody decides anonymously
    at = signed_in("views/queue.py")
    assert at.caption[0].value.startswith("3 items")
    at.button(key="queue_next").click().run()
    first = int(at.subheader[0].value.split()[1])
    assert store.queue.get(first)["claimed_by"] == "ana"  # opened means claimed
    at.selectbox(key=f"queue_reason_remove_{first}").select("spam")
    at.text_input(key="queue_note").input("name-calling")
    at.button(key=f"queue_remove_{first}").click().run()
    assert not at.exception
    assert store.queue.get(first)["status"] == "removed"
    second = int(at.subheader[0].value.split()[1])  # the next item opened by itself
    assert second != first and store.queue.get(second)["claimed_by"] == "ana"
    # the reason picked for the first item is not carried over: the second's opens on toxic alone, as every item's
    assert at.selectbox(key=f"queue_reason_remove_{second}").value == DEFAULT_REASONS["remove"] == "toxic"
    # its buttons are its own: a second click on the decided item's Remove finds no button to decide the next one with
    assert not [b for b in at.button if b.key == f"queue_remove_{first}"] and at.button(key=f"queue_remove_{second}")
    at.session_state["queue_moved_at"] = time.monotonic()  # as if the click came right after: a double-click's second
    at.button(key=f"queue_approve_{second}").click().run()  # half, with item 2 unread
    assert store.queue.get(second)["status"] == "open" and any("Not recorded" in i.value for i in at.info)
    assert int(at.subheader[0].value.split()[1]) == second  # still open, for the reviewer to decide
    at.text_input(key="queue_note").input("typed for the second item")
    at.session_state["queue_moved_at"] = time.monotonic() - 5  # read for five seconds
    at.button(key=f"queue_skip_{second}").click().run()
    third = int(at.subheader[0].value.split()[1])
    assert third not in (first, second) and store.queue.get(second)["claimed_by"] is None
    at.session_state["queue_moved_at"] = time.monotonic()
    at.button(key=f"queue_skip_{third}").click().run()  # a skip pressed twice does not skip the next item unread
    assert int(at.subheader[0].value.split()[1]) == third and store.queue.get(third)["claimed_by"] == "ana"
    assert at.text_input(key="queue_note").value == ""  # a note stays with the item it was typed for
    log = store.history()
    assert log.loc[0, ["reviewer", "action", "reason_code", "note"]].tolist() == ["ana", "remove", "spam",
                                                                                   "name-calling"]  # fmt: skip


def test_an_item_taken_meanwhile_says_so_and_keeps_the_note(store_path, shipped_baseline):
    store = fill_queue(store_path, ["you stupid idiot", "I will hurt you"], shipped_baseline)
    at = signed_in("views/queue.py")
    at.button(key="queue_next").click().run()
    item = int(at.subheader[0].value.split()[1])
    at.text_input(key="queue_note").input("a careful note")
    store.queue.claim(item, "ana", seconds=-1)  # ana's claim runs out, and bob takes the item
    assert store.queue.claim(item, "bob")
    at.run()
    assert not at.exception and not at.subheader  # back to the list, saying why, with the note to copy
    assert any(f"Item {item} is no longer yours" in i.value and "bob is reviewing it" in i.value
               and "a careful note" in i.value for i in at.info)  # fmt: skip


def test_the_language_filter_offers_every_language_in_the_queue(store_path, shipped_baseline):
    dutch = "Je bent een ontzettende idioot en niemand wil jou hier hebben."  # named "nl" by the detector, not und
    store = fill_queue(store_path, ["you stupid idiot", "I will hurt you", dutch], shipped_baseline)
    assert store.queue.languages() == ["en", "nl"]
    at = signed_in("views/queue.py")
    box = at.selectbox(key="queue_language")
    assert "nl" in box.options and box.options.count("undetermined") == 1
    box.select("nl").run()
    assert not at.exception and at.caption[0].value.startswith("1 item")


def test_a_reload_gives_the_reviewer_their_item_back_and_hides_it_from_others(store_path, shipped_baseline):
    store = fill_queue(store_path, ["you stupid idiot", "I will hurt you"], shipped_baseline)
    ana = signed_in("views/queue.py", "ana")
    ana.button(key="queue_next").click().run()
    held = int(ana.subheader[0].value.split()[1])
    again = signed_in("views/queue.py", "ana")  # a new browser session: a reload, or the app restarted
    assert int(again.subheader[0].value.split()[1]) == held
    bob = signed_in("views/queue.py", "bob")
    bob.button(key="queue_next").click().run()
    assert int(bob.subheader[0].value.split()[1]) != held
    assert store.queue.get(held)["claimed_by"] == "ana"


def test_history_lists_decisions_and_applies_a_proposed_threshold_as_a_new_version(store_path, shipped_baseline,
                                                                                    monkeypatch):  # fmt: skip
    import cleanspeech.moderation.store
    from cleanspeech.labels import LABELS
    from cleanspeech.moderation.queue import label_flags

    store = fill_queue(store_path, [], shipped_baseline)
    rows = []
    for i in range(30):  # insult scores 0.30 ... 0.59; the moderators remove from 0.45 up
        scores = {**dict.fromkeys(LABELS, 0.01), "insult": 0.30 + i / 100}
        rows.append(
            {
                "source": "cli",
                "text": f"comment {i}",
                "language": "en",
                "model": "baseline",
                "model_version": "v",
                "scores": scores,
                "policy_name": "default",
                "policy_version": 1,
                "verdict": "review",
                "severity": 1,
                "reasons": [],
                "label_flags": label_flags(["insult"]),
            }
        )
    store.queue.enqueue(rows)
    for _ in range(30):
        item = store.queue.claim_next("ana")
        rude = item["scores"]["insult"] >= 0.45
        store.queue.decide(item["id"], "ana", "remove" if rude else "approve", "insult" if rude else "not_toxic")
    store.add_suggestion(comment_text="from coral", attribute_scores={"TOXICITY": {"summaryScore": {"value": 1.0}}},
                         languages=["en"], context=None, client_token=None, session_id=None, community_id=None,
                         model_version="x")  # fmt: skip
    at = signed_in("views/history.py")
    table = at.dataframe[0].value
    assert len(table) == 31 and set(table["kind"]) == {"decision", "suggestscore"}
    assert not any("newest" in c.value for c in at.caption)
    limit = cleanspeech.moderation.store.HISTORY_LIMIT
    monkeypatch.setattr(cleanspeech.moderation.store, "HISTORY_LIMIT", 25)  # the table stops at the newest 25
    at.run()
    assert (at.dataframe[0].value["kind"] == "decision").sum() == 25
    assert any("newest 25 decisions" in c.value and "Download CSV holds every one" in c.value for c in at.caption)
    assert len(store.history(limit=None)) == 31  # what the download writes
    monkeypatch.setattr(cleanspeech.moderation.store, "HISTORY_LIMIT", 30)  # exactly the 30 decisions: none left out
    at.run()
    assert len(at.dataframe[0].value) == 31 and not any("newest" in c.value for c in at.caption)
    monkeypatch.setattr(cleanspeech.moderation.store, "HISTORY_LIMIT", limit)
    at.run()
    assert at.dataframe[1].value.set_index("label").loc["Insult", "decisions"] == 30
    at.radio(key="history_period").set_value("day").run()  # all decided today: one point, a table, not a chart
    assert any("fall in one day: a chart per day needs two" in c.value for c in at.caption)
    assert not at.get("plotly_chart") and at.dataframe[1].value["period"].nunique() == 1
    at.radio(key="history_period").set_value("all time").run()
    at.slider(key="history_target").set_value(0.8).run()
    before = store.policies.default()
    at.button(key="history_apply").click().run()
    assert not at.exception
    after = store.policies.default()
    assert after.version == before.version + 1 and after.review != before.review
    assert store.policies.versions(after.name)[0]["created_by"] == "ana"
    assert any(f"Saved default v{after.version}" in s.value for s in at.success)
    # applied: the proposal is the policy's own now, and another apply would save the same thresholds again
    assert "history_apply" not in [b.key for b in at.button]
    assert any("already reviews at the proposed thresholds" in c.value for c in at.caption)
    at.slider(key="history_target").set_value(0.6).run()  # another target: the page read the policy again
    assert at.button(key="history_apply").label.endswith(f"as version {after.version + 1}")
    at.text_input(key="history_reviewer").input("Ana").run()  # any case; the agreement follows the filter
    captions = " ".join(c.value.replace("\\", "") for c in at.caption)  # markdown escapes
    assert len(at.dataframe[0].value) == 30 and "30 approve and remove decisions of this period by Ana" in captions
    at.text_input(key="history_reviewer").input("nobody").run()
    assert any("No approve or remove decisions" in i.value for i in at.info)


def test_batch_page_sends_flagged_rows_to_the_queue(store_path, tmp_path):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/batch.py").run()
    frame = pd.DataFrame({"id": ["a", "b", "c"], "comment_text": ["you stupid idiot", "thanks!", "I will kill you"]})
    at.file_uploader(key="batch_file").upload("comments.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    at.button(key="batch_score").click().run()
    at.button(key="batch_enqueue").click().run()
    assert not at.exception and "batch_enqueue" not in [b.key for b in at.button]  # sent: the button goes
    assert any("comments are in the review queue" in s.value for s in at.success)
    items = ModerationStore(store_path).queue.page()
    assert sorted(i["external_id"] for i in items) == ["a", "c"] and {i["source"] for i in items} == {"batch"}
    # Another file of the same name and length is judged afresh: nothing of it flagged, nothing said to be queued
    kind = frame.assign(id=["d", "e", "f"], comment_text=["thank you", "nice work", "see you tomorrow"])
    at.file_uploader(key="batch_file").upload("comments.csv", kind.to_csv(index=False).encode(), "text/csv").run()
    at.button(key="batch_score").click().run()
    assert not at.exception and not [b for b in at.button if b.key == "batch_enqueue"]
    assert not [s.value for s in at.success if "in the review queue" in s.value]
    assert any("3 allow, 0 review, 0 remove" in c.value.replace("\\", "") for c in at.caption)  # markdown escapes


def test_moderate_page_queues_a_comment_once(store_path):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.text_area(key="comment").input("You are a disgusting idiot and I will find you.")
    at.button(key="moderate_check").click().run()
    at.button(key="moderate_enqueue").click().run()
    assert not at.exception and any("Queued for review." in s.value for s in at.success)
    assert not [b for b in at.button if b.key == "moderate_enqueue"]  # a second click queued a twin
    at.run()
    assert len(ModerationStore(store_path).queue.page()) == 1 and any("Queued" in s.value for s in at.success)


def test_with_a_users_file_a_password_is_required(store_path, tmp_path, monkeypatch):
    from cleanspeech.moderation.users import add_user

    users = tmp_path / "users.json"
    add_user(users, "ana", "correct horse battery")
    monkeypatch.setenv("CLEANSPEECH_USERS", str(users))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/queue.py").run()
    at.sidebar.text_input(key="reviewer_name").input("ana")
    at.sidebar.text_input(key="reviewer_password").input("wrong password")
    at.sidebar.button[0].click().run()
    assert "Unknown name or wrong password." in [e.value for e in at.sidebar.error]
    assert any("Sign in" in info.value for info in at.info)
    at.sidebar.text_input(key="reviewer_password").input("correct horse battery")
    at.sidebar.button[0].click().run()
    assert at.title[0].value == "Review queue" and "Reviewing as ana" in [c.value for c in at.sidebar.caption]


def test_the_list_pages_forward_and_back_and_an_item_can_be_escalated_or_put_back(store_path, shipped_baseline):
    from cleanspeech.labels import LABELS
    from cleanspeech.moderation.queue import label_flags

    store = fill_queue(store_path, [], shipped_baseline)
    store.queue.enqueue([{"source": "cli", "text": f"comment {i}", "language": "en", "model": "baseline",
                          "model_version": "v", "scores": dict.fromkeys(LABELS, 0.6), "policy_name": "default",
                          "policy_version": 1, "verdict": "review", "severity": 1 + i % 4, "reasons": [],
                          "label_flags": label_flags(["toxic"])} for i in range(120)])  # fmt: skip
    at = signed_in("views/queue.py")
    assert at.caption[0].value == "120 items · page 1 of 3"
    first_page = at.dataframe[0].value["id"].tolist()
    at.button(key="queue_next_page").click().run()
    assert at.caption[0].value == "120 items · page 2 of 3"
    second_page = at.dataframe[0].value["id"].tolist()
    assert len(second_page) == 50 and not set(first_page) & set(second_page)
    at.button(key="queue_prev").click().run()
    assert at.dataframe[0].value["id"].tolist() == first_page
    at.button(key="queue_next").click().run()
    opened = int(at.subheader[0].value.split()[1])
    assert opened == first_page[0]  # the most severe, oldest item
    at.button(key="queue_back").click().run()  # put back: free for anyone, and the list shows again
    assert store.queue.get(opened)["claimed_by"] is None and at.dataframe
    at.button(key="queue_next").click().run()
    at.selectbox(key=f"queue_reason_escalate_{opened}").select("legal")
    at.button(key=f"queue_escalate_{opened}").click().run()
    assert store.queue.get(opened)["status"] == "escalated"
    assert int(at.subheader[0].value.split()[1]) != opened  # the next item opened
    at.button(key="queue_back").click().run()
    at.multiselect(key="queue_status").set_value(["escalated"]).run()
    assert at.dataframe[0].value["id"].tolist() == [opened]  # waiting for a second opinion
