"""One verdict per comment from a policy: thresholds, labels that matter, severity, blocklist and allowlist."""

from datetime import UTC, datetime

import pandas as pd
import pytest

from cleanspeech.errors import InputError
from cleanspeech.labels import LABELS
from cleanspeech.moderation import Policy, moderate
from cleanspeech.moderation.policy import check_before_saving

MODEL_THRESHOLDS = dict.fromkeys(LABELS, 0.5)


def scores(**values) -> dict:
    return {label: values.get(label, 0.01) for label in LABELS}


def test_thresholds_give_allow_review_and_remove():
    policy = Policy()
    assert policy.judge(scores(), MODEL_THRESHOLDS).action == "allow"
    review = policy.judge(scores(toxic=0.6, insult=0.55), MODEL_THRESHOLDS)
    assert (review.action, review.labels, review.severity) == ("review", ("toxic", "insult"), "medium")
    assert review.reasons == ("Toxic 0.60 ≥ review at 0.50", "Insult 0.55 ≥ review at 0.50")
    remove = policy.judge(scores(toxic=0.97, threat=0.92), MODEL_THRESHOLDS)
    assert (remove.action, remove.severity) == ("remove", "critical")
    assert "Threat 0.92 ≥ remove at 0.90" in remove.reasons


def test_the_policy_overrides_model_thresholds_and_ignores_labels_that_do_not_matter():
    policy = Policy(labels=("threat",), review={"threat": 0.3}, remove={"threat": 0.6})
    assert policy.judge(scores(toxic=0.99, obscene=0.99), MODEL_THRESHOLDS).action == "allow"
    assert policy.judge(scores(threat=0.35), MODEL_THRESHOLDS).action == "review"
    assert policy.judge(scores(threat=0.65), MODEL_THRESHOLDS).action == "remove"


def test_a_removal_below_the_models_own_threshold_still_names_its_label():
    policy = Policy(remove={"toxic": 0.5})
    verdict = policy.judge(scores(toxic=0.6), {**MODEL_THRESHOLDS, "toxic": 0.7})
    assert verdict.action == "remove" and verdict.labels == ("toxic",) and verdict.reasons


def test_blocklist_removes_whatever_the_scores_and_raises_severity():
    policy = Policy(blocklist=("go back to your country",), blocklist_severity="high")
    verdict = policy.judge(scores(), MODEL_THRESHOLDS, "Go back to your c0untry!!")
    assert (verdict.action, verdict.severity) == ("remove", "high")
    assert verdict.reasons == ("blocklist: 'go back to your country'",)


def test_policies_round_trip_and_refuse_bad_settings():
    policy = Policy(name="strict", remove={"toxic": 0.7}, blocklist=("idiot",))
    again = Policy.from_dict(policy.to_dict())
    assert again == policy and again.remove["toxic"] == 0.7 and again.remove["threat"] == 0.9
    for bad, message in [
        ({"blocklist": "idiot"}, "is a list"),  # not one phrase per character
        ({"blocklist": ["*"]}, "needs a letter"),  # would match every comment
        ({"bands": {"high": "0.8"}}, "number from 0 to 1"),
        ({"allowlist": None}, "is a list"),
        ({"labels": ["spam"]}, "labels"),
        ({"remove": {"toxic": 1.5}}, "from 0 to 1"),
        ({"review": {"toxic": False}}, "from 0 to 1, not False"),  # once a threshold of 0: every comment reviewed
        ({"remove": {"threat": True}}, "from 0 to 1, not True"),
        ({"review": {"toxic": 0.95}, "remove": {"toxic": 0.9}}, "above the remove"),
        ({"colour": "red"}, "unknown policy field"),
        ({"bands": {"extreme": 0.99}}, "severity bands"),
        ({"blocklist": [""]}, "empty"),
        ({"labels": ["toxic", 7]}, "labels are some of"),
        ({"labels": [{"a": 1}]}, "labels are some of"),  # once an unhashable-type traceback
    ]:
        with pytest.raises(InputError, match=message):
            Policy.from_dict(bad)
    for bad, message in [  # read, these load (an earlier release stored such versions); a new one is refused
        ({"communities": [True]}, "list of strings; got True"),
        ({"communities": [" "]}, "not an empty string"),
        ({"name": ["a"]}, "name is a string, not list"),
        ({"name": "a/b\n"}, "one line without spaces"),
        ({"name": " strict"}, "one line without spaces"),
        ({"description": None}, "description is a string"),
    ]:
        with pytest.raises(InputError, match=message):
            check_before_saving(Policy.from_dict(bad))
    assert Policy.from_dict({"communities": [42, 7.0]}).communities == ("42", "7")  # match the communityIds


def test_bands_must_rise_when_saved_and_older_versions_still_load(tmp_path):
    from cleanspeech.moderation import ModerationStore
    from cleanspeech.moderation.schema import policies

    book = ModerationStore(f"sqlite:///{tmp_path / 'store.sqlite3'}").policies
    crossed = Policy.from_dict({"name": "crossed", "bands": {"medium": 0.99, "high": 0.8}})  # read: allowed
    with pytest.raises(InputError, match="medium starts at 0.99, above high at 0.8"):
        book.save(crossed, by="ana")
    with book.engine.begin() as conn:  # a version saved before the check existed
        conn.execute(policies.insert().values(name="crossed", version=1, body=crossed.to_dict(),
                                              created_at=datetime.now(UTC), created_by="ana"))  # fmt: skip
    assert book.get("crossed").bands["medium"] == 0.99  # still loads, and can be mended
    with book.engine.begin() as conn:  # a name and description an earlier release let through
        conn.execute(
            policies.insert().values(
                name="forum ",
                version=1,
                body={"name": "forum ", "description": None, "communities": [42]},
                created_at=datetime.now(UTC),
                created_by="ana",
            )
        )
    assert book.for_community("42").name == "forum " and book.for_community("other").name  # every lookup still works
    assert book.save(crossed.changed(bands={"medium": 0.5, "high": 0.8}), by="ana").version == 2


def test_allowlisted_words_are_hidden_from_the_model(shipped_baseline):
    text = "I am a proud gay man"
    plain = moderate([text], Policy(), model=shipped_baseline)
    allowed = moderate([text], Policy(allowlist=("gay",)), model=shipped_baseline)
    expected = shipped_baseline.predict_proba(["I am a proud man"])
    assert allowed.scores.iloc[0]["toxic"] == pytest.approx(expected.iloc[0]["toxic"], abs=1e-6)
    assert allowed.scores.iloc[0]["toxic"] != pytest.approx(plain.scores.iloc[0]["toxic"], abs=1e-6)
    rows = moderate(["you stupid idiot", "thanks for the help"], Policy(), model=shipped_baseline).queue_rows("cli")
    assert [row["text"] for row in rows] == ["you stupid idiot"]
    assert rows[0]["language"] == "en" and rows[0]["policy_name"] == "default" and rows[0]["label_flags"] & 1


def test_a_policy_change_is_measured_before_it_is_saved(shipped_baseline):
    from cleanspeech.moderation.impact import moved, verdict_moves

    frame = pd.DataFrame([scores(toxic=t) for t in (0.1, 0.45, 0.55, 0.85, 0.95)])
    before = Policy(review=MODEL_THRESHOLDS)  # the policy's own thresholds, not the model's
    after = before.changed(remove={**before.remove, "toxic": 0.8}, blocklist=("idiot",))
    moves = verdict_moves(before, after, frame, shipped_baseline, ["idiot", "", "", "", ""])
    assert moves.loc["review", "remove"] == 1 and moves.loc["allow", "remove"] == 1  # 0.85, and the blocklisted one
    assert moved(moves) == 2 and int(moves.to_numpy().sum()) == 5


def test_names_apart_in_case_only_and_a_shared_community_are_refused(tmp_path):
    from cleanspeech.moderation import ModerationStore
    from cleanspeech.moderation.schema import policies

    book = ModerationStore(f"sqlite:///{tmp_path / 'store.sqlite3'}").policies
    book.save(Policy(name="strict", communities=("news",)), by="ana")
    with pytest.raises(InputError, match="a policy named 'strict' exists: pick a name that differs in more than"):
        book.save(Policy(name="Strict"), by="bo")
    with pytest.raises(InputError, match="community 'news' follows policy 'strict': remove it there first"):
        book.save(Policy(name="gentle", communities=("kids", "news")), by="bo")
    assert book.names() == ["strict"]
    assert book.save(Policy(name="strict", communities=("news", "sport")), by="ana").version == 2  # its own: kept
    with book.engine.begin() as conn:  # a pair an earlier release let through: the newest policy serves
        old = {"name": "a-older", "version": 1, "body": {"name": "a-older", "communities": ["sport"]}}
        conn.execute(policies.insert().values(**old, created_at=datetime(2020, 1, 1, tzinfo=UTC), created_by="ana"))
    assert book.for_community("sport").name == "strict" and book.for_community("other").name == "strict"
    with book.engine.begin() as conn:  # and a twin in case only: neither may be frozen by the checks
        twin = {"name": "Strict", "version": 1, "body": {"name": "Strict", "communities": ["sport"]}}
        conn.execute(policies.insert().values(**twin, created_at=datetime(2020, 1, 1, tzinfo=UTC), created_by="ana"))
    for name in ("Strict", "a-older"):  # what they had is not held against them
        assert book.save(book.get(name).changed(description="mended"), by="ana").version == 2
    with pytest.raises(InputError, match="community 'news' follows policy 'strict'"):
        book.save(book.get("Strict").changed(communities=("sport", "news")), by="ana")  # what it adds still is
