"""Fixtures for handler tests: Records on SQLite and PostgreSQL, and the in-memory GitHub."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.db import make_engine
from bot.records import Records
from tests.support.fake_github import FakeGitHub


@pytest.fixture
def records(database_url: str) -> Iterator[Records]:
    engine = make_engine(database_url)
    store = Records(engine)
    store.create_schema()
    yield store
    engine.dispose()


@pytest.fixture
def github() -> FakeGitHub:
    return FakeGitHub()
