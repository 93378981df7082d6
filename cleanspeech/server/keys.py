"""API keys and per-key quotas, as Google's front end applies them.

A key arrives as `?key=`, `X-Goog-Api-Key` or `Authorization: Bearer`. Without `--keys` every caller is served
(a server on a private network); with it, a missing key gets Google's 403 and an unknown one Google's 400
"API key not valid". `--qps N` allows each key (or each client address, when keys are not required) N requests per
second, counted in fixed one-second windows: in this process by default, in a file the worker processes of one
server share (`--workers N`), or in Redis (`--redis URL`) so that every replica behind a load balancer counts against
one quota.
"""

import hashlib
import json
import logging
import threading
import time
from pathlib import Path

from fastapi import Request

from ..errors import InputError
from .errors import ApiError

log = logging.getLogger("cleanspeech.server")

QUOTA_MESSAGE = (
    "Quota exceeded for quota metric '{metric}' and limit '{metric} per minute' of service "
    "'commentanalyzer.googleapis.com' for consumer 'project_number:0'."
)
# The quota metrics: analyses (scoring of any kind), and suggested scores, counted apart at the same rate
ANALYSIS = ("Analysis requests (AnalyzeComment)", "analysis_requests")
SUGGESTION = ("Suggestion requests (SuggestCommentScore)", "suggestion_requests")


def read_keys(path: str | Path) -> dict[str, str | None]:
    """{key: the moderation policy its comments are judged by, or None for the default}.

    One key per line, optionally followed by `policy=NAME`; blank lines and `#` comments are skipped. A key listed
    twice with two policies is refused (messages name lines, never a key: they end up in logs).
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the keys file {path}: {err}") from None
    keys, lines_of = {}, {}
    for number, line in enumerate(lines, 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        options = dict(field.partition("=")[::2] for field in fields[1:])
        if set(options) - {"policy"} or not all(options.values()):
            raise InputError(f"{path} line {number}: after the key only policy=NAME may follow")
        key, policy = fields[0], options.get("policy")
        if key in keys and keys[key] != policy:  # which one the operator meant is not ours to guess
            raise InputError(f"{path} line {number}: the key of line {lines_of[key]} again, with another policy")
        keys[key], lines_of[key] = policy, lines_of.get(key, number)
    if not keys:
        raise InputError(f"the keys file {path} holds no key (one per line)")
    return keys


def key_of(request: Request) -> str | None:
    if request.query_params.get("key"):
        return request.query_params["key"]
    if request.headers.get("x-goog-api-key"):
        return request.headers["x-goog-api-key"]
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def check_key(request: Request, keys: dict[str, str | None] | None) -> str:
    """The caller's quota identity; an `ApiError` in Google's words when keys are required and this one is not."""
    key = key_of(request)
    if keys is not None:
        if key is None:
            raise ApiError(403, "The request is missing a valid API key.", reason="API_KEY_MISSING")
        if key not in keys:
            raise ApiError(400, "API key not valid. Please pass a valid API key.", reason="API_KEY_INVALID")
    if keys is not None:  # a known key: its own quota, the counters never holding the key itself
        return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
    # Without --keys a key names nobody: counted by it, each request with a new made-up key had a quota of its own
    return "ip:" + (request.client.host if request.client else "unknown")


def quota_error(qps: int, metric: tuple[str, str] = ANALYSIS) -> ApiError:
    return ApiError(429, QUOTA_MESSAGE.format(metric=metric[0]), reason="RATE_LIMIT_EXCEEDED",
                    headers={"Retry-After": "1"},
                    metadata={"quota_metric": f"commentanalyzer.googleapis.com/{metric[1]}",
                              "quota_limit_value": str(qps)})  # fmt: skip


class LocalQuota:
    """Requests per identity in the current second, in this process."""

    def __init__(self, qps: int):
        self.qps, self._lock, self._window, self._counts = qps, threading.Lock(), 0, {}

    def allow(self, identity: str) -> bool:
        now = int(time.time())
        with self._lock:
            if now != self._window:
                self._window, self._counts = now, {}
            self._counts[identity] = self._counts.get(identity, 0) + 1
            return self._counts[identity] <= self.qps


class FileQuota:
    """The same fixed windows in one file that every worker process of a server reads and writes under an exclusive
    lock (`--workers N` without Redis): counted in each process, N workers let a key through N times `--qps`. The
    file holds one second's counts, so each request reads and writes a few bytes (POSIX `flock`)."""

    def __init__(self, qps: int, path: str):
        self.qps, self.path = qps, Path(path)
        self.path.touch(exist_ok=True)

    def allow(self, identity: str) -> bool:
        import fcntl

        with open(self.path, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
            now = int(time.time())  # read under the lock: a request that waited for it counts in the current second
            window, counts = _read_window(handle.read())
            if now > window:
                window, counts = now, {}
            counts[identity] = counts.get(identity, 0) + 1
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps([window, counts]))
        return counts[identity] <= self.qps


def _read_window(text: str) -> tuple[int, dict[str, int]]:
    """(second, counts) from a quota file; anything else (empty, cut short, damaged) is a fresh window."""
    try:
        window, counts = json.loads(text)
    except (ValueError, TypeError):  # not JSON, or not two things
        return 0, {}
    ok = isinstance(window, int) and isinstance(counts, dict) and all(isinstance(n, int) for n in counts.values())
    return (window, counts) if ok else (0, {})


class RedisQuota:
    """The same fixed windows in Redis: one INCR per request, the counter expiring with its window.

    A Redis that stops answering while the server runs lets requests through uncounted (fail open, as rate limiters
    in front of a service commonly do), with a warning in the log at most once a minute: a quota counter's outage
    should not turn every request into a 500."""

    def __init__(self, qps: int, url: str):
        import redis

        self.qps, self._errors = qps, redis.RedisError
        self._warned_at = float("-inf")
        try:
            self.client = redis.Redis.from_url(url, socket_timeout=2)
            self.client.ping()
        except ValueError as err:  # not a redis://, rediss:// or unix:// address
            raise InputError(f"--redis {url}: {err}") from None
        except redis.RedisError as err:
            raise InputError(f"cannot reach Redis at {url}: {err}") from None

    def allow(self, identity: str) -> bool:
        counter = f"cleanspeech:quota:{identity}:{int(time.time())}"
        try:
            with self.client.pipeline() as pipe:
                count, _ = pipe.incr(counter).expire(counter, 2).execute()
        except self._errors as err:
            if time.monotonic() - self._warned_at > 60:
                self._warned_at = time.monotonic()
                log.warning("Redis does not answer (%s): requests pass uncounted until it does", err)
            return True
        return count <= self.qps


def make_quota(qps: int | None, redis_url: str | None, quota_file: str | None = None):
    if redis_url and not qps:  # else the address would be accepted, never checked and never used
        raise InputError("--redis holds the --qps counts: give --qps N with it, or leave --redis out")
    if not qps:
        return None
    if redis_url:
        return RedisQuota(qps, redis_url)
    return FileQuota(qps, quota_file) if quota_file else LocalQuota(qps)
