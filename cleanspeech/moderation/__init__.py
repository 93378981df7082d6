"""Moderation: policies that turn scores into one verdict, the review queue, and the audit log of decisions.

Owns the policy (`Policy`, its verdict and blocklist matching), applying it to comments (`moderate`), and the store
every surface shares (`ModerationStore`: SQLAlchemy on SQLite or PostgreSQL, Alembic migrations, claims that keep
two moderators off one item, an append-only decisions table), plus what the decisions teach (`feedback`: agreement,
threshold proposals, training rows). May import `serving`, `classifiers`, `evaluation` and the core modules; the
service and the CLI sit above it, and the app's pages use it.
"""

from ..labels import LABEL_NAMES
from .policy import SEVERITIES, Policy, Verdict
from .queue import QueueFilter
from .reasons import ACTIONS, REASON_CODES
from .store import ModerationStore
from .verdicts import Moderation, moderate

__all__ = [
    "ACTIONS",
    "LABEL_NAMES",
    "REASON_CODES",
    "SEVERITIES",
    "Moderation",
    "ModerationStore",
    "Policy",
    "QueueFilter",
    "Verdict",
    "moderate",
]
