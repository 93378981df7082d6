"""The queue's duplicate key made unique, so queueing a comment once is one atomic step.

With revision 0003 the queue looked a key up, then inserted: two processes queueing the same comment at the same
instant could both add it. A unique index lets the insert itself skip a comment queued before (`ON CONFLICT DO
NOTHING`). Items queued twice before this revision keep their key on the first of them only; the others stay in the
queue, keyless, as they were. Several items may have no key (SQLite and PostgreSQL let NULLs repeat in a unique
index): comments without an id are always added.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    items = sa.table("items", sa.column("id"), sa.column("duplicate_key"))
    earlier = sa.table("items", sa.column("id"), sa.column("duplicate_key")).alias("earlier")
    # EXISTS over the key's index, not NOT IN (SELECT min(id) ... GROUP BY): PostgreSQL scans such a list once per
    # row when it outgrows work_mem, which on a store of a few hundred thousand items takes hours.
    twin_before = sa.exists().where(earlier.c.duplicate_key == items.c.duplicate_key, earlier.c.id < items.c.id)
    op.get_bind().execute(
        items.update().where(items.c.duplicate_key.is_not(None), twin_before).values(duplicate_key=None)
    )
    op.drop_index("ix_items_duplicate_key", "items")
    op.create_index("ux_items_duplicate_key", "items", ["duplicate_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_items_duplicate_key", "items")
    op.create_index("ix_items_duplicate_key", "items", ["duplicate_key"])
