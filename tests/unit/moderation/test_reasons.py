"""The reason a queue decision starts from: the same weak claim for every item, never the last item's pick nor the
model's own flags."""

from cleanspeech.moderation.reasons import ACTIONS, DEFAULT_REASONS, REASON_CODES, REMOVAL_LABELS


def test_each_action_starts_from_a_reason_it_offers_and_a_removal_from_toxic_alone():
    assert set(DEFAULT_REASONS) == set(ACTIONS)
    assert all(DEFAULT_REASONS[action] in REASON_CODES[action] for action in ACTIONS)
    assert REMOVAL_LABELS[DEFAULT_REASONS["remove"]] == ("toxic",)  # no harm the moderator did not pick
