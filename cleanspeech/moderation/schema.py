"""The store's tables as the code reads and writes them.

Migrations (`migrations/versions`) keep their own copy on purpose: a migration is a snapshot of the schema at its
revision and must not change when these definitions do.
"""

import sqlalchemy as sa

metadata = sa.MetaData()
_WHEN = sa.DateTime(timezone=True)


def storable(value):
    """`value` (a column value: text, or JSON of dicts, lists and strings) as every store can hold it: PostgreSQL's
    text and JSON refuse the NUL character, which no comment means to contain, so it is kept as U+FFFD."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable(item) for item in value]
    return value


def _judgement() -> list[sa.Column]:
    """What judged a comment: the model and its version, its scores, the policy version and its verdict. A queue
    item holds them, and each decision keeps a copy as they stood when it was made."""
    return [
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("policy_name", sa.String(200), nullable=False),
        sa.Column("policy_version", sa.Integer, nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
    ]


suggestions = sa.Table(  # the human scores comments:suggestscore sends (Coral's approve/reject)
    "suggestions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", _WHEN, nullable=False),
    sa.Column("comment_text", sa.Text, nullable=False),
    sa.Column("attribute_scores", sa.JSON, nullable=False),
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("context", sa.JSON),
    sa.Column("client_token", sa.Text),
    sa.Column("session_id", sa.Text),
    sa.Column("community_id", sa.Text),
    sa.Column("model_version", sa.Text, nullable=False),
)

settings = sa.Table(  # small store-wide choices, e.g. which policy is the default
    "settings",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

policies = sa.Table(  # every version of every policy; a change adds a row, nothing is overwritten
    "policies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
    sa.Column("created_at", _WHEN, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("note", sa.Text),
)

items = sa.Table(  # the review queue: a scored comment, its verdict at the time, and where review stands
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", _WHEN, nullable=False),
    sa.Column("source", sa.String(50), nullable=False),  # batch, cli, service, moderate
    sa.Column("external_id", sa.Text),  # the row id of a file, a client token
    sa.Column("duplicate_key", sa.String(40)),  # with an external id: queue.duplicate_key, so a comment is queued once
    sa.Column("community_id", sa.Text),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("language", sa.String(20), nullable=False),
    *_judgement(),
    sa.Column("severity", sa.SmallInteger, nullable=False),  # index into policy.SEVERITIES
    sa.Column("reasons", sa.JSON, nullable=False),
    sa.Column("label_flags", sa.Integer, nullable=False),  # bit i: LABELS[i] was over its review threshold
    sa.Column("status", sa.String(20), nullable=False),  # open, escalated, approved, removed
    sa.Column("claimed_by", sa.String(200)),
    sa.Column("claim_expires_at", _WHEN),
    sa.Column("decided_at", _WHEN),
)

decisions = sa.Table(  # the audit log: append-only (the database refuses UPDATE and DELETE)
    "decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("decided_at", _WHEN, nullable=False),
    sa.Column("reviewer", sa.String(200), nullable=False),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("reason_code", sa.String(50), nullable=False),
    sa.Column("note", sa.Text),
    *_judgement(),
)


def by_reviewer(query: sa.Select, conn: sa.Connection, reviewer: str) -> sa.Select:
    """`query` narrowed to the decisions of `reviewer` in any case: "Ana" finds ana's, "élodie" Élodie's. The
    names are folded here, in Python, as SQLite's `lower()` folds ASCII only."""
    names = conn.execute(sa.select(decisions.c.reviewer).distinct()).scalars()
    return query.where(decisions.c.reviewer.in_([n for n in names if n.casefold() == reviewer.casefold()]))
