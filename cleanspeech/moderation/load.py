"""Queue figures for `scripts/benchmark.py`: how fast comments enter the review queue, and how quickly a page of
it comes back at 100,000 items, on a SQLite file and on PostgreSQL.

Synthetic items (random severities, ages, languages, sources and labels): the queries do not read the text, so
what is measured is the database and the queue code, not the model.
"""

import random
import statistics
import time
import uuid
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from ..labels import LABELS
from .database import database_url
from .queue import QueueFilter, label_flags
from .schema import items
from .store import ModerationStore

_LANGUAGES = ("en", "en", "en", "de", "fr", "es", "it", "pt")
_SOURCES = ("batch", "cli", "service", "service")


def synthetic_rows(count: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        labels = [lb for lb in LABELS if rng.random() < (0.6 if lb == "toxic" else 0.12)] or ["toxic"]
        text = f"synthetic comment {i} " + "word " * rng.randint(3, 60)
        rows.append({"source": rng.choice(_SOURCES), "external_id": str(i), "community_id": None, "text": text,
                     "language": rng.choice(_LANGUAGES),
                     "model": "ensemble", "model_version": "benchmark", "scores": dict.fromkeys(LABELS, 0.5),
                     "policy_name": "default", "policy_version": 1, "verdict": rng.choice(("review", "remove")),
                     "severity": rng.randint(1, 4), "reasons": ["synthetic"],
                     "label_flags": label_flags(labels)})  # fmt: skip
    return rows


def median_ms(action, repeats: int) -> float:
    """The median time of `repeats` calls of `action`, in milliseconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def _spread_ages(store: ModerationStore, days: int = 30) -> None:
    """Give the items ages over `days` (one insert batch shares one timestamp), so the queue's order has work."""
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        ids = [row.id for row in conn.execute(sa.select(items.c.id))]
        rng = random.Random(1)
        for start in range(0, len(ids), 5000):
            ages = [{"item": i, "when": now - timedelta(minutes=rng.randint(0, days * 1440))}
                    for i in ids[start : start + 5000]]  # fmt: skip
            statement = items.update().where(items.c.id == sa.bindparam("item"))
            conn.execute(statement.values(created_at=sa.bindparam("when")), ages)


def bench_store(url: str, count: int, batch: int = 1000, repeats: int = 20) -> dict:
    """Enqueue `count` items in batches, then time the queries the Queue page makes."""
    store = ModerationStore(url)
    rows = synthetic_rows(count)
    started = time.perf_counter()
    for start in range(0, count, batch):
        store.queue.enqueue(rows[start : start + batch])
    enqueue_s = time.perf_counter() - started
    _spread_ages(store)
    with store.engine.connect() as conn:  # a cursor near the end, found once with OFFSET (setup, not measured)
        deep = conn.execute(sa.select(items.c.severity, items.c.created_at, items.c.id)
                            .where(items.c.status == "open")
                            .order_by(items.c.severity.desc(), items.c.created_at, items.c.id)
                            .offset(max(0, count - 100)).limit(1)).one()  # fmt: skip
    german_threats = QueueFilter(label="threat", language="de")
    figures = {
        "items": count,
        "enqueue_items_per_s": round(count / enqueue_s),
        "first_page_ms": median_ms(lambda: store.queue.page(), repeats),
        "last_page_ms": median_ms(lambda: store.queue.page(after=tuple(deep)), repeats),
        "filtered_page_ms": median_ms(lambda: store.queue.page(german_threats), repeats),
        "count_ms": median_ms(lambda: store.queue.count(), repeats),
        "claim_and_release_ms": median_ms(
            lambda: store.queue.release(store.queue.claim_next("bench")["id"], "bench"), repeats
        ),  # fmt: skip
        "deep_cursor": [int(deep.severity), str(deep.created_at), int(deep.id)],
    }
    store.close()
    return figures


@contextmanager
def scratch_schema(postgres: str, prefix: str = "cleanspeech_scratch"):
    """A URL on the PostgreSQL server `postgres` whose tables live in a fresh schema, dropped on exit (benchmarks
    and tests); an unreachable server raises SQLAlchemy's error before anything is created."""
    admin = sa.create_engine(database_url(postgres))
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        try:
            yield f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    finally:
        admin.dispose()


def bench_queue(count: int, postgres: str | None, scratch: str, page_timer=None) -> dict:
    """Queue figures on a SQLite file in `scratch` and, when `postgres` answers, in a scratch schema there;
    `page_timer(url, deep_cursor)` adds the Queue page's own response times (the app is not part of the package)."""
    results = {}
    with ExitStack() as stack:
        backends = {"sqlite": f"sqlite:///{scratch}/queue-benchmark.sqlite3"}
        if postgres:
            try:
                backends["postgresql"] = stack.enter_context(scratch_schema(postgres, "cleanspeech_bench"))
            except sa.exc.SQLAlchemyError as err:
                results["postgresql"] = {"skipped": str(err).splitlines()[0]}
        for name, url in backends.items():
            figures = bench_store(url, count)
            cursor = figures.pop("deep_cursor")
            figures.update(page_timer(url, cursor) if page_timer else {})
            results[name] = figures
            print(f"queue on {name}: {figures}", flush=True)
    return results
