"""Fixtures of the integration tests: one real server per worker on the shipped baseline (the quickest model to load),
with keys, proxies and a quota, and the settings it was started with; the app through streamlit.testing."""

import pytest

from tests.helpers.browser import app_url, browser, browser_runs, dialogs, page, screenshots  # noqa: F401 - fixtures
from tests.helpers.service import bound_socket, running

KEY = "test-key-1"
OTHER_KEY = "test-key-2"
URL_KEY = "key+with&url=marks"  # a key that must be escaped in a URL


@pytest.fixture(scope="session")
def service_settings(tmp_path_factory):
    from cleanspeech.server import ServerSettings

    root = tmp_path_factory.mktemp("service")
    # The second key judges the comments it sends by the "strict" policy (when the store holds one)
    (root / "keys.txt").write_text(f"# keys of the test server\n{KEY}\n{OTHER_KEY} policy=strict\n{URL_KEY}\n")
    sock = bound_socket()
    settings = ServerSettings(
        model="baseline",
        port=sock.getsockname()[1],
        keys_file=str(root / "keys.txt"),
        store=str(root / "feedback.sqlite3"),
        proxies=["SEXUALLY_EXPLICIT=obscene", "FLIRTATION=insult"],
        max_wait_ms=5,
    )
    return settings, sock


@pytest.fixture(scope="session")
def service(service_settings, shipped_baseline):
    """The base URL of a running server: `--keys`, two proxies, the shipped baseline, a SQLite store."""
    from cleanspeech.server import create_app

    settings, sock = service_settings
    app = create_app(settings, model=shipped_baseline)
    with running(app, sock) as url:
        yield url


@pytest.fixture(scope="module")
def http(service):
    """An HTTP client of the running server that sends the first key with every request."""
    import httpx

    with httpx.Client(base_url=service, headers={"X-Goog-Api-Key": KEY}, timeout=60) as client:
        yield client


@pytest.fixture
def store_path(tmp_path, monkeypatch):
    """A moderation store of the test's own, which the app opens (CLEANSPEECH_STORE)."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    monkeypatch.setenv("CLEANSPEECH_STORE", url)
    return url


@pytest.fixture
def app(shipped_baseline_dir):
    """app.py on the shipped models through streamlit.testing, on its first page."""
    from streamlit.testing.v1 import AppTest

    from tests.helpers import REPO

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    yield at
    # app.py turns an unforeseen exception into one line for the user; in a test it is a failure all the same
    assert not [e.value for e in at.error if e.value.startswith("This page could not finish")]
