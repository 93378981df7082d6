"""`comments:analyze` feeds the review queue: comments without doNotStore that the policy flags, judged by the
policy of their communityId, else of the caller's key, else the default; never a comment marked doNotStore."""

import time
import uuid

import httpx
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


def test_analyzed_comments_are_queued_in_batches_and_a_shutdown_writes_what_is_pending(tmp_path, shipped_baseline):
    from cleanspeech.server import ServerSettings, create_app
    from tests.helpers.service import bound_socket, running

    sock = bound_socket()
    store_path = tmp_path / "store.sqlite3"
    app = create_app(ServerSettings(model="baseline", port=sock.getsockname()[1], store=str(store_path)),
                     model=shipped_baseline)  # fmt: skip
    app.state.service.review_queue.max_wait_s = 600  # nothing is written until the batch is full or the server stops
    tokens = []
    with running(app, sock) as url, httpx.Client(base_url=url, timeout=60) as http:
        for _ in range(3):
            tokens.append(_analyze(http, "you are a stupid worthless idiot"))
        tokens.append(_analyze(http, "thank you for the thoughtful answer"))
        store = ModerationStore(str(store_path))
        assert store.queue.count() == 0  # still collecting
    queued = [_queued(store, token, wait=0) for token in tokens]
    assert [len(rows) for rows in queued] == [1, 1, 1, 0]  # the three insults, written when the server stopped
    assert len({rows[0]["created_at"] for rows in queued[:3]}) == 1  # in one transaction
    store.close()


def test_a_key_policy_the_store_lacks_yet_falls_back_to_the_default_with_one_warning(tmp_path, caplog):
    from cleanspeech.server.queueing import PolicyCache

    store = ModerationStore(str(tmp_path / "store.sqlite3"))
    cache = PolicyCache(store)
    with caplog.at_level("WARNING", logger="cleanspeech.server"):
        # at startup: "later" may be created afterwards; "default" is, on first use, on an empty store: no warning
        cache.warn_missing({"key-1": "later", "key-2": None, "key-3": "default"})
        assert cache.policy(None, "later").name == store.policies.default().name  # judged, not dropped
    said = [r for r in caplog.records if r.name == "cleanspeech.server" and "'later'" in r.getMessage()]
    assert len(said) == 1  # once, not once per comment
    assert not [r for r in caplog.records if "'default'" in r.getMessage()]
    store.policies.save(Policy(name="later", blocklist=("lovely",)), by="t")
    assert PolicyCache(store).policy(None, "later").name == "later"  # once created, it applies
    store.close()
