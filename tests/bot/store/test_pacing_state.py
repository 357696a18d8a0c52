"""The shared homes of the write-pacing windows: a store row (SQLite, PostgreSQL) or a Redis key. Each
change is exclusive across threads; the limiter over them keeps its limits."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from bot.errors import Throttled
from bot.github.pacing import PacingState, WriteLimiter, WriteLimits
from bot.runtime import write_pacing
from bot.settings import Settings
from bot.store.engine import create_schema, make_engine
from bot.store.pacing_state import RedisPacingState, SqlPacingState

THREADS = 6
CHANGES = 15


@pytest.fixture(params=["store", pytest.param("redis", marks=pytest.mark.redis)])
def state(request: pytest.FixtureRequest, database_url: str) -> Iterator[PacingState]:
    engine = make_engine(database_url)
    create_schema(engine)
    settings = Settings(app_id=None, private_key=None, webhook_secret="x", database_url=database_url,
                        redis_url=request.getfixturevalue("redis_url") if request.param == "redis" else None)
    shared = write_pacing(settings, engine)  # what the composition root picks
    assert isinstance(shared, RedisPacingState if request.param == "redis" else SqlPacingState)
    yield shared
    engine.dispose()


def test_a_document_starts_empty_and_keeps_what_a_change_wrote(state: PacingState) -> None:
    assert state.read("1001") is None
    assert state.update("1001", lambda doc: ("one", doc)) is None
    assert state.update("1001", lambda doc: (f"{doc}+two", doc)) == "one"
    assert state.read("1001") == "one+two"
    assert state.read("1002") is None


def test_concurrent_changes_are_never_lost(state: PacingState) -> None:
    def increment() -> None:
        for _ in range(CHANGES):
            state.update("counter", lambda doc: (str(int(doc or 0) + 1), None))

    threads = [threading.Thread(target=increment) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert state.read("counter") == str(THREADS * CHANGES)


def test_two_limiters_on_one_state_share_the_budget(state: PacingState) -> None:
    limits = WriteLimits(per_minute=3, per_hour=100, max_inline_wait=0)
    first, second = WriteLimiter(limits, state=state), WriteLimiter(limits, state=state)
    first.acquire(7, write=True)
    second.acquire(7, write=True)
    first.acquire(7, write=True)
    with pytest.raises(Throttled):
        second.acquire(7, write=True)
    second.acquire(8, write=True)  # another installation
    first.block(9, until=4_000_000_000)
    with pytest.raises(Throttled):
        second.acquire(9, write=False)
