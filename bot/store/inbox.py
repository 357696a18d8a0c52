"""The durable inbox: every accepted delivery is a row, keyed by its delivery id, until it is done or dead.

States: pending -> running (claimed with a lease) -> done | pending (retry) | dead. A row whose lease
expired (its worker crashed) is claimable again. Every state change after a claim is fenced by the
claim's token, so a worker that lost its lease cannot overwrite the next worker's result.
Same SQLAlchemy Core code on SQLite (single writer, atomic UPDATE ... RETURNING) and PostgreSQL
(FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    func,
    or_,
    select,
    update,
)

from bot.events import Envelope, Event, load_payload
from bot.store.engine import WriterLock, create_schema, make_engine
from bot.store.inbox_admin import DEAD, DONE, PENDING, RUNNING, STATES, InboxAdmin
from bot.store.tables import inbox_table

__all__ = ["DEAD", "DONE", "PENDING", "RUNNING", "STATES", "Accepted", "Inbox", "Job", "open_inbox"]

Accepted = Literal["accepted", "duplicate"]

_t = inbox_table


@dataclass(frozen=True)
class Job:
    """A claimed delivery. `attempt` counts this run; `token` fences later updates to this claim."""

    event: Event
    attempt: int
    token: str
    lease_until: float


class Inbox(InboxAdmin):
    def __init__(self, engine: Engine, *, max_attempts: int = 8, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.max_attempts = max_attempts
        self._clock = clock
        dialect = engine.dialect.name
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._insert_sql = (
            f"INSERT INTO {_t.name} ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608 (constants only)
            f"VALUES ({', '.join([mark] * len(_INSERT_COLUMNS))}) ON CONFLICT (delivery_id) DO NOTHING"
        )
        database = engine.url.database if dialect == "sqlite" else None
        self._writer_lock = WriterLock(database)

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._writer_lock.held(), self.engine.begin() as conn:
            yield conn

    # -- intake ---------------------------------------------------------------------------------
    def accept(self, envelope: Envelope) -> Accepted:
        return self.accept_many([envelope])[0]

    def accept_many(self, envelopes: Sequence[Envelope]) -> list[Accepted]:
        """Commit new deliveries in one transaction, each body as received; ids already present are duplicates."""
        now = self._clock()
        rows = [_row(envelope, now) for envelope in envelopes]  # before taking the write lock
        results: list[Accepted] = []
        # The webhook hot path: one prepared INSERT per row on the driver's cursor (the same SQL on
        # SQLite and PostgreSQL), where rowcount tells a new id from a redelivery.
        with self._writing() as conn:
            cursor = conn.connection.cursor()
            try:
                for row in rows:
                    cursor.execute(self._insert_sql, row)
                    results.append("accepted" if cursor.rowcount == 1 else "duplicate")
            finally:
                cursor.close()
        return results

    # -- workers --------------------------------------------------------------------------------
    def claim(self, worker_id: str, lease_seconds: float, delivery_id: str | None = None) -> Job | None:
        """Take the next claimable row (or that one row) with a lease; None when there is none."""
        while True:
            now = self._clock()
            token = f"{worker_id[:80]}:{uuid.uuid4().hex[:16]}"
            claimable = or_(
                and_(_t.c.state == PENDING, _t.c.available_at <= now),
                and_(_t.c.state == RUNNING, _t.c.lease_until < now),
            )
            target: Any
            if delivery_id is not None:
                target = delivery_id
            else:  # rescue an expired lease first, else the oldest due row; both walk the state index
                expired = select(_t.c.delivery_id).where(_t.c.state == RUNNING, _t.c.lease_until < now)
                due = (
                    select(_t.c.delivery_id)
                    .where(_t.c.state == PENDING, _t.c.available_at <= now)
                    .order_by(_t.c.available_at)
                )
                target = func.coalesce(
                    expired.limit(1).with_for_update(skip_locked=True).scalar_subquery(),
                    due.limit(1).with_for_update(skip_locked=True).scalar_subquery(),
                )
            stmt = (
                update(_t)
                .where(_t.c.delivery_id == target, claimable)
                .values(
                    state=RUNNING,
                    attempts=_t.c.attempts + 1,
                    lease_until=now + lease_seconds,
                    claimed_by=token,
                    updated_at=now,
                )
                .returning(
                    _t.c.delivery_id, _t.c.event, _t.c.action, _t.c.installation_id, _t.c.payload,
                    _t.c.attempts,
                )
            )  # fmt: skip
            with self._writing() as conn:
                row = conn.execute(stmt).first()
            if row is None:
                return None
            event = Event(row.event, row.action, row.delivery_id, row.installation_id, load_payload(row.payload))
            job = Job(event, row.attempts, token, now + lease_seconds)
            if job.attempt <= self.max_attempts:
                return job
            # Only a crashed run leaves a lease to expire: the delivery used up its attempts that way.
            self.dead(job, f"lease expired {self.max_attempts} times (worker crashed or hung)")

    def complete(self, job: Job) -> bool:
        return self._finish(job, state=DONE, last_error=None)

    def retry(self, job: Job, error: str, delay: float, *, consume_attempt: bool = True) -> str:
        """Schedule another run after `delay` s; returns the new state (dead when attempts are used up)."""
        if consume_attempt and job.attempt >= self.max_attempts:
            self.dead(job, error)
            return DEAD
        refund = 0 if consume_attempt else 1
        self._finish(
            job,
            state=PENDING,
            last_error=error,
            available_at=self._clock() + max(0.0, delay),
            attempts=_t.c.attempts - refund,
        )
        return PENDING

    def renew(self, job: Job, lease_seconds: float) -> bool:
        """Extend a running job's lease (fenced by its claim token). False once the claim is lost."""
        stmt = (
            update(_t)
            .where(_t.c.delivery_id == job.event.delivery_id, _t.c.state == RUNNING, _t.c.claimed_by == job.token)
            .values(lease_until=self._clock() + lease_seconds)
        )
        with self._writing() as conn:
            return conn.execute(stmt).rowcount == 1

    def release(self, job: Job) -> bool:
        """Give a claimed row back unrun (shutdown): claimable at once, the attempt is not counted."""
        return self._finish(job, state=PENDING, available_at=self._clock(), attempts=_t.c.attempts - 1)

    def dead(self, job: Job, error: str) -> bool:
        return self._finish(job, state=DEAD, last_error=error)

    def _finish(self, job: Job, **values: Any) -> bool:
        stmt = (
            update(_t)
            .where(
                _t.c.delivery_id == job.event.delivery_id,
                _t.c.state == RUNNING,
                _t.c.claimed_by == job.token,
            )
            .values(lease_until=None, claimed_by=None, updated_at=self._clock(), **values)
        )
        with self._writing() as conn:
            return conn.execute(stmt).rowcount == 1

    # -- scale-out: what the sweeper hands to RQ ------------------------------------------------
    def due_for_enqueue(self, limit: int = 500, requeue_after: float = 60.0) -> list[str]:
        """Mark and return ids that are claimable and were not handed to RQ in the last `requeue_after` s."""
        now = self._clock()
        due = and_(
            or_(
                and_(_t.c.state == PENDING, _t.c.available_at <= now),
                and_(_t.c.state == RUNNING, _t.c.lease_until < now),
            ),
            or_(_t.c.enqueued_at.is_(None), _t.c.enqueued_at < now - requeue_after),
        )
        fresh = or_(_t.c.enqueued_at.is_(None), _t.c.enqueued_at < now - requeue_after)
        expired = select(_t.c.delivery_id).where(_t.c.state == RUNNING, _t.c.lease_until < now, fresh)
        waiting = (
            select(_t.c.delivery_id)
            .where(_t.c.state == PENDING, _t.c.available_at <= now, fresh)
            .order_by(_t.c.available_at)
        )
        stmt = (
            update(_t)
            .where(
                or_(
                    _t.c.delivery_id.in_(expired.limit(limit).with_for_update(skip_locked=True)),
                    _t.c.delivery_id.in_(waiting.limit(limit).with_for_update(skip_locked=True)),
                ),
                due,
            )
            .values(enqueued_at=now)
            .returning(_t.c.delivery_id)
        )
        with self._writing() as conn:
            return [row[0] for row in conn.execute(stmt)]

def open_inbox(database_url: str, max_attempts: int = 8) -> Inbox:
    """Connect to DATABASE_URL, create missing tables, and return the inbox on it."""
    engine = make_engine(database_url)
    create_schema(engine)
    return Inbox(engine, max_attempts=max_attempts)


_INSERT_COLUMNS = (
    "delivery_id", "event", "action", "installation_id", "repo", "payload", "state", "attempts",
    "available_at", "received_at", "updated_at",
)  # fmt: skip


def _row(envelope: Envelope, now: float) -> tuple[object, ...]:
    return (
        envelope.delivery_id,
        envelope.name,
        envelope.action[:64] if envelope.action else None,
        envelope.installation_id,
        envelope.repo[:255] if envelope.repo else None,
        envelope.body,
        PENDING,
        0,
        now,
        now,
        now,
    )
