"""Webhook requests refused before they reach the inbox (bad signature, bad request, too large, unknown
event), kept in the store so the status page of any process sees them.

Rows are bursts: the web layer merges what one process refused within about a second into one row with
a count, so a flood costs a write per second, not one per request. Rows older than `KEEP_FOR` go.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, select

from bot.store.tables import rejected_deliveries

KEEP_FOR = 7 * 24 * 3600.0  # seconds a rejection stays visible
MAX_REASON_CHARS = 300


@dataclass(frozen=True)
class Rejection:
    outcome: str
    reason: str
    delivery_id: str | None
    count: int = 1
    received_at: float = 0.0  # epoch seconds


class RejectionStore:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self._clock = clock

    def record(self, rejections: list[Rejection]) -> None:
        """Store a batch of bursts and drop the rows past `KEEP_FOR`, in one transaction."""
        if not rejections:
            return
        rows = [
            {
                "outcome": r.outcome[:40],
                "reason": r.reason[:MAX_REASON_CHARS],
                "delivery_id": r.delivery_id[:100] if r.delivery_id else None,
                "count": r.count,
                "received_at": r.received_at or self._clock(),
            }
            for r in rejections
        ]
        with self.engine.begin() as conn:
            conn.execute(rejected_deliveries.insert(), rows)
            cutoff = self._clock() - KEEP_FOR
            conn.execute(delete(rejected_deliveries).where(rejected_deliveries.c.received_at < cutoff))

    def counts_since(self, seconds: float) -> dict[str, int]:
        """outcome -> requests refused in the last `seconds`."""
        since = self._clock() - seconds
        query = (
            select(rejected_deliveries.c.outcome, func.sum(rejected_deliveries.c.count))
            .where(rejected_deliveries.c.received_at >= since)
            .group_by(rejected_deliveries.c.outcome)
        )
        with self.engine.connect() as conn:
            return {outcome: int(total or 0) for outcome, total in conn.execute(query)}

    def recent(self, limit: int = 10) -> list[Rejection]:
        query = select(rejected_deliveries).order_by(rejected_deliveries.c.received_at.desc()).limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Rejection(row["outcome"], row["reason"], row["delivery_id"], row["count"], row["received_at"])
            for row in rows
        ]
