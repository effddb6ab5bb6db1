"""Engine set-up: SQLite by default (WAL, busy timeout), PostgreSQL through ``LPI_DATABASE_URL``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from store.migrate import upgrade

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _json_text(value: Any) -> str:
    """A JSON column's value as text (keys that are not strings written as strings, as json.dumps does)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# JSON columns (features, vectors, explanations) are read and written by the tens of thousands in a
# matching run: orjson does it about ten times faster than the standard library.
JSON_CODEC: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def default_database_path() -> Path:
    """``$LPI_HOME/intake.db``, else ``$XDG_DATA_HOME/lpi/intake.db`` (``~/.local/share/lpi``)."""
    if home := os.environ.get("LPI_HOME"):
        return Path(home) / "intake.db"
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "lpi" / "intake.db"


def database_url(explicit: str | None = None) -> str:
    """The URL in force: an explicit one, then ``LPI_DATABASE_URL``, then the default SQLite file."""
    return explicit or os.environ.get("LPI_DATABASE_URL") or f"sqlite:///{default_database_path()}"


def open_engine(url: str | None = None, *, migrate: bool = True) -> Engine:
    """Create the engine and, unless told otherwise, bring the schema to the newest revision."""
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url)
    else:
        engine = create_engine(url, pool_pre_ping=True, **JSON_CODEC)
    if migrate:
        upgrade(engine)
    return engine


def _sqlite_engine(url: str) -> Engine:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **JSON_CODEC)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # The driver's implicit BEGIN is replaced by our own so that writers take the lock up
        # front (BEGIN IMMEDIATE) instead of failing to upgrade a read lock under contention.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def now() -> datetime:
    return datetime.now(UTC)
