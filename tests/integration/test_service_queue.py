"""`comments:analyze` feeds the review queue: comments without doNotStore that the policy flags, judged by the
policy of their communityId, else of the caller's key, else the default; never a comment marked doNotStore."""

import time
import uuid

import pytest

from cleanspeech.moderation import ModerationStore, Policy
from tests.integration.conftest import OTHER_KEY

pytestmark = pytest.mark.xdist_group("service")


@pytest.fixture(scope="module")
def store(service_settings):
    settings, _ = service_settings
    opened = ModerationStore(settings.store)
    yield opened
    opened.close()


def _analyze(http, text: str, headers=None, **fields) -> str:
    token = uuid.uuid4().hex
    body = {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}, "clientToken": token, **fields}
    response = http.post("/v1alpha1/comments:analyze", json=body, headers=headers or {})
    assert response.status_code == 200, response.text
    return token


def _queued(store: ModerationStore, token: str, wait: float = 5.0) -> list[dict]:
    """The queue items that carry `token`, waiting briefly: they are written after the answer is sent."""
    deadline = time.monotonic() + wait
    while True:
        with store.engine.connect() as conn:
            from cleanspeech.moderation.schema import items

            rows = [dict(r._mapping) for r in conn.execute(items.select().where(items.c.external_id == token))]
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def test_flagged_comments_are_queued_unless_marked_do_not_store(http, store):
    toxic = _analyze(http, "you are a stupid worthless idiot")
    private = _analyze(http, "you are a stupid worthless idiot", doNotStore=True)
    polite = _analyze(http, "thank you for the thoughtful answer")
    [item] = _queued(store, toxic)
    assert (item["source"], item["verdict"], item["model"]) == ("service", "remove", "baseline")
    assert item["policy_name"] == store.policies.default().name and item["scores"]["toxic"] > 0.9
    assert _queued(store, private, wait=1) == [] and _queued(store, polite, wait=1) == []


def test_the_community_policy_then_the_key_policy_decide(http, store):
    store.policies.save(Policy(name="gardening", communities=("garden-club",), blocklist=("purple banana",)), by="t")
    store.policies.save(Policy(name="strict", blocklist=("lovely",)), by="t")
    community = _analyze(http, "I grew a purple b4nana today", communityId="garden-club")
    by_key = _analyze(http, "what a lovely day", headers={"X-Goog-Api-Key": OTHER_KEY})
    other_key = _analyze(http, "what a lovely day")
    [item] = _queued(store, community)
    assert (item["policy_name"], item["verdict"], item["reasons"]) == ("gardening", "remove",
                                                                       ["blocklist: 'purple banana'"])  # fmt: skip
    assert _queued(store, by_key)[0]["policy_name"] == "strict"
    assert _queued(store, other_key, wait=1) == []  # the first key has no policy of its own: the default allows it
