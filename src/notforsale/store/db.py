"""The database: SQLite in the user's data directory by default, PostgreSQL by URL.

The URL comes from the caller (``--db``), else ``NOTFORSALE_DB``, else
``sqlite:///<user data dir>/notforsale.db``. The schema is brought up to date
with Alembic on open; SQLite runs in WAL mode with a busy timeout so a served
console and API can write concurrently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DB_ENV = "NOTFORSALE_DB"
MIGRATIONS = Path(__file__).with_name("migrations")


def default_url() -> str:
    override = os.environ.get(DB_ENV)
    if override:
        return override
    folder = Path(user_data_dir("notforsale"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'notforsale.db'}"


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; no fsync per commit
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


#: The PostgreSQL advisory lock the migration holds (any number both sides agree on).
_MIGRATION_LOCK = 727_274_001


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision, one process at a time: processes that open
    a new database at once (``uvicorn --workers 4``) would each create half of it."""
    config = alembic_config(engine)
    with _sqlite_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _sqlite_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock on ``<database>.lock`` beside an SQLite file (SQLite's own lock is
    not held across the migration's statements: each DDL commits on its own)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    import fcntl

    with open(f"{database}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@lru_cache(maxsize=8)
def open_database(url: str | None = None) -> sessionmaker[Session]:
    """A session factory on a migrated database."""
    url = url or default_url()
    # A server's connections can drop; a SQLite file's cannot, and a ping per checkout
    # would cost a query on every request.
    engine = create_engine(url, **({"connect_args": {"check_same_thread": False}}
                                   if url.startswith("sqlite")
                                   else {"pool_size": 10, "pool_pre_ping": True}))
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
