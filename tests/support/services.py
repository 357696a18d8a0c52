"""Pytest fixtures for the real services the store and queue run on (registered in tests/conftest.py).

`database_url` runs a test on SQLite (a temporary file) and on PostgreSQL (DATABASE_TEST_URL, a fresh
schema per test, dropped afterwards). `redis_url` gives an emptied Redis database (REDIS_TEST_URL).
A service that cannot be reached skips the test locally but fails it when CI=true, so CI never passes by
skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

DEFAULT_DATABASE_TEST_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def service_unavailable(what: str, reason: object) -> None:
    """Skip (locally) or fail (CI=true) a test whose service is not there."""
    message = f"{what} is not reachable: {reason}"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(message + " (CI must run every service test)")
    pytest.skip(message)


@pytest.fixture
def sqlite_url(tmp_path: os.PathLike[str]) -> str:
    return f"sqlite:///{os.fspath(tmp_path)}/inbox.db"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from bot.store.engine import normalise_url

    base = normalise_url(os.environ.get("DATABASE_TEST_URL", DEFAULT_DATABASE_TEST_URL))
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, pool_pre_ping=False)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as exc:
        admin.dispose()
        service_unavailable("PostgreSQL", exc.orig)
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """The same test on both stores."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def redis_url() -> Iterator[str]:
    from redis import Redis
    from redis.exceptions import RedisError

    url = os.environ.get("REDIS_TEST_URL", DEFAULT_REDIS_TEST_URL)
    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
        client.flushdb()
    except RedisError as exc:
        client.close()
        service_unavailable("Redis", exc)
    try:
        yield url
    finally:
        client.flushdb()
        client.close()
