"""`ReviewQueue`: comments waiting for a moderator, claims that keep two moderators off one item, and decisions.

The queue is ordered by severity, then age (oldest first), and paged by keyset ("the items after this one"), never
by OFFSET, so the hundredth page of 100,000 items costs what the first does. A claim is a conditional UPDATE
(the item is free, expired, or already this reviewer's), which both SQLite and PostgreSQL apply atomically: of two
moderators claiming one item at once, exactly one wins. Claims live in the database, so a reviewer who reloads or
whose app restarts gets the same item back. A decision updates the item and appends to the audit log in one
transaction, and only the claim holder can make it.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import InputError
from ..labels import LABELS
from .reasons import OPEN_STATUSES, STATUS_AFTER, check_reason
from .schema import decisions, items, storable

CLAIM_SECONDS = 600  # long enough to read a comment and its context; a moderator who walks away frees the item
PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[str, ...] = ("open",)
    label: str | None = None  # only items whose verdict flagged this label
    language: str | None = None
    source: str | None = None
    policy: str | None = None

    def where(self) -> list:
        clauses = [items.c.status.in_(self.statuses)]
        if self.label:
            clauses.append(items.c.label_flags.op("&")(1 << LABELS.index(self.label)) != 0)
        if self.language:
            clauses.append(items.c.language == self.language)
        if self.source:
            clauses.append(items.c.source == self.source)
        if self.policy:
            clauses.append(items.c.policy_name == self.policy)
        return clauses


def label_flags(labels) -> int:
    return sum(1 << LABELS.index(label) for label in labels)


def flagged_from(flags: int) -> list[str]:
    return [label for i, label in enumerate(LABELS) if flags & (1 << i)]


def _now() -> datetime:
    return datetime.now(UTC)


def _after(cursor: tuple | None):
    """Items after `cursor` (severity, created_at, id) in queue order: severity descending, then age, then id."""
    if cursor is None:
        return sa.true()
    severity, created_at, item_id = cursor
    return sa.or_(
        items.c.severity < severity,
        sa.and_(items.c.severity == severity, items.c.created_at > created_at),
        sa.and_(items.c.severity == severity, items.c.created_at == created_at, items.c.id > item_id),
    )


_ENQUEUE_LOCK = 0x636C_6571  # PostgreSQL advisory lock ("cleq") held by one enqueue at a time, until its commit
_ORDER = (items.c.severity.desc(), items.c.created_at, items.c.id)


class ReviewQueue:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def enqueue(self, rows: list[dict], ids_name_comments: bool = True) -> int:
        """Add scored comments (rows built by `verdicts.queue_row`); returns how many were added.

        A comment queued before from the same source and community under the same id (a file's `id` column, a client
        token) with the same text is not added again, open or decided: a file scored twice with `--enqueue`, or a
        comment the service analyzed twice, is reviewed once. Rows without an id (or a blank one) are always added,
        and so are all rows where `ids_name_comments` is False: row numbers of a file without an `id` column name
        places, not comments (row 3 of two files is two comments). The check is the insert itself (a unique key,
        `ON CONFLICT DO NOTHING`), so two processes queueing the same comment at once add it once."""
        if not rows:
            return 0
        now = _now()
        rows = [{"created_at": now, "status": "open", **_keyed(storable(row), ids_name_comments)} for row in rows]
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # one enqueue at a time: two inserting the same keys in another
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ENQUEUE_LOCK})  # order deadlock
            added = conn.execute(_insert_unless_queued(conn).returning(items.c.id), rows)
            return len(added.all())

    def page(self, where: QueueFilter = QueueFilter(), after: tuple | None = None, limit: int = PAGE_SIZE) -> list:
        """One page of the queue, in order; pass the last row's `cursor` as `after` for the next page."""
        columns = [c for c in items.c if c.name != "text"] + [sa.func.substr(items.c.text, 1, 300).label("preview")]
        query = sa.select(*columns).where(*where.where(), _after(after)).order_by(*_ORDER).limit(limit)
        with self.engine.connect() as conn:
            return [_with_cursor(dict(row._mapping)) for row in conn.execute(query)]

    def languages(self) -> list[str]:
        """The languages the queue's comments were detected in (any code, "nl" or "ar" too), sorted."""
        query = sa.select(items.c.language).where(items.c.language.is_not(None)).distinct()
        with self.engine.connect() as conn:
            return sorted(conn.execute(query).scalars())

    def count(self, where: QueueFilter = QueueFilter()) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(items).where(*where.where())).scalar_one()

    def get(self, item_id: int) -> dict:
        with self.engine.connect() as conn:
            row = conn.execute(items.select().where(items.c.id == item_id)).first()
        if row is None:
            raise InputError(f"no queue item {item_id}")
        return _with_cursor(dict(row._mapping))

    def claim(self, item_id: int, reviewer: str, seconds: int = CLAIM_SECONDS) -> bool:
        """Claim an item for `reviewer` (or renew their claim); False when someone else holds it or it is decided."""
        now = _now()
        free = sa.or_(items.c.claimed_by.is_(None), items.c.claimed_by == reviewer, items.c.claim_expires_at < now)
        statement = (items.update().where(items.c.id == item_id, items.c.status.in_(OPEN_STATUSES), free)
                     .values(claimed_by=reviewer, claim_expires_at=now + timedelta(seconds=seconds)))  # fmt: skip
        with self.engine.begin() as conn:
            return conn.execute(statement).rowcount == 1

    def held_by(self, reviewer: str, where: QueueFilter | None = None) -> int | None:
        """The item `reviewer` holds an unexpired claim on (after a reload or a restart), or None."""
        where = where or QueueFilter(statuses=OPEN_STATUSES)
        mine = sa.and_(items.c.claimed_by == reviewer, items.c.claim_expires_at >= _now())
        with self.engine.connect() as conn:
            # No ORDER BY: a reviewer holds one item, and without it both databases look it up by claimed_by's index.
            held = conn.execute(sa.select(items.c.id).where(*where.where(), mine).limit(1)).first()
        return None if held is None else held.id

    def claim_next(self, reviewer: str, where: QueueFilter = QueueFilter(), seconds: int = CLAIM_SECONDS,
                   skip: tuple[int, ...] = ()):  # fmt: skip
        """The reviewer's own claimed item if they hold one (a reload, a restart), else the first free item not in
        `skip`, claimed; None when nothing is left."""
        held = self.held_by(reviewer, where)
        if held is not None and held not in skip and self.claim(held, reviewer, seconds):
            return self.get(held)
        cursor = None
        for _attempt in range(20):  # others may take the first candidates between our read and our claim
            free = sa.or_(items.c.claimed_by.is_(None), items.c.claim_expires_at < _now())
            # An item this reviewer escalated waits for someone else's opinion.
            escalated_by_me = sa.exists().where(decisions.c.item_id == items.c.id, decisions.c.reviewer == reviewer,
                                                decisions.c.action == "escalate")  # fmt: skip
            query = sa.select(items.c.id, items.c.severity, items.c.created_at)
            query = query.where(
                *where.where(), free, _after(cursor), items.c.id.notin_(skip or (-1,)), ~escalated_by_me
            )
            with self.engine.connect() as conn:
                candidates = conn.execute(query.order_by(*_ORDER).limit(10)).all()
            if not candidates:
                return None
            for candidate in candidates:
                if self.claim(candidate.id, reviewer, seconds):
                    return self.get(candidate.id)
            cursor = (candidates[-1].severity, candidates[-1].created_at, candidates[-1].id)
        return None

    def release(self, item_id: int, reviewer: str) -> None:
        statement = (items.update().where(items.c.id == item_id, items.c.claimed_by == reviewer)
                     .values(claimed_by=None, claim_expires_at=None))  # fmt: skip
        with self.engine.begin() as conn:
            conn.execute(statement)

    def decide(self, item_id: int, reviewer: str, action: str, reason_code: str, note: str = "") -> int:
        """Record a decision on an item the reviewer holds: the item's new status and one audit row, atomically."""
        check_reason(action, reason_code)
        now = _now()
        with self.engine.begin() as conn:
            held = sa.and_(items.c.claimed_by == reviewer, items.c.claim_expires_at >= now)
            closed = dict(status=STATUS_AFTER[action], claimed_by=None, claim_expires_at=None, decided_at=now)
            statement = items.update().where(items.c.id == item_id, items.c.status.in_(OPEN_STATUSES), held)
            updated = conn.execute(statement.values(**closed))
            if updated.rowcount != 1:
                raise InputError(self._why_not_held(conn, item_id, reviewer))
            item = conn.execute(items.select().where(items.c.id == item_id)).one()
            result = conn.execute(decisions.insert().values(
                decided_at=now, reviewer=reviewer, item_id=item_id, action=action, reason_code=reason_code,
                note=storable(note) or None, model=item.model, model_version=item.model_version, scores=item.scores,
                policy_name=item.policy_name, policy_version=item.policy_version, verdict=item.verdict))  # fmt: skip
            return result.inserted_primary_key[0]

    @staticmethod
    def _why_not_held(conn, item_id: int, reviewer: str) -> str:
        row = conn.execute(sa.select(items.c.status, items.c.claimed_by).where(items.c.id == item_id)).first()
        if row is None:
            return f"no queue item {item_id}"
        if row.status not in OPEN_STATUSES:
            return f"item {item_id} was already decided ({row.status})"
        if row.claimed_by and row.claimed_by != reviewer:
            return f"item {item_id} is being reviewed by {row.claimed_by}"
        return f"{reviewer}'s claim on item {item_id} expired; open it again to review it"


def _with_cursor(row: dict) -> dict:
    row["labels"] = flagged_from(row["label_flags"])
    row["cursor"] = (row["severity"], row["created_at"], row["id"])
    return row


def duplicate_key(source: str, external_id: str, community_id: str | None, text: str) -> str:
    """What tells a comment queued before (indexed: one lookup per comment, whatever the queue holds)."""
    key = f"{source}\x1f{external_id}\x1f{community_id or ''}\x1f{text}"
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()


def _keyed(row: dict, ids_name_comments: bool) -> dict:
    """`row` with its duplicate key: only where an id names the comment (not blank, not a row number)."""
    known = ids_name_comments and str(row.get("external_id") or "").strip() != ""
    key = duplicate_key(row["source"], row["external_id"], row.get("community_id"), row["text"]) if known else None
    return {**row, "duplicate_key": key}


def _insert_unless_queued(conn: sa.Connection):
    """An insert into the queue that skips any row whose duplicate key is there already (or earlier in the batch).
    SQLite and PostgreSQL, the stores we support, both have `ON CONFLICT DO NOTHING`."""
    dialects = {"postgresql": postgresql, "sqlite": sqlite}
    if conn.dialect.name not in dialects:
        raise InputError(f"the review queue needs SQLite or PostgreSQL, not {conn.dialect.name}")
    return dialects[conn.dialect.name].insert(items).on_conflict_do_nothing(index_elements=["duplicate_key"])
