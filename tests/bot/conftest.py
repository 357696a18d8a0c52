"""Fixtures shared by the bot's tests: an inbox and the decision records over a real store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.store.decisions import Records
from bot.store.engine import make_engine
from bot.store.inbox import Inbox, open_inbox


@pytest.fixture
def inbox(sqlite_url: str) -> Iterator[Inbox]:
    """An inbox in a SQLite file (tests that need PostgreSQL too override this with `database_url`)."""
    store = open_inbox(sqlite_url)
    yield store
    store.engine.dispose()


@pytest.fixture
def records(database_url: str) -> Iterator[Records]:
    """Every test that uses it runs on SQLite and on PostgreSQL (tests/support/services.py)."""
    engine = make_engine(database_url)
    store = Records(engine)
    store.create_schema()
    yield store
    engine.dispose()
