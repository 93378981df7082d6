"""What a moderator can do with a queued comment, the reason codes each action takes, and what a decision teaches.

Reason codes for a removal name the harm, so a decision says which of our labels the moderator saw: that is what
turns the audit log into training rows (`feedback.training_rows`). Spam and other off-topic removals are not
toxicity and teach nothing about it; escalations are not a judgement yet.
"""

ACTIONS = ("approve", "remove", "escalate")
STATUS_AFTER = {"approve": "approved", "remove": "removed", "escalate": "escalated"}
OPEN_STATUSES = ("open", "escalated")  # items a moderator can still claim
STATUSES = ("open", "escalated", "approved", "removed")

REASON_CODES = {
    "approve": {
        "not_toxic": "Not toxic",
        "counter_speech": "Counter-speech, or quoting hate to condemn it",
        "in_group": "In-group or reclaimed use of a word",
        "discussion": "News, quotation or discussion",
        "other": "Other",
    },
    "remove": {
        "insult": "Insult or harassment",
        "identity_attack": "Attack on a group (identity)",
        "threat": "Threat or incitement",
        "obscene": "Obscene or sexual",
        "severe": "Severely toxic",
        "toxic": "Toxic, other",
        "spam": "Spam or off-topic",
    },
    "escalate": {
        "unsure": "Unsure, needs a second opinion",
        "legal": "Possibly illegal content",
        "self_harm": "Self-harm or risk to someone",
        "other": "Other",
    },
}

# The labels a removal asserts (every one of them implies `toxic`); a reason not listed teaches nothing.
REMOVAL_LABELS = {
    "insult": ("toxic", "insult"),
    "identity_attack": ("toxic", "identity_hate"),
    "threat": ("toxic", "threat"),
    "obscene": ("toxic", "obscene"),
    "severe": ("toxic", "severe_toxic"),
    "toxic": ("toxic",),
}

# The reason each item's picker opens on: the weakest claim of each action. A removal left at it asserts `toxic` only,
# never a harm the moderator did not pick: opening on the model's own gravest label would record the model's reading
# as the moderator's whenever X was pressed without a look at the picker, and the agreement measured against the
# moderators (and the training rows) would then confirm the model with its own flags.
DEFAULT_REASONS = {"approve": "not_toxic", "remove": "toxic", "escalate": "unsure"}


def check_reason(action: str, reason_code: str) -> None:
    from ..errors import InputError

    if action not in REASON_CODES:
        raise InputError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
    if reason_code not in REASON_CODES[action]:
        raise InputError(f"unknown reason {reason_code!r} for {action}: one of {', '.join(REASON_CODES[action])}")
