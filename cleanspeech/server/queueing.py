"""Analyzed comments into the review queue, the way Perspective's `doNotStore` promises.

A comment sent to `comments:analyze` without `doNotStore: true` is judged by the moderation policy of its
`communityId` (a policy that lists it), else of the caller's API key (`policy=NAME` in the keys file), else the
store's default, and goes to the review queue when the verdict is `review` or `remove`. The verdict uses the served
model's raw scores (the policy's thresholds are on that scale, not the calibrated one the API answers with). It runs
after the answer is sent, so a caller never waits for the database; policies are re-read at most every few seconds.
"""

import logging
import time

from ..labels import LABELS
from ..moderation import Moderation, Policy
from ..moderation.verdicts import judge_text

log = logging.getLogger("cleanspeech.server")
POLICY_TTL_S = 5.0  # a policy saved in the app applies to the service within this long


class PolicyCache:
    def __init__(self, store):
        self.store, self._cached = store, {}

    def policy(self, community_id: str | None, key_policy: str | None) -> Policy:
        cache_key = (community_id, key_policy)
        hit = self._cached.get(cache_key)
        if hit and time.monotonic() - hit[0] < POLICY_TTL_S:
            return hit[1]
        policy = self.store.policies.for_community(community_id)
        if key_policy and community_id not in policy.communities:
            policy = self.store.policies.get(key_policy)
        self._cached[cache_key] = (time.monotonic(), policy)
        return policy


def enqueue_if_flagged(state, text: str, raw_scores, language: str, community_id: str | None,
                       key_policy: str | None, client_token: str | None) -> None:  # fmt: skip
    """Judge one analyzed comment and queue it when flagged; never raises (the caller has its answer already)."""
    try:
        import pandas as pd

        policy = state.policies.policy(community_id, key_policy)
        verdict, used = judge_text(policy, state.scorer.model, text, dict(zip(LABELS, raw_scores)))
        scores = pd.DataFrame([used], columns=list(LABELS))
        moderation = Moderation([text], scores, [verdict], [language], policy, state.model_name, state.model_version)
        rows = moderation.queue_rows("service", [client_token] if client_token else None, community_id)
        if rows:
            state.store.queue.enqueue(rows)
            state.metrics.queued.inc()
    except Exception:  # a store outage must not turn into failed requests; it is logged and shows in /readyz
        log.exception("could not queue an analyzed comment")
