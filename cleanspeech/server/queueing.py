"""Analyzed comments into the review queue, the way Perspective's `doNotStore` promises.

A comment sent to `comments:analyze` without `doNotStore: true` is judged by the moderation policy of its
`communityId` (a policy that lists it), else of the caller's API key (`policy=NAME` in the keys file; one the store
does not hold yet falls back, with a warning in the log, so that no comment is lost on the way), else the store's
default, and goes to the review queue when the verdict is `review` or `remove`. The verdict uses the served
model's raw scores (the policy's thresholds are on that scale, not the calibrated one the API answers with).

A caller never waits for the database: analyzed comments collect for up to `ReviewQueueWriter.max_wait_s` and are
judged and written together, on a thread off the event loop, one transaction per batch. One comment at a time cost
3 ms of CPU per request on 2 cores (two one-row DataFrames and a commit each), more than the HTTP stack; batched,
the service scores as many comments per second as the offline `score` command. Shutting down writes what is
pending. Policies are re-read at most every few seconds.
"""

import asyncio
import logging
import time
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..errors import InputError
from ..labels import LABELS
from ..moderation import Moderation, Policy
from ..moderation.verdicts import judge_texts

log = logging.getLogger("cleanspeech.server")
POLICY_TTL_S = 5.0  # a policy saved in the app applies to the service within this long


class PolicyCache:
    def __init__(self, store):
        self.store, self._cached, self._missing = store, {}, set()

    def warn_missing(self, keys: dict | None) -> None:
        """Log each policy the keys file names that the store does not hold (at startup: it may be created later)."""
        try:
            known = set(self.store.policies.names())
            if self.store.policies.default_name() is None:
                known.add(Policy().name)  # an empty store creates CleanSpeech's own on first use, by this name
        except SQLAlchemyError:  # a store that cannot answer yet: /readyz says so, and the first comment warns
            return
        for name in sorted({policy for policy in (keys or {}).values() if policy} - known):
            self._warn(name)

    def _warn(self, name: str) -> None:
        if name not in self._missing:
            self._missing.add(name)
            log.warning("the keys file names policy %r, which the store does not hold: comments sent with that key "
                        "are judged by their community's or the default policy until it is created", name)  # fmt: skip

    def policy(self, community_id: str | None, key_policy: str | None) -> Policy:
        cache_key = (community_id, key_policy)
        hit = self._cached.get(cache_key)
        if hit and time.monotonic() - hit[0] < POLICY_TTL_S:
            return hit[1]
        policy = self.store.policies.for_community(community_id)
        if key_policy and community_id not in policy.communities:
            try:
                policy = self.store.policies.get(key_policy)
            except InputError:  # not created yet, or renamed: the comment still reaches the queue
                self._warn(key_policy)
        self._cached[cache_key] = (time.monotonic(), policy)
        return policy


@dataclass
class Analyzed:
    """One analyzed comment on its way to the review queue."""

    text: str
    raw_scores: object  # the served model's scores, in LABELS order
    language: str
    community_id: str | None
    key_policy: str | None
    client_token: str | None


class ReviewQueueWriter:
    """`add(comment)` from the event loop; batches are judged and queued on a thread; `await drain()` at shutdown."""

    def __init__(self, state, max_wait_s: float = 0.05, max_items: int = 256):
        self.state, self.max_wait_s, self.max_items = state, max_wait_s, max_items
        self._pending: list[Analyzed] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writes: set[asyncio.Future] = set()

    def add(self, comment: Analyzed) -> None:
        self._pending.append(comment)
        if len(self._pending) >= self.max_items:
            self._flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.max_wait_s, self._flush)

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if batch:
            write = asyncio.get_running_loop().run_in_executor(None, self.write, batch)
            self._writes.add(write)
            write.add_done_callback(self._writes.discard)

    async def drain(self) -> None:
        """Write everything pending now and wait for every write in progress."""
        self._flush()
        if self._writes:
            await asyncio.gather(*self._writes)

    def write(self, batch: list[Analyzed]) -> None:
        """Judge `batch` and queue the flagged comments; never raises (every caller has its answer already)."""
        groups = defaultdict(list)  # one policy per (community, key policy): judged together
        for comment in batch:
            groups[comment.community_id, comment.key_policy].append(comment)
        for (community_id, key_policy), comments in groups.items():
            try:
                self._write_group(community_id, key_policy, comments)
            except Exception as exc:  # a store outage must not turn into failed requests; logged, and /readyz shows it
                if len(comments) == 1 or isinstance(exc, OperationalError):  # one at a time would not help an outage
                    log.exception("could not queue %d analyzed comment(s)", len(comments))
                    continue
                log.warning("could not queue %d analyzed comments together; queueing each alone", len(comments))
                self._write_each(community_id, key_policy, comments)

    def _write_each(self, community_id, key_policy, comments: list[Analyzed]) -> None:
        """One comment at a time, so that one the store refuses does not take the others with it."""
        failed = 0
        for comment in comments:
            try:
                self._write_group(community_id, key_policy, [comment])
            except Exception:
                failed += 1
        if failed:
            log.error("could not queue %d of %d analyzed comments", failed, len(comments))

    def _write_group(self, community_id, key_policy, comments: list[Analyzed]) -> None:
        import pandas as pd

        state = self.state
        policy = state.policies.policy(community_id, key_policy)
        texts = [c.text for c in comments]
        scores = pd.DataFrame([list(map(float, c.raw_scores)) for c in comments], columns=list(LABELS))
        verdicts, used = judge_texts(policy, state.scorer.model, texts, scores)
        languages = [c.language for c in comments]
        moderation = Moderation(texts, used, verdicts, languages, policy, state.model_name, state.model_version)
        rows = moderation.queue_rows("service", [c.client_token for c in comments], community_id)
        if rows:
            state.metrics.queued.inc(state.store.queue.enqueue(rows))  # a comment analyzed again is not queued twice
