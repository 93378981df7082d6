"""GeminiRewriter through the real google-genai SDK, against a local server speaking Gemini's generateContent REST API.

Nothing leaves the machine: the server listens on 127.0.0.1 and each test scripts its answers.
"""

import ast
import socket
import time
from pathlib import Path

import pytest

from cleanspeech.errors import CleanSpeechError
from cleanspeech.rewrite.gemini import PROMPT, GeminiRewriter, GeminiUnavailable, api_key_from_env
from tests.helpers.fake_gemini import COMMENT, KEY, KEY_INVALID, POLITE, ROUTE, FakeGemini, api_error, ok, serving


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    # Settings that would redirect the SDK (another API version, Vertex AI, a proxy) must not leak into the tests.
    for name in ("GOOGLE_GENAI_API_VERSION", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_USE_ENTERPRISE",
                 "GOOGLE_GENAI_HTTP_CLIENT", "GEMINI_BASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                 "http_proxy", "https_proxy", "all_proxy"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def gemini():
    with serving(FakeGemini()) as fake:
        yield fake


@pytest.fixture
def rewriter_for():
    made = []

    def make(fake: FakeGemini, **kwargs) -> GeminiRewriter:
        kwargs = {"timeout_s": 5.0, "retries": 3, "backoff_s": 0.01, "base_url": fake.url, **kwargs}
        made.append(GeminiRewriter(KEY, **kwargs))
        return made[-1]

    yield make
    for rewriter in made:
        rewriter.close()


def test_success_sends_key_model_comment_and_prompt(gemini, rewriter_for):
    gemini.reply(200, ok(f"  {POLITE}\n"))
    assert rewriter_for(gemini).rewrite_text(COMMENT) == POLITE
    assert len(gemini.requests) == 1
    request = gemini.requests[0]
    assert request["headers"]["x-goog-api-key"] == KEY
    assert KEY not in request["path"]  # the key travels in a header, never in the URL (proxies log URLs)
    assert ROUTE.match(request["path"])["model"] == "gemini-2.5-flash"
    body = gemini.body()
    assert body["contents"][0]["parts"][0]["text"] == COMMENT
    assert body["systemInstruction"]["parts"][0]["text"] == PROMPT
    assert body["generationConfig"]["temperature"] == 0.2
    # This SDK sends the field as thinking_budget; the API's JSON parser takes the proto name or the camelCase one.
    thinking = body["generationConfig"]["thinkingConfig"]
    assert thinking.get("thinkingBudget", thinking.get("thinking_budget")) == 0


def test_other_model_goes_in_the_path_without_thinking_override(gemini, rewriter_for):
    gemini.reply(200, ok(POLITE))
    assert rewriter_for(gemini, model="gemini-2.5-pro").rewrite_text(COMMENT) == POLITE
    assert ROUTE.match(gemini.requests[0]["path"])["model"] == "gemini-2.5-pro"
    assert "thinkingConfig" not in gemini.body()["generationConfig"]


@pytest.mark.parametrize(
    "answer, expected",
    [
        (f'"{POLITE}"', POLITE),
        (f"“{POLITE}”", POLITE),
        (f"```\n{POLITE}\n```", POLITE),
        (f"```text\n  {POLITE}\n```\n", POLITE),
        ('"Fine" is what I meant, not "bad"', '"Fine" is what I meant, not "bad"'),  # quotes inside: not a wrapper
    ],
)
def test_fences_and_wrapping_quotes_are_stripped(gemini, rewriter_for, answer, expected):
    gemini.reply(200, ok(answer))
    assert rewriter_for(gemini).rewrite_text(COMMENT) == expected


def test_quotes_the_user_wrote_are_kept(gemini, rewriter_for):
    gemini.reply(200, ok('"Please stop."'))
    assert rewriter_for(gemini).rewrite_text('"Shut up, moron."') == '"Please stop."'


def test_blank_text_makes_no_request(gemini, rewriter_for):
    assert rewriter_for(gemini).rewrite_text("  \n") == ""
    assert gemini.requests == []


def test_429_then_success_retries_once(gemini, rewriter_for):
    gemini.reply(429, api_error(429, "Resource has been exhausted", "RESOURCE_EXHAUSTED")).reply(200, ok(POLITE))
    assert rewriter_for(gemini).rewrite_text(COMMENT) == POLITE
    assert len(gemini.requests) == 2


def test_retry_after_header_is_honoured(gemini, rewriter_for):
    gemini.reply(503, api_error(503, "overloaded", "UNAVAILABLE"), {"Retry-After": "0.4"}).reply(200, ok(POLITE))
    start = time.monotonic()
    assert rewriter_for(gemini, backoff_s=0.01).rewrite_text(COMMENT) == POLITE
    assert time.monotonic() - start >= 0.4
    assert len(gemini.requests) == 2


def test_long_retry_delay_in_the_body_fails_at_once(gemini, rewriter_for):
    quota = api_error(429, "You exceeded your current quota", "RESOURCE_EXHAUSTED")
    quota["error"]["details"] = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}]
    gemini.reply(429, quota)
    with pytest.raises(GeminiUnavailable, match=r"rate limit.*try again in 37 s"):
        rewriter_for(gemini).rewrite_text(COMMENT)
    assert len(gemini.requests) == 1


def test_slow_failures_stop_retrying_within_twice_the_timeout(gemini, rewriter_for):
    gemini.reply(503, api_error(503, "overloaded", "UNAVAILABLE"), delay=0.6)  # each answer just under the timeout
    start = time.monotonic()
    with pytest.raises(GeminiUnavailable, match="after 2 attempts"):
        rewriter_for(gemini, timeout_s=1.0, backoff_s=0.01).rewrite_text(COMMENT)
    assert time.monotonic() - start < 2.0 and len(gemini.requests) == 2  # not 4 attempts: 2.4 s and more


def test_500_on_every_attempt_gives_up_after_retries(gemini, rewriter_for):
    # The server echoes the key to prove the message redacts it even then.
    gemini.reply(500, api_error(500, f"Internal error encountered for {KEY}", "INTERNAL"))
    with pytest.raises(GeminiUnavailable) as caught:
        rewriter_for(gemini, retries=2).rewrite_text(COMMENT)
    assert len(gemini.requests) == 3
    message = str(caught.value)
    assert "HTTP 500" in message and "Internal error" in message and "3 attempts" in message
    assert KEY not in message and "\n" not in message
    assert isinstance(caught.value, CleanSpeechError)


def test_invalid_key_is_not_retried(gemini, rewriter_for):
    gemini.reply(400, KEY_INVALID)
    with pytest.raises(GeminiUnavailable, match="rejected the API key") as caught:
        rewriter_for(gemini).rewrite_text(COMMENT)
    assert len(gemini.requests) == 1
    assert KEY not in str(caught.value)


@pytest.mark.parametrize("code, status", [(401, "UNAUTHENTICATED"), (403, "PERMISSION_DENIED")])
def test_401_and_403_say_the_key_was_rejected(gemini, rewriter_for, code, status):
    gemini.reply(code, api_error(code, "The caller does not have permission", status))
    with pytest.raises(GeminiUnavailable, match=f"rejected the API key.*HTTP {code}"):
        rewriter_for(gemini).rewrite_text(COMMENT)
    assert len(gemini.requests) == 1


def test_other_4xx_is_a_refusal_not_retried(gemini, rewriter_for):
    gemini.reply(400, api_error(400, "User location is not supported for the API use.", "FAILED_PRECONDITION"))
    with pytest.raises(GeminiUnavailable, match="refused the request.*location is not supported"):
        rewriter_for(gemini).rewrite_text(COMMENT)
    assert len(gemini.requests) == 1


def test_timeout(gemini, rewriter_for):
    gemini.reply(200, ok(POLITE), delay=5.0)
    start = time.monotonic()
    with pytest.raises(GeminiUnavailable, match="timeout"):
        rewriter_for(gemini, timeout_s=0.3).rewrite_text(COMMENT)
    assert time.monotonic() - start < 3.0
    assert len(gemini.requests) == 1


@pytest.mark.parametrize(
    "body",
    [
        b'{"candidates": [{"content": ',
        b"42",
        b"true",
        b'{"candidates": [{"content": {"parts": [{"text": "hi"}]}, "finishReason": 5}]}',
    ],  # fmt: skip
)
def test_unreadable_body(gemini, rewriter_for, body):
    gemini.reply(200, body)
    with pytest.raises(GeminiUnavailable, match="could not be read"):
        rewriter_for(gemini).rewrite_text(COMMENT)


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"api_key": "\u201cAIzaSyFAKE\u201d"}, "characters no API key has"),  # pasted with typographic quotes
        ({"api_key": "abc\ndef"}, "characters no API key has"),  # httpx would quote the key back in its error
        ({"model": "../x"}, "not a Gemini model name"),
        ({"model": "gemini?key=1"}, "not a Gemini model name"),
        ({"base_url": "http://[::1"}, r"not an http\(s\) address"),
        ({"base_url": "ftp://example.org"}, r"not an http\(s\) address"),
    ],
)
def test_settings_it_cannot_use_are_named_not_tracebacks(settings, says):
    with pytest.raises(GeminiUnavailable, match=says) as caught:
        GeminiRewriter(**{"api_key": KEY, **settings})
    assert "abc" not in str(caught.value) and "AIza" not in str(caught.value)  # the key is never repeated


@pytest.mark.parametrize("payload", [{}, {"candidates": []}, [], {"candidates": "nonsense"}, ok("   ")])
def test_response_without_text(gemini, rewriter_for, payload):
    gemini.reply(200, payload)
    with pytest.raises(GeminiUnavailable, match="empty response"):
        rewriter_for(gemini).rewrite_text(COMMENT)


@pytest.mark.parametrize(
    "payload",
    [
        {"promptFeedback": {"blockReason": "SAFETY"}},
        {"candidates": [{"finishReason": "SAFETY", "index": 0}]},
        {"candidates": [{"content": {"parts": [], "role": "model"}, "finishReason": "PROHIBITED_CONTENT"}]},
    ],
)
def test_blocked_by_safety_filters(gemini, rewriter_for, payload):
    gemini.reply(200, payload)
    with pytest.raises(GeminiUnavailable, match="safety filters blocked"):
        rewriter_for(gemini).rewrite_text(COMMENT)


def test_truncated_rewrite_is_refused(gemini, rewriter_for):
    gemini.reply(200, ok("I strongly disagree with", finish="MAX_TOKENS"))
    with pytest.raises(GeminiUnavailable, match="cut off"):
        rewriter_for(gemini).rewrite_text(COMMENT)


def test_no_network():
    with socket.socket() as sock:  # a free port, closed again: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    rewriter = GeminiRewriter(KEY, base_url=f"http://127.0.0.1:{port}", timeout_s=2.0, backoff_s=0.01)
    with pytest.raises(GeminiUnavailable, match="Cannot reach the Gemini service") as caught:
        rewriter.rewrite_text(COMMENT)
    assert KEY not in str(caught.value)
    rewriter.close()


@pytest.mark.parametrize("key", ["", "   "])
def test_missing_key(key):
    with pytest.raises(GeminiUnavailable, match="No Gemini API key"):
        GeminiRewriter(key)


def test_api_key_from_env_precedence(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-key")
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key")
    assert api_key_from_env() == "gemini-key"
    monkeypatch.setenv("GEMINI_API_KEY", "  ")
    assert api_key_from_env() == "google-key"
    monkeypatch.delenv("GEMINI_API_KEY")
    assert api_key_from_env() == "google-key"
    monkeypatch.delenv("GOOGLE_API_KEY")
    assert api_key_from_env() is None


def test_module_does_not_import_streamlit():
    # The CLI and batch jobs use this module; streamlit belongs to the app alone.
    import cleanspeech.rewrite.gemini

    tree = ast.parse(Path(cleanspeech.rewrite.gemini.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] == "streamlit" for name in imported)
