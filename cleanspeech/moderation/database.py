"""Opening the moderation store: one SQLAlchemy engine, its schema kept current by Alembic migrations.

A SQLite file by default (nothing to set up), or a PostgreSQL URL for a team or several service replicas. The URL
comes from `--store`, else `CLEANSPEECH_STORE`, else `cleanspeech.sqlite3` in the checkout (or the working
directory of an installed package). Migrations run on open, under a PostgreSQL advisory lock (or, for SQLite, a
lock file beside the database) so that replicas and app sessions starting together do not race.
"""

import os
from pathlib import Path

import sqlalchemy as sa

from ..errors import InputError
from ..paths import REPO_ROOT

STORE_ENV = "CLEANSPEECH_STORE"
MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = 7_262_640_215  # any constant: the advisory lock id every process agrees on


def default_store() -> str:
    """`CLEANSPEECH_STORE`, else a SQLite file in the checkout (or the working directory, for an installed copy)."""
    if os.environ.get(STORE_ENV):
        return os.environ[STORE_ENV]
    home = REPO_ROOT if (REPO_ROOT / "pyproject.toml").is_file() else Path.cwd()
    return f"sqlite:///{home / 'cleanspeech.sqlite3'}"


def database_url(store: str) -> str:
    """A store as SQLAlchemy wants it: a bare path means SQLite; postgres:// and postgresql:// use psycopg 3."""
    if "://" not in store:
        store = f"sqlite:///{Path(store).expanduser()}"
    for prefix in ("postgres://", "postgresql://"):
        if store.startswith(prefix):
            return "postgresql+psycopg://" + store[len(prefix) :]
    return store


def new_sqlite_file(store: str | None) -> Path | None:
    """The SQLite file that opening `store` would create, or None where the store exists or is not SQLite."""
    url = database_url(store or default_store())
    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    return path if path is not None and not path.is_file() else None


def require_existing(store: str | None) -> None:
    """Refuse a SQLite store that is not there, for a command that only reads one: opening it would create an empty
    store and report nothing, where the user mistyped a path."""
    if path := new_sqlite_file(store):
        raise InputError(f"no store at {path}: name it with --store (or CLEANSPEECH_STORE)")


def _alembic_config(engine: sa.Engine):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema to the newest migration, or to `revision` (a no-op when it is there)."""
    from alembic import command

    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK})
            try:
                command.upgrade(_alembic_config(engine), revision)
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK})
    elif engine.dialect.name == "sqlite" and engine.url.database:
        # Processes opening one fresh file at once (the app and the service, `score --enqueue` under accelerate)
        # take turns, as replicas do on PostgreSQL's advisory lock.
        from filelock import FileLock

        with FileLock(f"{engine.url.database}.migrate.lock", timeout=120):
            command.upgrade(_alembic_config(engine), revision)
    else:
        command.upgrade(_alembic_config(engine), revision)


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Take the schema back to `revision` (an operator's undo of an upgrade; the app and the service never call it)."""
    from alembic import command

    command.downgrade(_alembic_config(engine), revision)


_SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


def _refuse_other_files(path: Path) -> None:
    """A file that is there but is not a SQLite database (a CSV named by mistake), or a folder, is refused before
    anything is written beside it: SQLite would only fail once the migration lock was taken."""
    if path.is_dir():
        raise InputError(f"cannot open the store {path}: it is a folder; name a database file in it")
    try:
        if not (path.is_file() and path.stat().st_size):
            return  # no file yet, or an empty one: SQLite makes it a new database
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as err:
        raise InputError(f"cannot open the store {path}: {err.strerror or err}") from None
    if header != _SQLITE_HEADER:
        raise InputError(f"cannot open the store {path}: it is not a SQLite database")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the app read while the service writes; a busy timeout waits for a writer instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_engine(store: str, migrate: bool = True) -> sa.Engine:
    """An engine on `store`, its schema migrated unless `migrate` is False; a bad store is one InputError line."""
    url = database_url(store)
    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    if path:
        _refuse_other_files(path)
    try:
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        if migrate:
            upgrade(engine)
    except (sa.exc.SQLAlchemyError, ImportError, ValueError, OSError) as err:
        raise InputError(f"cannot open the store {shown_url(store)}: {str(err).splitlines()[0]}") from None
    return engine


def shown_url(store: str) -> str:
    """`store` safe to print: a password in the URL becomes ***."""
    try:
        return sa.engine.make_url(database_url(store)).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return store
