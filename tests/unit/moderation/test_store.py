"""The moderation store on SQLite and PostgreSQL: policy versions, the queue's order and paging, claims that two
moderators race for, decisions that survive a restart and cannot be changed afterwards."""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from cleanspeech.errors import InputError
from cleanspeech.labels import LABELS
from cleanspeech.moderation import ModerationStore, Policy, QueueFilter
from cleanspeech.moderation.queue import label_flags


def item(i: int, severity: int = 2, labels=("toxic",), language="en", source="batch") -> dict:
    return {"source": source, "external_id": str(i), "community_id": None, "text": f"comment {i}",
            "language": language, "model": "baseline", "model_version": "abc", "scores": dict.fromkeys(LABELS, 0.5),
            "policy_name": "default", "policy_version": 1, "verdict": "review", "severity": severity,
            "reasons": ["Toxic 0.50 ≥ review at 0.40"], "label_flags": label_flags(labels)}  # fmt: skip


@pytest.fixture
def store(store_url):
    opened = ModerationStore(store_url)
    yield opened
    opened.close()


def test_policies_are_versioned_and_one_is_the_default(store):
    default = store.policies.default()
    assert (default.name, default.version) == ("default", 1)
    strict = store.policies.save(Policy(name="strict", remove=dict.fromkeys(LABELS, 0.7)), by="ana")
    strict2 = store.policies.save(strict.changed(blocklist=("idiot",)), by="bob", note="add a word")
    assert (strict.version, strict2.version) == (1, 2)
    assert store.policies.get("strict").blocklist == ("idiot",)
    assert store.policies.get("strict", 1).blocklist == ()
    assert [v["created_by"] for v in store.policies.versions("strict")] == ["bob", "ana"]
    store.policies.set_default("strict")
    assert store.policies.default().name == "strict"
    store.policies.save(Policy(name="kids", communities=("forum-kids",)), by="ana")
    assert store.policies.for_community("forum-kids").name == "kids"
    assert store.policies.for_community("other").name == "strict"
    with pytest.raises(InputError, match="no policy 'nope'"):
        store.policies.set_default("nope")


def test_the_queue_pages_by_severity_then_age_with_filters(store):
    store.queue.enqueue([item(i, severity=1 + i % 3, language="de" if i % 2 else "en") for i in range(23)])
    seen, cursor = [], None
    while page := store.queue.page(after=cursor, limit=5):
        seen += page
        cursor = page[-1]["cursor"]
    assert len(seen) == 23 == store.queue.count()
    assert [row["severity"] for row in seen] == sorted((row["severity"] for row in seen), reverse=True)
    assert all(a["id"] < b["id"] for a, b in zip(seen, seen[1:]) if a["severity"] == b["severity"])
    german = QueueFilter(language="de")
    assert store.queue.count(german) == 11 and {r["language"] for r in store.queue.page(german)} == {"de"}
    store.queue.enqueue([item(100, labels=("threat", "toxic"))])
    assert [r["external_id"] for r in store.queue.page(QueueFilter(label="threat"))] == ["100"]
    assert store.queue.page(QueueFilter(label="threat"))[0]["labels"] == ["toxic", "threat"]


def test_two_moderators_never_hold_one_item(store_url, store):
    store.queue.enqueue([item(i) for i in range(6)])
    other = ModerationStore(store_url, migrate=False)  # a second app process on the same database
    results, barrier = {}, threading.Barrier(2)

    def work(name, handle):
        barrier.wait()
        results[name] = []
        for _ in range(3):
            claimed = handle.queue.claim_next(name)["id"]
            assert handle.queue.claim_next(name)["id"] == claimed  # one item at a time: their own comes back
            results[name].append(claimed)
            handle.queue.decide(claimed, name, "approve", "not_toxic")

    threads = [threading.Thread(target=work, args=args) for args in (("ana", store), ("bob", other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results["ana"] + results["bob"]) == list(range(1, 7))  # each item reviewed once, none twice
    assert store.queue.count() == 0 and len(store.history()) == 6
    store.queue.enqueue([item(7)])
    assert store.queue.claim(7, "ana") and not other.queue.claim(7, "bob")
    with pytest.raises(InputError, match="being reviewed by ana"):
        other.queue.decide(7, "bob", "approve", "not_toxic")
    store.queue.release(7, "ana")  # put back: free for the next moderator
    assert other.queue.claim_next("bob")["id"] == 7
    assert other.queue.claim(7, "bob", seconds=-1)  # a claim that has run out ...
    with pytest.raises(InputError, match="bob's claim on item 7 expired"):
        other.queue.decide(7, "bob", "approve", "not_toxic")
    assert store.queue.claim(7, "ana")  # ... frees the item for anyone
    other.close()


def test_a_review_survives_a_restart_and_its_decision_cannot_change(store_url, store):
    store.queue.enqueue([item(1, severity=3), item(2, severity=1)])
    claimed = store.queue.claim_next("ana")
    store.close()  # the app restarts in the middle of the review
    reopened = ModerationStore(store_url)
    assert reopened.queue.claim_next("ana")["id"] == claimed["id"]  # the same item comes back to the same person
    assert reopened.queue.claim_next("bob")["id"] != claimed["id"]
    decision = reopened.queue.decide(claimed["id"], "ana", "remove", "insult", "name-calling")
    with pytest.raises(InputError, match="already decided"):
        reopened.queue.decide(claimed["id"], "ana", "approve", "not_toxic")
    assert reopened.queue.get(claimed["id"])["status"] == "removed"
    history = reopened.history()
    assert history.loc[0, ["id", "reviewer", "action", "reason_code", "note", "text", "policy_version"]].tolist() == [
        decision,
        "ana",
        "remove",
        "insult",
        "name-calling",
        "comment 1",
        1,
    ]
    for statement in ("UPDATE decisions SET action = 'approve'", "DELETE FROM decisions"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), reopened.engine.begin() as conn:
            conn.execute(sa.text(statement))
    with pytest.raises(InputError, match="unknown reason"):
        reopened.queue.decide(2, "bob", "remove", "not_toxic")
    reopened.close()


def test_an_escalated_item_waits_for_a_second_opinion(store):
    store.queue.enqueue([item(1)])
    store.queue.claim_next("ana")
    store.queue.decide(1, "ana", "escalate", "unsure", "is this a slur here?")
    assert store.queue.count() == 0 and store.queue.count(QueueFilter(statuses=("escalated",))) == 1
    assert store.queue.claim_next("ana") is None  # not in the open queue any more
    assert store.queue.claim_next("ana", QueueFilter(statuses=("open", "escalated"))) is None  # nor ana's to judge
    senior = store.queue.claim_next("lead", QueueFilter(statuses=("escalated",)))
    assert senior["id"] == 1 and senior["claimed_by"] == "lead"
    store.queue.decide(1, "lead", "remove", "identity_attack")
    history = store.history()
    assert history["action"].tolist() == ["remove", "escalate"]  # both kept, newest first
    assert str(history["decided_at"].dt.tz) == "UTC"  # said, on every backend (SQLite gave the time without its zone)


def test_history_holds_suggestscore_records_beside_decisions(store):
    store.add_suggestion(comment_text="nice one", attribute_scores={"TOXICITY": {"summaryScore": {"value": 0.0}}},
                         languages=["en"], context=None, client_token="t1", session_id=None, community_id="c1",
                         model_version="abc")  # fmt: skip
    history = store.history()
    assert history.loc[0, ["kind", "reviewer", "action", "text"]].tolist() == [
        "suggestscore",
        "community:c1",
        "approve",
        "nice one",
    ]
    assert store.history(action="remove").empty


def test_history_finds_a_reviewer_in_any_case_on_every_backend(store):
    store.queue.enqueue([item(i) for i in range(3)])
    for reviewer in ("Élodie", "ana", "Ana"):  # one decision each
        claimed = store.queue.claim_next(reviewer)
        store.queue.decide(claimed["id"], reviewer, "approve", "not_toxic")
    assert sorted(store.history(reviewer="élodie")["reviewer"]) == ["Élodie"]  # SQLite's lower() folds ASCII only
    assert sorted(store.history(reviewer="ANA")["reviewer"]) == ["Ana", "ana"]
    assert store.history(reviewer="nobody").empty


def test_a_comment_is_queued_once_by_source_id_and_text_on_every_backend(store):
    token = "t" * 3000  # a client token longer than PostgreSQL indexes whole: the key is a hash of it
    first = [item(1) | {"external_id": token}, item(2), item(3) | {"external_id": None}]
    assert store.queue.enqueue(first) == 3
    store.queue.decide(store.queue.claim_next("ana")["id"], "ana", "approve", "not_toxic")
    again = [item(1) | {"external_id": token}, item(2), item(2), item(3) | {"external_id": None},
             item(2) | {"text": "comment 2, edited"}, item(2) | {"source": "cli"}]  # fmt: skip
    assert store.queue.enqueue(again) == 3  # no id: always; an edit and another source: new comments
    every = QueueFilter(statuses=("open", "escalated", "approved", "removed"))
    assert store.queue.count(every) == 6
    elsewhere = [item(2) | {"community_id": "forum-b"}, item(4) | {"external_id": " "}, item(4) | {"external_id": ""}]
    assert store.queue.enqueue(elsewhere) == 3  # another community's comment; blank ids are no ids
    assert store.queue.enqueue([item(2)], ids_name_comments=False) == 1  # row numbers name places, not comments


def test_items_queued_before_the_duplicate_key_get_one_when_the_store_is_upgraded(store_url):
    from cleanspeech.moderation.database import downgrade, open_engine, upgrade
    from cleanspeech.moderation.schema import items

    engine = open_engine(store_url, migrate=False)
    upgrade(engine, "0002")  # a store as the previous release left it
    old = item(7)
    with engine.begin() as conn:
        conn.execute(items.insert(), [{"created_at": datetime.now(UTC), "status": "open", **old}])  # its columns
    engine.dispose()
    upgraded = ModerationStore(store_url)
    assert upgraded.queue.enqueue([item(7), item(8)]) == 1 and upgraded.queue.count() == 2
    upgraded.queue.decide(upgraded.queue.claim_next("ana")["id"], "ana", "approve", "not_toxic")
    upgraded.close()
    engine = open_engine(store_url, migrate=False)
    downgrade(engine, "0002")  # back, with a decision whose item the table copy of batch mode would have dropped
    with engine.connect() as conn:
        assert "duplicate_key" not in {c["name"] for c in sa.inspect(conn).get_columns("items")}
    upgrade(engine)  # and forward again: the keys filled in once more
    engine.dispose()
    assert ModerationStore(store_url).queue.enqueue([item(8)]) == 0


def test_two_processes_queueing_one_comment_at_once_add_it_once(store_url):
    """The check is the insert: each store has its own engine and connections, as two processes would."""
    stores = [ModerationStore(store_url), ModerationStore(store_url)]
    try:
        for round_ in range(5):
            rows = [item(100 * round_ + i) for i in range(50)]
            start, added = threading.Barrier(2), []

            def queue(store, rows=rows, start=start, added=added):
                start.wait()
                added.append(store.queue.enqueue(rows))

            threads = [threading.Thread(target=queue, args=(store,)) for store in stores]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sum(added) == 50, added
        assert stores[0].queue.count() == 250
    finally:
        for store in stores:
            store.close()


def test_items_queued_twice_before_the_unique_key_keep_it_on_the_first(store_url):
    from cleanspeech.moderation.database import downgrade, open_engine, upgrade
    from cleanspeech.moderation.queue import duplicate_key
    from cleanspeech.moderation.schema import items

    engine = open_engine(store_url, migrate=False)
    upgrade(engine, "0003")  # a store where two processes both queued comment 5
    twin = item(5) | {"duplicate_key": duplicate_key("batch", "5", None, "comment 5"), "status": "open"}
    with engine.begin() as conn:
        conn.execute(items.insert(), [twin | {"created_at": datetime.now(UTC)} for _ in range(2)])
    upgrade(engine)
    with engine.connect() as conn:
        keys = conn.execute(sa.select(items.c.duplicate_key).order_by(items.c.id)).scalars().all()
    assert keys == [twin["duplicate_key"], None]  # both stay queued; one key
    downgrade(engine, "0003")  # and back, and forward again
    upgrade(engine)
    engine.dispose()
    store = ModerationStore(store_url)
    assert store.queue.enqueue([item(5), item(6)]) == 1 and store.queue.count() == 3
    store.close()


def test_a_nul_character_is_stored_as_a_replacement_on_every_backend(store):
    """PostgreSQL's text and JSON refuse NUL; SQLite holds it. Both keep such a comment, with U+FFFD in its place."""
    store.add_suggestion(comment_text="you\x00idiot", attribute_scores={"TOXICITY": {"summaryScore": {"value": 1.0}}},
                         languages=["en"], context={"entries": [{"text": "a\x00b"}]}, client_token="t\x00",
                         session_id=None, community_id="c\x00", model_version="abc")  # fmt: skip
    [record] = store.suggestions()
    assert (record["comment_text"], record["client_token"]) == ("you\ufffdidiot", "t\ufffd")
    assert record["context"] == {"entries": [{"text": "a\ufffdb"}]}
    store.queue.enqueue([item(1) | {"text": "bad\x00comment", "reasons": ["x\x00"]}, item(2)])
    assert [row["preview"] for row in store.queue.page()] == ["bad\ufffdcomment", "comment 2"]


def test_decisions_teach_agreement_thresholds_and_training_rows(store, tmp_path):
    from cleanspeech.data.readers import read_extra_rows
    from cleanspeech.moderation.feedback import agreement, decided_items, propose_thresholds, training_rows

    rows = []
    for i in range(40):  # insult scores 0.30 ... 0.69; moderators confirm insults at 0.5 and above
        row = item(i, labels=("toxic", "insult") if i >= 10 else ("toxic",))
        row["scores"] = {**dict.fromkeys(LABELS, 0.1), "toxic": 0.6, "insult": 0.30 + i / 100}
        rows.append(row)
    store.queue.enqueue(rows)
    for _ in range(40):
        claimed = store.queue.claim_next("ana")["id"]
        insult = store.queue.get(claimed)["scores"]["insult"]
        if claimed == 40:
            store.queue.decide(claimed, "ana", "remove", "spam")  # teaches nothing about toxicity
        elif insult >= 0.5:
            store.queue.decide(claimed, "ana", "remove", "insult")
        else:
            store.queue.decide(claimed, "ana", "approve", "not_toxic")
    decided = decided_items(store.engine)
    assert len(decided) == 39
    table = agreement(decided).set_index("label")
    assert table.loc["insult", "recall"] == 1.0 and 0.6 < table.loc["insult", "precision"] < 0.7  # 19 of 29 flags
    assert table.loc["insult", "decisions"] == 39 and table.loc["insult", "confirmed"] == 19  # what it is measured on
    assert table.loc["threat", "decisions"] == 20  # the approvals: a removal for an insult says nothing of threats
    proposal = propose_thresholds(decided, {**dict.fromkeys(LABELS, 0.5), "insult": 0.35}, 0.99).set_index("label")
    assert proposal.loc["insult", "proposed"] == 0.5 and proposal.loc["insult", "precision_then"] == 1.0
    assert "too few" in proposal.loc["threat", "why"]
    export = tmp_path / "decisions.csv"
    training_rows(decided).to_csv(export, index=False)
    extra = read_extra_rows(str(export))
    assert len(extra) == 39 and (extra["source"] == "extra").all()
    approved = extra[extra["insult"] == 0]
    assert len(approved) == 20 and approved[list(LABELS)].eq(0).all().all()
    removed = extra[extra["insult"] == 1]
    assert removed["toxic"].eq(1).all() and removed["threat"].isna().all()  # not judged, so not taught


def test_processes_opening_one_fresh_sqlite_store_at_once_take_turns(tmp_path):
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    code = (
        f"from cleanspeech.moderation import ModerationStore; print(ModerationStore({url!r}).policies.default().name)"
    )
    runs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]  # fmt: skip
    outcomes = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], [err[-500:] for _, err in outcomes]
    book = ModerationStore(url).policies
    assert book.names() == ["default"] and len(book.versions("default")) == 1  # made once, read by the others


def test_a_file_that_is_not_a_database_is_refused_and_nothing_is_written_beside_it(tmp_path):
    comments = tmp_path / "comments.csv"
    comments.write_text("id,text\n1,hello\n")
    with pytest.raises(InputError, match="comments.csv: it is not a SQLite database"):
        ModerationStore(str(comments))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["comments.csv"]  # no lock, no journal
    assert comments.read_text() == "id,text\n1,hello\n"
    with pytest.raises(InputError, match="it is a folder"):
        ModerationStore(str(tmp_path))
    assert not (tmp_path.parent / f"{tmp_path.name}.migrate.lock").exists()
    empty = tmp_path / "new.sqlite3"
    empty.touch()  # an empty file is a new database to SQLite
    ModerationStore(str(empty)).close()
