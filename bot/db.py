"""Engine and schema registry shared by every table of the store (SQLite file or PostgreSQL)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, inspect
from sqlalchemy.exc import DBAPIError

# Every table module defines its tables on this one MetaData, so `create_all` sees them all.
metadata = MetaData()

SQLITE_BUSY_TIMEOUT = 30  # seconds a writer waits for another process's transaction


def normalise_url(url: str) -> str:
    """Map the URL spellings platforms hand out (postgres://, postgresql://) to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for DATABASE_URL. SQLite files get WAL, full fsync on commit and a busy timeout."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        options.setdefault("pool_pre_ping", True)
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 20)
        return create_engine(url, **options)
    path = url.partition(":///")[2].split("?", 1)[0]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False},
        **options,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers and the writer proceed together; FULL fsyncs each commit, so a 202 survives a
    # power cut. Group commit in the inbox amortises that fsync over many deliveries.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000}")
    cursor.close()


def create_schema(engine: Engine) -> None:
    """Create missing tables. Several processes may start at once: losing that race is fine."""
    try:
        metadata.create_all(engine)
    except DBAPIError:
        existing = set(inspect(engine).get_table_names())
        if not set(metadata.tables) <= existing:
            raise
