"""Replicas share nothing but the feedback store and the quota: two real servers on PostgreSQL and Redis, a restart
on SQLite, and the Google client's view of a 429."""

import time

import httpx
import pytest
from googleapiclient.errors import HttpError

from tests.helpers.service import bound_socket, running
from tests.integration.test_service_google_client import build

pytestmark = pytest.mark.xdist_group("service")
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS, socket_timeout=2).ping()
    except redis.RedisError as err:
        pytest.skip(f"Redis is not running at {REDIS}: {err}")
    return REDIS


def _replica(tmp_path, model, **settings):
    from cleanspeech.server import ServerSettings, create_app

    sock = bound_socket()
    key_file = tmp_path / "keys.txt"
    key_file.write_text("replica-key\n")
    config = ServerSettings(model="baseline", port=sock.getsockname()[1], keys_file=str(key_file), **settings)
    return create_app(config, model=model), sock


def _suggest(url: str, text: str) -> httpx.Response:
    body = {"comment": {"text": text}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
            "clientToken": f"comment:{text}", "communityId": "Coral:https://example.org"}  # fmt: skip
    return httpx.post(f"{url}/v1alpha1/comments:suggestscore?key=replica-key", json=body, timeout=30)


def _start_of_a_second() -> None:
    time.sleep(1.02 - time.time() % 1)  # quota windows are whole seconds: start a burst at the top of one


def test_two_replicas_share_one_store_and_one_quota(tmp_path, shipped_baseline, pg_schema, redis_url):
    a_app, a_sock = _replica(tmp_path, shipped_baseline, store=pg_schema, redis=redis_url, qps=3)
    b_app, b_sock = _replica(tmp_path, shipped_baseline, store=pg_schema, redis=redis_url, qps=3, migrate=False)
    with running(a_app, a_sock) as a, running(b_app, b_sock) as b:
        assert _suggest(a, "approved on replica A").status_code == 200
        assert _suggest(b, "rejected on replica B").status_code == 200
        body = {"comment": {"text": "You are an idiot."}, "requestedAttributes": {"TOXICITY": {}}}
        for _ in range(5):  # until the six requests fall in one quota window (each try starts a fresh one)
            _start_of_a_second()
            began = int(time.time())
            codes = [httpx.post(f"{url}/v1alpha1/comments:analyze?key=replica-key", json=body).status_code
                     for url in (a, b, a, b, a, b)]  # fmt: skip
            if int(time.time()) == began:
                break
        else:
            pytest.skip("the machine is too loaded for six requests within one second")
        assert codes == [200, 200, 200, 429, 429, 429]  # B's 4th request counts A's too
    for app in (a_app, b_app):
        assert app.state.service.store.count() == 2  # both replicas read the one store
    texts = [row["comment_text"] for row in a_app.state.service.store.suggestions()]
    assert texts == ["approved on replica A", "rejected on replica B"]


def test_the_google_client_sees_googles_quota_error(tmp_path, shipped_baseline):
    app, sock = _replica(tmp_path, shipped_baseline, store=str(tmp_path / "f.sqlite3"), qps=2)
    body = {"comment": {"text": "You are an idiot."}, "requestedAttributes": {"TOXICITY": {}}}
    answered = 0
    with running(app, sock) as url:
        _start_of_a_second()
        client = build(url, key="replica-key")  # the discovery document: its key checked, not counted
        assert _suggest(url, "approved").status_code == 200  # nor is a human's suggested score
        with pytest.raises(HttpError) as caught:
            for _ in range(3):
                client.comments().analyze(body=body).execute()
                answered += 1
        _start_of_a_second()  # suggested scores: counted apart, at the same rate
        suggested = [_suggest(url, f"decision {i}") for i in range(3)]
    assert [s.status_code for s in suggested] == [200, 200, 429]
    assert "'Suggestion requests (SuggestCommentScore)'" in suggested[2].json()["error"]["message"]
    assert answered == 2  # --qps 2: two analyses in that second, the third refused
    error = caught.value
    assert error.status_code == 429 and error.reason.startswith("Quota exceeded for quota metric 'Analysis requests")
    assert error.error_details[0]["reason"] == "RATE_LIMIT_EXCEEDED"


def test_a_restart_keeps_every_stored_suggestion(tmp_path, shipped_baseline):
    store = str(tmp_path / "feedback.sqlite3")
    app, sock = _replica(tmp_path, shipped_baseline, store=store)
    with running(app, sock) as url:
        for i in range(5):
            assert _suggest(url, f"comment number {i}").status_code == 200
    app, sock = _replica(tmp_path, shipped_baseline, store=store)  # a new process would read the same file
    with running(app, sock) as url:
        assert _suggest(url, "after the restart").status_code == 200
    rows = app.state.service.store.suggestions()
    assert [r["comment_text"] for r in rows] == [f"comment number {i}" for i in range(5)] + ["after the restart"]
    assert (
        rows[0]["community_id"] == "Coral:https://example.org" and rows[0]["client_token"] == "comment:comment number 0"
    )
    assert rows[0]["attribute_scores"] == {"TOXICITY": {"summaryScore": {"value": 1.0}}}


def test_a_redis_outage_lets_requests_through_uncounted_and_says_so(tmp_path, shipped_baseline, caplog):
    import shutil
    import subprocess

    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed: a private Redis to stop is needed")
    with bound_socket() as probe:  # a free port for the private Redis
        port = probe.getsockname()[1]
    private = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_for_redis(port)
        app, sock = _replica(tmp_path, shipped_baseline, store=str(tmp_path / "f.sqlite3"), qps=1,
                             redis=f"redis://127.0.0.1:{port}/0")  # fmt: skip
        body = {"comment": {"text": "You are an idiot."}, "requestedAttributes": {"TOXICITY": {}}}
        with running(app, sock) as url:
            analyze = f"{url}/v1alpha1/comments:analyze?key=replica-key"
            _start_of_a_second()
            assert [httpx.post(analyze, json=body).status_code for _ in range(2)] == [200, 429]  # counted in Redis
            private.terminate()
            private.wait(10)
            codes = [httpx.post(analyze, json=body, timeout=30).status_code for _ in range(3)]
    finally:
        private.kill()
    assert codes == [200, 200, 200]  # uncounted while Redis is down, never a 500
    assert sum("Redis does not answer" in r.getMessage() for r in caplog.records) == 1  # once, not per request


def _wait_for_redis(port: int) -> None:
    import redis

    client = redis.Redis(port=port, socket_timeout=1)
    for _ in range(50):
        try:
            client.ping()
            return
        except redis.RedisError:
            time.sleep(0.1)
    raise AssertionError(f"the private Redis on port {port} did not start")


def test_a_store_outage_answers_suggestscore_503_unavailable(tmp_path, shipped_baseline, pg_schema, caplog):
    """A cut to the store (a database restart, the network) was a 500 INTERNAL with two tracebacks; it is Google's
    503 UNAVAILABLE, which clients retry, and one line in the log. Scoring goes on."""
    from tests.helpers.tcp import CuttableLink

    link = CuttableLink(("127.0.0.1", 5432))
    app, sock = _replica(tmp_path, shipped_baseline, store=pg_schema.replace(":5432/", f":{link.port}/"))
    with running(app, sock) as url:
        assert _suggest(url, "before the cut").status_code == 200
        link.cut()
        response = _suggest(url, "during the cut")
        body = {"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}}
        analyzed = httpx.post(f"{url}/v1alpha1/comments:analyze?key=replica-key", json=body, timeout=30)
    assert response.status_code == 503, response.text
    assert response.json()["error"]["status"] == "UNAVAILABLE" and analyzed.status_code == 200
    assert [r.getMessage() for r in caplog.records if "store does not answer" in r.getMessage()][0].count("\n") == 0
    assert not any("unexpected error" in r.getMessage() for r in caplog.records)
