"""Scoring inside the service: one loaded model, its version, and dynamic micro-batching of concurrent requests.

Requests that arrive within `max_wait_ms` of each other are scored in one `predict_proba` call (up to `max_batch`
texts), on executor threads so the event loop keeps accepting requests while the model runs. Two forward passes are
in flight at once: while one computes, the other's answers go out and the next batch gathers, so the cores are not
left idle between batches. Under load a batch is whatever queued while the model was busy; only an idle model waits
`max_wait_ms` for company. The model sorts the windows of a batch by length before padding them
(`TransformerModel.predict_logits`), so a batch of mixed lengths costs little padding. With batching off each
request is its own forward pass, in arrival order.
"""

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

from ..classifiers import load_model, resolve_model_dir
from ..classifiers.files import model_version
from ..labels import LABELS


@dataclass
class _Pending:
    texts: list[str]
    future: asyncio.Future
    arrived: float  # loop time the request was queued: its wait for company counts from here


@dataclass
class BatchingScorer:
    """`await scorer.score(texts)` -> array (len(texts), 6) of probabilities in `LABELS` order."""

    model: object
    max_batch: int = 64  # texts per forward pass; bigger batches stop paying on 2 cores and raise latency
    max_wait_ms: float = 5.0  # how long the first request of a batch waits for company (0: batching off)
    in_flight: int = 2  # forward passes at once: while one computes, the other's answers go out and the next gathers
    on_batch: object = None  # called with the number of texts of every forward pass (metrics)

    def __post_init__(self):
        self._queue: asyncio.Queue | None = None
        self._slots: asyncio.Semaphore | None = None
        self._task: asyncio.Task | None = None
        self._forwards: set[asyncio.Task] = set()  # held so running forward passes are not garbage-collected
        self._executor = ThreadPoolExecutor(max_workers=self.in_flight, thread_name_prefix="cleanspeech-model")
        # Explanations, rewrites and files take seconds to minutes: two at a time, as before, but on threads of their
        # own, so that scoring requests never queue behind them (two slow explanations held both model threads, and
        # every analyze request behind them timed out)
        self._side = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cleanspeech-side")

    @property
    def batching(self) -> bool:
        return self.max_wait_ms > 0 and self.max_batch > 1

    def predict(self, texts: list[str]) -> np.ndarray:
        if self.on_batch:
            self.on_batch(len(texts))
        return self.model.predict_proba(texts)[list(LABELS)].to_numpy(dtype=np.float64)

    async def run(self, function, *args):
        """Run `function(*args)` (an explanation, a rewrite, a file) on the slow jobs' threads. One cancelled before
        it starts (its request timed out while it waited) never runs."""
        return await asyncio.get_running_loop().run_in_executor(self._side, function, *args)

    async def score(self, texts: list[str]) -> np.ndarray:
        loop = asyncio.get_running_loop()
        if not self.batching:
            return await loop.run_in_executor(self._executor, self.predict, texts)
        if self._task is None or self._task.done():
            self._queue, self._slots = asyncio.Queue(), asyncio.Semaphore(self.in_flight)
            self._task = loop.create_task(self._run())
        # A long request goes as batches of its own, one queued at a time: it holds one forward pass at most, so
        # requests that arrive meanwhile take turns with it instead of waiting behind a huge one, and when it times
        # out its next batches are never queued.
        parts = []
        for start in range(0, max(len(texts), 1), self.max_batch):
            pending = _Pending(texts[start : start + self.max_batch], loop.create_future(), loop.time())
            self._queue.put_nowait(pending)
            try:
                parts.append(await pending.future)
            finally:
                pending.future.cancel()  # no-op once answered; a timed-out request's queued batch is dropped
        return np.concatenate(parts)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._slots.acquire()  # while every forward pass is busy, requests queue up into the next batch
            batch = await self._gather(loop)
            task = loop.create_task(self._forward(batch))
            self._forwards.add(task)
            task.add_done_callback(self._forwards.discard)

    async def _gather(self, loop) -> list[_Pending]:
        """The next batch: the oldest request and whatever else arrives before its wait for company is over."""
        batch = [await self._live(self._queue.get)]
        size, deadline = len(batch[0].texts), batch[0].arrived + self.max_wait_ms / 1000
        while size < self.max_batch:
            if not self._queue.empty():  # under load the queue holds the next batch already: no waiting
                item = self._queue.get_nowait()
                if item.future.done():  # its request timed out or was cancelled while it waited
                    continue
                batch.append(item)
            else:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._live(self._queue.get), remaining))
                except TimeoutError:
                    break
            size += len(batch[-1].texts)
        return batch

    async def _live(self, get) -> _Pending:
        """The next queued item whose request still waits for it."""
        while (item := await get()).future.done():
            pass
        return item

    async def _forward(self, batch: list[_Pending]) -> None:
        texts = [text for item in batch for text in item.texts]
        try:
            scores = await asyncio.get_running_loop().run_in_executor(self._executor, self.predict, texts)
        except Exception as err:  # every waiting request learns of the failure; the service goes on
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(err)
            return
        finally:
            self._slots.release()
        start = 0
        for item in batch:
            if not item.future.done():  # a request that timed out has cancelled its future
                item.future.set_result(scores[start : start + len(item.texts)])
            start += len(item.texts)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._side.shutdown(wait=False, cancel_futures=True)


def load_scorer(name_or_path: str, max_batch: int, max_wait_ms: float, model=None) -> tuple[BatchingScorer, str, str]:
    """The model behind the service (loaded here unless given), wrapped for batching, with its name and version."""
    model = model if model is not None else load_model(name_or_path)
    version = model_version(resolve_model_dir(name_or_path))
    return BatchingScorer(model, max_batch=max_batch, max_wait_ms=max_wait_ms), model.name, version


# A sentence ends at a run of white space after . ! ? … (and CJK stops), or at one holding a line break. Each run is
# matched once: a pattern that looked for the line break inside the run (\s*\n\s*) tried again from every space of
# it, so 20,000 spaces took over a second of the event loop, per request.
_SPACE_RUN = re.compile(r"\s+")
_STOPS = frozenset(".!?…。！？")
# Each span is one more text to score: a 20,480-byte comment of 5,120 one-word lines took minutes and was answered
# 504 every time. Past this many sentences, neighbours share a span (128 spans: about 3 s on a 2-core CPU).
MAX_SPANS = 128


def sentence_spans(text: str, max_spans: int = MAX_SPANS) -> list[tuple[int, int]]:
    """(begin, end) character offsets of each sentence, trailing whitespace left out; the whole text if one. Past
    `max_spans` sentences, each span holds as many neighbouring sentences as it takes to stay within it."""
    spans, start = [], 0
    for match in _SPACE_RUN.finditer(text):
        if "\n" not in match.group() and (match.start() == 0 or text[match.start() - 1] not in _STOPS):
            continue
        if text[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    if len(spans) > max_spans:
        size = -(-len(spans) // max_spans)  # sentences per span, rounded up
        spans = [(spans[i][0], spans[min(i + size, len(spans)) - 1][1]) for i in range(0, len(spans), size)]
    return spans or [(0, len(text))]


def utf16_offsets(text: str) -> list[int]:
    """Per character offset 0..len(text), its offset in UTF-16 code units (what Perspective's span offsets count: an
    emoji counts two), counted once for every span of every attribute."""
    return [0, *accumulate(2 if ord(ch) > 0xFFFF else 1 for ch in text)]
