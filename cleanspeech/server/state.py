"""What a worker process holds while it serves (the model, detector, store, quota) and the dependencies that hand
it to the routers (FastAPI's dependency injection: `Depends(get_state)`, `Depends(authorize)`)."""

import asyncio
import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ..classifiers import find_model, resolve_model_dir
from ..errors import ModelNotFound
from ..evaluation.calibration import Calibration
from ..moderation import ModerationStore
from .attributes import parse_proxies
from .errors import ApiError
from .keys import ANALYSIS, SUGGESTION, check_key, make_quota, quota_error, read_keys
from .languages import LanguageDetector, load_language_table
from .observability import Metrics
from .queueing import PolicyCache, ReviewQueueWriter
from .scoring import BatchingScorer, load_scorer
from .settings import ServerSettings

log = logging.getLogger("cleanspeech.server")


@dataclass
class ServiceState:
    settings: ServerSettings
    scorer: BatchingScorer
    model_name: str
    model_version: str
    detector: LanguageDetector
    language_table: dict
    proxies: dict
    keys: dict | None  # {key: policy name or None}
    quota: object
    store: ModerationStore
    metrics: Metrics
    calibration: Calibration | None = None  # the model's, where it has one: /v1/score and Perspective's API answer it
    _rewriter: object = None

    def __post_init__(self):
        self.policies = PolicyCache(self.store)
        if self.keys and self.settings.queue:  # the key policies judge only what goes to the queue
            self.policies.warn_missing(self.keys)
        self.review_queue = ReviewQueueWriter(self)  # analyzed comments, judged and queued in batches

    @classmethod
    def build(cls, settings: ServerSettings, metrics: Metrics, model=None) -> "ServiceState":
        """Load everything once per worker; a bad setting is an `InputError` before the first request.

        `model`: an already loaded model to serve (loaded from `settings.model`, which still names its version).
        """
        proxies, keys, table, quota = _read_settings(settings)
        store = ModerationStore(settings.store, migrate=settings.migrate)
        scorer, name, version = load_scorer(settings.model, settings.max_batch, settings.max_wait_ms, model)
        scorer.on_batch = metrics.batch_size.observe
        detector = LanguageDetector([code for codes in table.values() for code in codes] + ["en"])
        calibration = _calibration(settings)
        return cls(settings, scorer, name, version, detector, table, proxies, keys, quota, store, metrics, calibration)

    async def score(self, texts: list[str]):
        """Probabilities (n, 6) in label order, or 504 DEADLINE_EXCEEDED past the request timeout."""
        try:
            return await asyncio.wait_for(self.scorer.score(texts), self.settings.timeout_s)
        except TimeoutError:
            raise ApiError(504, "The request was not scored within the server's deadline.") from None

    async def run_on_model(self, function, *args):
        """`function(*args)` on a model thread (an explanation, a rewrite), or 504 DEADLINE_EXCEEDED past the
        request timeout (the thread finishes its work; the rewriter keeps within a budget below the timeout)."""
        try:
            return await asyncio.wait_for(self.scorer.run(function, *args), self.settings.timeout_s)
        except TimeoutError:
            raise ApiError(504, "The request was not answered within the server's deadline.") from None

    def calibrated(self, probabilities):
        """What Perspective's API answers: calibrated probabilities where the model has a calibration and the server
        was not started `--uncalibrated`."""
        if self.calibration is None or self.settings.uncalibrated:
            return probabilities
        return self.calibration.apply(probabilities)

    def rewriter(self):
        """The offline rewriter, judged by the served model, built on first use (it loads a lexicon)."""
        if self._rewriter is None:
            from ..rewrite import load_rewriter
            from ..rewrite.local import TIME_BUDGET_S

            # answered before the request's deadline, with time to judge the result
            budget = min(TIME_BUDGET_S, 2 * self.settings.timeout_s / 3)
            self._rewriter = load_rewriter(judge=self.scorer.model, time_budget_s=budget)
        return self._rewriter

    def close(self) -> None:
        self.scorer.close()
        self.store.close()


def state_of(request: Request) -> ServiceState:
    return request.app.state.service


async def get_state(request: Request) -> ServiceState:
    """The dependency. Async on purpose: FastAPI runs a plain function dependency on a worker thread, a thread
    hand-off per request that cost more than the rest of the request's own work under load."""
    return state_of(request)


Service = Annotated[ServiceState, Depends(get_state)]  # a route's `state: Service` parameter


async def authenticate(request: Request, state: Service) -> str:
    """Check the caller's key only (the discovery document): fetching it must not use up the quota that `--qps` sets
    on scoring; a client that fetched it and then analyzed twice in one second was refused at `--qps 2`."""
    return check_key(request, state.keys)


async def authorize(request: Request, state: Service) -> str:
    """Check the caller's key and its scoring quota; returns the caller's quota identity."""
    identity = check_key(request, state.keys)
    await _charge(state, identity, ANALYSIS)
    return identity


async def authorize_suggestion(request: Request, state: Service) -> str:
    """Check the caller's key and its quota of suggested scores, counted apart from its scoring at the same rate (each
    is a row in the store), as Perspective counts SuggestCommentScore apart from AnalyzeComment."""
    identity = check_key(request, state.keys)
    await _charge(state, "suggest:" + identity, SUGGESTION)
    return identity


async def _charge(state: ServiceState, identity: str, metric: tuple[str, str]) -> None:
    if state.quota is None:
        return
    # Redis answers over the network: off the event loop. The local and file counters take microseconds.
    if state.settings.redis:
        allowed = await asyncio.to_thread(state.quota.allow, identity)
    else:
        allowed = state.quota.allow(identity)
    if not allowed:
        raise quota_error(state.settings.qps, metric)


def _read_settings(settings: ServerSettings) -> tuple:
    """The proxies, keys, language table and quota the settings name (a Redis quota answers a ping first); a bad one
    is an `InputError`."""
    proxies = parse_proxies(settings.proxies)
    keys = read_keys(settings.keys_file) if settings.keys_file else None
    table = load_language_table(settings.languages_file)
    return proxies, keys, table, make_quota(settings.qps, settings.redis, settings.quota_file)


def check_settings(settings: ServerSettings) -> None:
    """Read what `ServiceState.build` reads, but the model's weights, and drop it: the parent of `--workers N` calls
    this so that a bad keys file, proxy, languages file, Redis address, model or calibration is one `InputError`
    before any worker starts. In the workers each would be a traceback, and uvicorn restarts a worker that fails."""
    _read_settings(settings)
    find_model(settings.model)
    _calibration(settings)


def _calibration(settings: ServerSettings) -> Calibration | None:
    """The model's calibration, which /v1/score answers beside the raw scores (and Perspective's API instead of them,
    unless `--uncalibrated`); `--uncalibrated` also goes without a damaged one, answering `calibrated: null`."""
    try:
        return Calibration.load(resolve_model_dir(settings.model))
    except ModelNotFound:
        if not settings.uncalibrated:
            raise
        log.warning("the model's calibration.json is damaged: /v1/score answers calibrated: null")
        return None
