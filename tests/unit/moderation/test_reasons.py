"""The reason a queue decision starts from: the item's own, never the last item's."""

import pytest

from cleanspeech.moderation.reasons import REASON_CODES, REMOVAL_LABELS, suggested_reason


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["toxic", "insult", "threat"], "threat"),  # a threat outweighs the insult it comes with
        (["toxic", "identity_hate", "obscene"], "identity_attack"),
        (["toxic", "severe_toxic", "insult"], "severe"),
        (["toxic", "obscene", "insult"], "insult"),
        (["obscene"], "obscene"),
        (["toxic"], "toxic"),
        ([], "insult"),  # queued by a blocklist entry, no label flagged: the first reason
    ],
)
def test_a_removal_starts_from_the_gravest_flagged_label(labels, expected):
    assert suggested_reason("remove", labels) == expected
    assert set(REMOVAL_LABELS[expected]) & set(labels) or not labels  # the reason asserts a label the item has


@pytest.mark.parametrize("action", ["approve", "escalate"])
def test_other_actions_start_from_their_first_reason(action):
    assert suggested_reason(action, ["toxic", "threat"]) == next(iter(REASON_CODES[action]))
