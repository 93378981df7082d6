"""Moderation: policies, the review queue, the decisions audit log, store settings.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

_WHEN = sa.DateTime(timezone=True)
# Decisions are an audit log: the database itself refuses to change or delete one, whoever connects.
_SQLITE_GUARDS = [
    f"CREATE TRIGGER decisions_no_{verb.lower()} BEFORE {verb} ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES_GUARDS = [
    "CREATE FUNCTION decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'decisions are append-only'; END $$",
    "CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions "
    "FOR EACH ROW EXECUTE FUNCTION decisions_append_only()",
    "CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions "
    "FOR EACH STATEMENT EXECUTE FUNCTION decisions_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "policies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text),
        sa.UniqueConstraint("name", "version", name="uq_policies_name_version"),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("external_id", sa.Text),
        sa.Column("community_id", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.String(20), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("policy_name", sa.String(200), nullable=False),
        sa.Column("policy_version", sa.Integer, nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("severity", sa.SmallInteger, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("label_flags", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("claimed_by", sa.String(200)),
        sa.Column("claim_expires_at", _WHEN),
        sa.Column("decided_at", _WHEN),
    )
    # The queue's order (severity, then oldest first) under its most common filter, so a page is an index range.
    op.create_index("ix_items_queue", "items", ["status", sa.text("severity DESC"), "created_at", "id"])
    op.create_index("ix_items_claimed_by", "items", ["claimed_by", "status"])  # "the item I hold", after a reload
    op.create_index("ix_items_language", "items", ["language"])
    op.create_index("ix_items_source", "items", ["source"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("decided_at", _WHEN, nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("reason_code", sa.String(50), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("policy_name", sa.String(200), nullable=False),
        sa.Column("policy_version", sa.Integer, nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
    )
    op.create_index("ix_decisions_item", "decisions", ["item_id"])
    op.create_index("ix_decisions_decided_at", "decisions", ["decided_at"])
    guards = _POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else _SQLITE_GUARDS
    for statement in guards:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE decisions")
        op.execute("DROP FUNCTION decisions_append_only()")
    else:
        op.drop_table("decisions")
    for table in ("items", "policies", "settings"):
        op.drop_table(table)
