"""The feedback store: the human scores `comments:suggestscore` sends (Coral's approve/reject), kept for retraining.

The only state a replica holds. SQLite by default (`--store sqlite:///path`), PostgreSQL for several replicas
(`--store postgresql://...`), through SQLAlchemy; the schema is created and upgraded by Alembic migrations
(`cleanspeech/server/migrations`), run once at start-up (under a PostgreSQL advisory lock, so replicas starting
together do not race). Comments sent to `comments:analyze` are never stored, whatever `doNotStore` says.
"""

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from ..errors import InputError

MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = 7_262_640_215  # any constant: the advisory lock id replicas agree on

# The table as the code reads and writes it. Migrations keep their own copy on purpose: a migration is a snapshot of
# the schema at its revision and must not change when this definition does.
metadata = sa.MetaData()
suggestions = sa.Table(
    "suggestions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("comment_text", sa.Text, nullable=False),
    sa.Column("attribute_scores", sa.JSON, nullable=False),
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("context", sa.JSON),
    sa.Column("client_token", sa.Text),
    sa.Column("session_id", sa.Text),
    sa.Column("community_id", sa.Text),
    sa.Column("model_version", sa.Text, nullable=False),
)


def database_url(store: str) -> str:
    """`--store` as SQLAlchemy wants it: a bare path means SQLite; postgres:// and postgresql:// use psycopg 3."""
    if "://" not in store:
        store = f"sqlite:///{Path(store).expanduser()}"
    for prefix in ("postgres://", "postgresql://"):
        if store.startswith(prefix):
            return "postgresql+psycopg://" + store[len(prefix) :]
    return store


def _alembic_config(engine: sa.Engine):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there)."""
    from alembic import command

    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK})
            try:
                command.upgrade(_alembic_config(engine), "head")
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK})
    else:
        command.upgrade(_alembic_config(engine), "head")


class FeedbackStore:
    def __init__(self, store: str, migrate: bool = True):
        url = database_url(store)
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine = sa.create_engine(url, pool_pre_ping=True)
            if migrate:
                upgrade(self.engine)
        except (sa.exc.SQLAlchemyError, ImportError, ValueError) as err:
            raise InputError(f"cannot open the feedback store {store}: {str(err).splitlines()[0]}") from None
        self.url = self.engine.url.render_as_string(hide_password=True)

    def add_suggestion(self, **row) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(suggestions.insert().values(created_at=datetime.now(UTC), **row))
            return result.inserted_primary_key[0]

    def suggestions(self, limit: int = 1000) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(suggestions.select().order_by(suggestions.c.id).limit(limit))
            return [dict(row._mapping) for row in rows]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(suggestions)).scalar_one()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def close(self) -> None:
        self.engine.dispose()
