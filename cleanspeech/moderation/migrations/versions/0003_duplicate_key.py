"""The queue's duplicate key: a comment from the same source under the same id with the same text is queued once.

Revision ID: 0003
Revises: 0002
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

_BATCH = 5000  # items keyed per round trip: the text of a large store is never all in memory


def _key(source: str, external_id: str, community_id: str | None, text: str) -> str:
    # A frozen copy of `queue.duplicate_key` as it was when this revision was written: a migration must not change
    # with the code that follows it.
    key = f"{source}\x1f{external_id}\x1f{community_id or ''}\x1f{text}"
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()


def upgrade() -> None:
    op.add_column("items", sa.Column("duplicate_key", sa.String(40)))
    op.create_index("ix_items_duplicate_key", "items", ["duplicate_key"])
    columns = ("id", "source", "external_id", "community_id", "text", "duplicate_key")
    items = sa.table("items", *(sa.column(c) for c in columns))
    conn, last = op.get_bind(), 0
    while True:  # items queued before this revision get their keys, so they are not queued again either
        rows = conn.execute(
            sa.select(items.c.id, items.c.source, items.c.external_id, items.c.community_id, items.c.text)
            .where(items.c.external_id.is_not(None), sa.func.trim(items.c.external_id) != "", items.c.id > last)
            .order_by(items.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        keys = [{"item": row.id, "key": _key(row.source, row.external_id, row.community_id, row.text)} for row in rows]
        conn.execute(items.update().where(items.c.id == sa.bindparam("item")).values(duplicate_key=sa.bindparam("key")),
                     keys)  # fmt: skip
        last = rows[-1].id


def downgrade() -> None:
    op.drop_index("ix_items_duplicate_key", "items")
    # In place on SQLite too (3.35 and later): batch mode would copy the table and drop the original, which the
    # decisions' foreign keys refuse once any item is decided.
    op.execute("ALTER TABLE items DROP COLUMN duplicate_key")
