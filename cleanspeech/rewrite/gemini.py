"""Polite rewrites of a toxic comment by Google's Gemini API: the one part of CleanSpeech that needs the network.

An optional extra (`pip install '.[gemini]'` in the checkout): `rewriter.load_rewriter` imports this module only when
a key is set, and the offline rewriter never needs google-genai.

Every failure (no key, rejected key, no network, timeout, rate limit, server error, unreadable or blocked answer)
becomes a `GeminiUnavailable` with a one-line message for the user, so callers (CLI, app) need one `except`.
"""

import contextlib
import importlib
import json
import re
import time

import pydantic
from google import genai
from google.genai import errors, types

from .base import GEMINI_MODEL, GeminiUnavailable, api_key_from_env, base_url_from_env

__all__ = ["GEMINI_MODEL", "PROMPT", "GeminiRewriter", "GeminiUnavailable", "api_key_from_env", "base_url_from_env"]

PROMPT = """You rewrite user comments for a content-moderation tool.
Rewrite the comment you are given so that it is polite and respectful while keeping its meaning, its point of view
and any factual content. Remove insults, profanity, threats and attacks on people's identity (race, religion, gender,
sexuality, nationality, disability). Answer in the same language as the comment.
If the comment is already polite, return it unchanged.
Return ONLY the rewritten comment: no quotes, no explanations, no notes, no alternatives."""

# A server's Retry-After longer than this means a spent quota, not a blip: fail now rather than keep a user waiting.
MAX_RETRY_WAIT_S = 10.0
_BLOCKED = {"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "IMAGE_SAFETY"}
_QUOTES = {'"': '"', "'": "'", "“": "”", "„": "“", "«": "»", "「": "」"}
_KEY = re.compile(r"[\x21-\x7e]+")  # printable ASCII without spaces: what an API key is made of
_MODEL = re.compile(r"(?:models/|tunedModels/)?[A-Za-z0-9][\w.-]*")
# What the SDK raises reading a body that is JSON but not a response (`42`, a number where a name belongs)
_UNREADABLE = (json.JSONDecodeError, pydantic.ValidationError, TypeError, AttributeError, KeyError, IndexError)
_FENCE = re.compile(r"\A```[\w-]*[ \t]*\n(.*)\n```\Z", re.DOTALL)

# The SDK talks through httpx2 (a fork of httpx with its own exception classes) or httpx, whichever is installed.
_HTTP_LIBS = []
for _name in ("httpx2", "httpx"):
    with contextlib.suppress(ImportError):
        _HTTP_LIBS.append(importlib.import_module(_name))
_TIMEOUT_ERRORS = tuple(lib.TimeoutException for lib in _HTTP_LIBS)
_NETWORK_ERRORS = tuple(lib.TransportError for lib in _HTTP_LIBS)


def _thinking(model: str) -> types.ThinkingConfig | None:
    # A rewrite needs no reasoning; 2.5 Flash thinks by default, which costs seconds and eats the output-token budget.
    # Other models (2.5 Pro cannot switch thinking off) keep their defaults.
    return types.ThinkingConfig(thinking_budget=0) if model.startswith("gemini-2.5-flash") else None


def _error_details(err: errors.APIError) -> list[dict]:
    body = err.details.get("error", err.details) if isinstance(err.details, dict) else {}
    details = body.get("details") if isinstance(body, dict) else None
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []


def _retry_after_s(err: errors.APIError) -> float | None:
    """The server's own hint of when to retry: a Retry-After header, or google.rpc.RetryInfo ("37s") in the body."""
    hint = getattr(getattr(err, "response", None), "headers", {}).get("retry-after")
    for detail in _error_details(err):
        if hint is None and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            hint = str(detail.get("retryDelay", "")).removesuffix("s")
    try:
        return max(0.0, float(hint)) if hint is not None else None
    except ValueError:  # an HTTP-date Retry-After is rare enough to fall back on our own back-off
        return None


def _key_rejected(err: errors.APIError) -> bool:
    reasons = {d.get("reason") for d in _error_details(err)}
    return err.code in (401, 403) or "API_KEY_INVALID" in reasons or "API key not valid" in (err.message or "")


def _clean(answer: str, original: str) -> str:
    """The rewrite alone: models sometimes wrap it in a code fence or quotes despite the prompt."""
    text = answer.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    close = _QUOTES.get(text[:1])
    # Keep quotes the user wrote, and quotes that also occur inside ('"A" and "B"' is not one quoted string).
    if close and len(text) > 1 and text.endswith(close) and not original.strip().startswith(text[0]):
        inner = text[1:-1]
        if text[0] not in inner and close not in inner:
            text = inner.strip()
    return text


def _check_settings(api_key: str, model: str, base_url: str | None) -> None:
    """Settings that would otherwise fail inside the SDK or httpx with a traceback (or a message quoting the key)."""
    if not api_key:
        raise GeminiUnavailable("No Gemini API key: set GEMINI_API_KEY (or GOOGLE_API_KEY) to use rewriting.")
    if not _KEY.fullmatch(api_key):
        raise GeminiUnavailable("The Gemini API key holds characters no API key has (a space, a line break or a "
                                "typographic quote, as copying can add); check GEMINI_API_KEY.")  # fmt: skip
    if not _MODEL.fullmatch(model) or ".." in model:
        raise GeminiUnavailable(f"{model[:80]!r} is not a Gemini model name (such as {GEMINI_MODEL}).")
    if base_url:
        try:
            scheme = _HTTP_LIBS[0].URL(base_url).scheme if _HTTP_LIBS else "https"
        except Exception:  # noqa: BLE001 - httpx's InvalidURL and ValueError alike: the address cannot be used
            scheme = ""
        if scheme not in ("http", "https"):
            raise GeminiUnavailable(f"GEMINI_BASE_URL {base_url[:80]!r} is not an http(s) address.")


class GeminiRewriter:
    """Rewrites one comment at a time with Gemini; retries 429 and 5xx answers with exponential back-off."""

    def __init__(
        self,
        api_key: str,
        model: str = GEMINI_MODEL,
        timeout_s: float = 20.0,
        retries: int = 3,
        backoff_s: float = 1.0,
        base_url: str | None = None,
    ):
        self._api_key = (api_key or "").strip()
        base_url = base_url or base_url_from_env()
        _check_settings(self._api_key, model, base_url)
        self.model, self.timeout_s, self.retries, self.backoff_s = model, timeout_s, max(0, retries), backoff_s
        http_options = types.HttpOptions(
            base_url=base_url,
            timeout=max(1, round(timeout_s * 1000)),  # milliseconds; 0 would mean no timeout at all
            retry_options=types.HttpRetryOptions(attempts=1),  # our loop retries, so the SDK must not retry as well
        )
        # vertexai=False: GOOGLE_GENAI_USE_VERTEXAI in the environment must not send the key to another service.
        self._client = genai.Client(api_key=self._api_key, vertexai=False, http_options=http_options)

    def close(self) -> None:
        self._client.close()

    def rewrite_text(self, text: str) -> str:
        """The polite rewrite of `text`, stripped; raises GeminiUnavailable when Gemini cannot give one."""
        if not text.strip():
            return text.strip()  # nothing to rewrite; not worth a paid request
        started = time.monotonic()
        for attempt in range(self.retries + 1):
            try:
                return _clean(self._answer(self._generate(text)), text)
            except errors.APIError as err:
                if not (err.code == 429 or 500 <= err.code < 600):
                    raise self._fail(self._refusal(err)) from err
                hint = _retry_after_s(err)
                if hint is not None and hint > MAX_RETRY_WAIT_S:
                    raise self._fail(f"Gemini rate limit reached; try again in {hint:.0f} s.") from err
                wait = max(self.backoff_s * 2**attempt, hint or 0.0)
                # After the first retry, retries stop where one more slow answer could run past twice the timeout in
                # all: a server answering 503 just under the timeout would keep a user waiting four timeouts and more.
                late = attempt > 0 and time.monotonic() - started + wait + self.timeout_s > 2 * self.timeout_s
                if attempt == self.retries or late:
                    what = "rate limit reached" if err.code == 429 else "is unavailable"
                    raise self._fail(
                        f"Gemini {what} ({_describe(err)}) after {attempt + 1} attempts; try later."
                    ) from err
                time.sleep(wait)
        raise AssertionError("unreachable: the loop returns or raises")

    def _generate(self, text: str) -> types.GenerateContentResponse:
        config = types.GenerateContentConfig(
            system_instruction=PROMPT,
            temperature=0.2,  # low: a faithful rewrite, not a creative one
            max_output_tokens=256 + len(text),  # about one token per character at worst, plus headroom
            thinking_config=_thinking(self.model),
        )
        try:
            return self._client.models.generate_content(model=self.model, contents=text, config=config)
        except _TIMEOUT_ERRORS as err:
            raise self._fail(f"Gemini did not answer within {self.timeout_s:g} s (timeout); try again.") from err
        except _NETWORK_ERRORS as err:
            raise self._fail(f"Cannot reach the Gemini service ({err}); check the network connection.") from err
        except _UNREADABLE as err:
            raise self._fail("Gemini returned a response that could not be read (malformed JSON).") from err

    def _answer(self, response: types.GenerateContentResponse) -> str:
        feedback = response.prompt_feedback
        if feedback and feedback.block_reason:
            raise self._fail(f"Gemini's safety filters blocked the request ({feedback.block_reason.value}).")
        candidate = (response.candidates or [None])[0]
        parts = (candidate.content.parts or []) if candidate and candidate.content else []
        text = "".join(part.text for part in parts if part.text and not part.thought)
        reason = candidate.finish_reason.value if candidate and candidate.finish_reason else None
        if reason in _BLOCKED:
            raise self._fail(f"Gemini's safety filters blocked the rewrite ({reason}).")
        if reason == "MAX_TOKENS":  # a truncated rewrite would silently drop part of the comment
            raise self._fail("Gemini's rewrite was cut off (MAX_TOKENS); try a shorter comment.")
        if not text.strip():
            raise self._fail(f"Gemini returned an empty response (finish reason: {reason or 'none'}).")
        return text

    def _refusal(self, err: errors.APIError) -> str:
        if _key_rejected(err):
            return f"Gemini rejected the API key ({_describe(err)}); check GEMINI_API_KEY."
        return f"Gemini refused the request ({_describe(err)})."

    def _fail(self, message: str) -> GeminiUnavailable:
        # Server text is echoed in messages: redact the key in case a server or proxy ever repeats it.
        return GeminiUnavailable(" ".join(message.replace(self._api_key, "[API key]").split()))


def _describe(err: errors.APIError) -> str:
    message = " ".join(str(err.message or err.status or "").split())
    return f"HTTP {err.code}: {message[:200]}" if message else f"HTTP {err.code}"
