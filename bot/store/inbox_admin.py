"""What operators see and do with the inbox: listings, re-running dead letters, purging, statistics.

A mixin of `bot.store.inbox.Inbox`, which owns the engine, the clock and the writer lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from bot.store.engine import ping
from bot.store.tables import inbox_table

PENDING, RUNNING, DONE, DEAD = "pending", "running", "done", "dead"
STATES = (PENDING, RUNNING, DONE, DEAD)
_t = inbox_table


@dataclass(frozen=True)
class Delivery:
    """A row as shown to operators: identifiers and state, never the payload."""

    delivery_id: str
    event: str
    action: str | None
    repo: str | None
    state: str
    attempts: int
    received_at: float
    updated_at: float
    last_error: str | None


@dataclass(frozen=True)
class InboxStats:
    counts: dict[str, int]
    oldest_age: float | None  # seconds since the oldest pending/running row arrived


class InboxAdmin:
    engine: Engine
    _clock: Callable[[], float]
    _writing: Callable[[], AbstractContextManager[Connection]]

    # -- operators ------------------------------------------------------------------------------
    def dead_letters(self, limit: int = 100) -> list[Delivery]:
        return self._list(_t.c.state == DEAD, limit)

    def recent(self, limit: int = 20) -> list[Delivery]:
        return self._list(None, limit)

    def get(self, delivery_id: str) -> Delivery | None:
        found = self._list(_t.c.delivery_id == delivery_id, 1)
        return found[0] if found else None

    def requeue(self, delivery_ids: Iterable[str] | None = None) -> int:
        """Dead letters back to pending with fresh attempts (all of them when ids is None)."""
        stmt = update(_t).where(_t.c.state == DEAD)
        if delivery_ids is not None:
            stmt = stmt.where(_t.c.delivery_id.in_(list(delivery_ids)))
        now = self._clock()
        stmt = stmt.values(state=PENDING, attempts=0, available_at=now, enqueued_at=None, updated_at=now)
        with self._writing() as conn:
            return int(conn.execute(stmt).rowcount)

    def purge_done(self, older_than: float) -> int:
        """Delete finished rows last touched more than `older_than` seconds ago."""
        cutoff = self._clock() - older_than
        stmt = _t.delete().where(_t.c.state == DONE, _t.c.updated_at < cutoff)
        with self._writing() as conn:
            return int(conn.execute(stmt).rowcount)

    def stats(self) -> InboxStats:
        with self.engine.connect() as conn:
            counts = {state: 0 for state in STATES}
            for state, count in conn.execute(select(_t.c.state, func.count()).group_by(_t.c.state)):
                counts[state] = int(count)
            oldest = conn.execute(select(func.min(_t.c.received_at)).where(_t.c.state.in_((PENDING, RUNNING)))).scalar()
        return InboxStats(counts, None if oldest is None else max(0.0, self._clock() - oldest))

    def ping(self) -> bool:
        return ping(self.engine)

    def _list(self, where: Any, limit: int) -> list[Delivery]:
        query = select(
            _t.c.delivery_id, _t.c.event, _t.c.action, _t.c.repo, _t.c.state, _t.c.attempts,
            _t.c.received_at, _t.c.updated_at, _t.c.last_error,
        )  # fmt: skip
        if where is not None:
            query = query.where(where)
        query = query.order_by(_t.c.received_at.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [Delivery(*row) for row in conn.execute(query)]
