"""Prometheus metrics (`GET /metrics`) and the headers every answer carries (model name and version, proxies).

Each app owns its registry, so two apps in one process (tests, replicas) never share counters. With `--workers N`,
`cleanspeech serve` points `PROMETHEUS_MULTIPROC_DIR` at a fresh folder and `/metrics` adds up every worker.
"""

import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter("cleanspeech_requests", "Requests answered, by route and status code",
                                ["route", "code"], registry=self.registry)  # fmt: skip
        self.latency = Histogram("cleanspeech_request_seconds", "Time to answer a request, by route",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=self.registry)  # fmt: skip
        self.errors = Counter("cleanspeech_errors", "Error answers, by Google status and Perspective error type",
                              ["status", "error_type"], registry=self.registry)  # fmt: skip
        self.batch_size = Histogram("cleanspeech_batch_texts", "Texts per model forward pass",
                                    buckets=BATCH_BUCKETS, registry=self.registry)  # fmt: skip
        self.comments = Counter("cleanspeech_comments_scored", "Comments (and spans) scored", registry=self.registry)
        self.queued = Counter("cleanspeech_comments_queued", "Analyzed comments sent to the review queue",
                              registry=self.registry)  # fmt: skip

    def exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            prometheus_multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)


class ObservabilityMiddleware:
    """Counts and times every request and stamps the model and proxy headers on every answer, errors included.

    A pure ASGI middleware: Starlette's BaseHTTPMiddleware would add a task group and a stream per request.
    """

    def __init__(self, app, metrics: Metrics, headers: dict[str, str]):
        self.app, self.metrics = app, metrics
        self.headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, seen = time.perf_counter(), {"code": 500, "error": None}

        async def stamped(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                seen["code"] = message["status"]
                seen["error"] = next((v.decode("latin-1") for k, v in headers if k == b"x-cleanspeech-error"), None)
                message = {**message, "headers": headers + self.headers}
            await send(message)

        try:
            await self.app(scope, receive, stamped)
        finally:
            self._record(scope, seen, time.perf_counter() - start)

    def _record(self, scope, seen: dict, seconds: float) -> None:
        # The route's path template (`/v1alpha1/comments:analyze`), never the raw URL: bounded label values.
        route = getattr(scope.get("route"), "path", "unmatched")
        self.metrics.requests.labels(route, str(seen["code"])).inc()
        self.metrics.latency.labels(route).observe(seconds)
        if seen["code"] >= 400:
            status, _, error_type = (seen["error"] or "UNKNOWN/").partition("/")
            self.metrics.errors.labels(status, error_type or "-").inc()
