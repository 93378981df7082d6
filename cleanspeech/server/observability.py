"""Prometheus metrics (`GET /metrics`) and the headers every answer carries (model name and version, proxies).

Each app owns its registry, so two apps in one process (tests, replicas) never share counters. With `--workers N`,
`cleanspeech serve` points `PROMETHEUS_MULTIPROC_DIR` at a fresh folder and `/metrics` adds up every worker.
"""

import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

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

    def exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            prometheus_multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)


def route_name(request: Request) -> str:
    """The route's path template (`/v1alpha1/comments:analyze`), never the raw URL: bounded label values."""
    route = request.scope.get("route")
    return getattr(route, "path", "unmatched")


class ObservabilityMiddleware(BaseHTTPMiddleware):
    """Counts and times every request and stamps the model and proxy headers on every answer, errors included."""

    def __init__(self, app, metrics: Metrics, headers: dict[str, str]):
        super().__init__(app)
        self.metrics, self.headers = metrics, headers

    async def dispatch(self, request: Request, call_next) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = route_name(request)
        self.metrics.requests.labels(route, str(response.status_code)).inc()
        self.metrics.latency.labels(route).observe(time.perf_counter() - start)
        if response.status_code >= 400:
            status, error_type = response.headers.get("x-cleanspeech-error", "UNKNOWN/").partition("/")[::2]
            self.metrics.errors.labels(status, error_type or "-").inc()
        response.headers.update(self.headers)
        return response
