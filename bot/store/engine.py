"""The store's engine (SQLite file or PostgreSQL), its schema creation, writer lock and ping."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import DBAPIError

from bot.store.schema_upgrade import add_missing_columns
from bot.store.tables import metadata

SQLITE_BUSY_TIMEOUT = 30  # seconds a writer waits for another process's transaction


def normalise_url(url: str) -> str:
    """Map the URL spellings platforms hand out (postgres://, postgresql://) to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for DATABASE_URL. SQLite files get WAL, an fsync per commit and a busy timeout.

    `?synchronous=normal` on a SQLite URL skips that fsync: commits still survive a killed process,
    but not a power cut or kernel crash. Faster; the default is the durable `full`.
    """
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        options.setdefault("pool_pre_ping", True)
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 20)
        return create_engine(parsed, **options)
    synchronous = str(parsed.query.get("synchronous", "full")).upper()
    if synchronous not in ("FULL", "NORMAL"):
        raise ValueError("DATABASE_URL: synchronous must be full or normal")
    parsed = parsed.difference_update_query(["synchronous"])
    path = parsed.database or ""
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = create_engine(
        parsed,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False},
        **options,
    )

    def _pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers and the writer proceed together. FULL fsyncs each commit so that a 202
        # survives a power cut; the inbox's group commit shares one fsync among concurrent deliveries.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000}")
        cursor.close()

    event.listen(engine, "connect", _pragmas)
    return engine


_SCHEMA_ATTEMPTS = 5  # processes starting together on a fresh store each try to create every table


def create_schema(engine: Engine) -> None:
    """Create missing tables and columns. Several processes may start at once: losing that race is fine.

    The loser may find some tables made and others not yet, so it tries again (each attempt creates only
    what is still missing) until every table exists."""
    for attempt in range(1, _SCHEMA_ATTEMPTS + 1):
        try:
            metadata.create_all(engine)
            break
        except DBAPIError:
            if set(metadata.tables) <= set(inspect(engine).get_table_names()):
                break
            if attempt == _SCHEMA_ATTEMPTS:
                raise
            time.sleep(0.1 * attempt)
    add_missing_columns(engine)


class WriterLock:
    """Serialises writes to one SQLite file across threads and processes with a blocking flock.

    SQLite alone makes a second writer poll with sleeps of 1 ms and more; queueing in the kernel instead
    wakes the next writer as soon as the lock is free, which matters when several gunicorn processes
    commit webhooks at once. A no-op for PostgreSQL and in-memory SQLite.
    """

    def __init__(self, database: str | None) -> None:
        usable = database and database != ":memory:" and not database.startswith("file:")
        self._path = f"{database}.writer-lock" if usable else None
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        if self._path is None:
            yield
            return
        with self._thread_lock:
            if self._fd is None or self._pid != os.getpid():  # a forked child needs its own descriptor
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


def ping(engine: Engine) -> bool:
    """Whether the store answers a trivial query (any driver error means "not reachable")."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
