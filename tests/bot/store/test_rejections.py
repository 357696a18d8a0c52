"""Refused webhook requests in the store: counted by outcome within a window, newest first, old rows go."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.store.engine import create_schema, make_engine
from bot.store.rejections import KEEP_FOR, Rejection, RejectionStore


def engine_for(url: str) -> Engine:
    engine = make_engine(url)
    create_schema(engine)
    return engine


def test_counts_recent_and_pruning(database_url: str) -> None:
    engine = engine_for(database_url)
    now = [1_000_000.0]
    store = RejectionStore(engine, clock=lambda: now[0])
    store.record([
        Rejection("rejected_signature", "does not match", "d-1", 3, now[0] - 7200),
        Rejection("rejected_signature", "does not match", "d-2", 2, now[0] - 60),
        Rejection("too_large", "body larger than 10 bytes", None, 1, now[0] - 30),
    ])
    assert store.counts_since(3600) == {"rejected_signature": 2, "too_large": 1}
    assert store.counts_since(3 * 3600) == {"rejected_signature": 5, "too_large": 1}
    assert [(r.outcome, r.delivery_id, r.count) for r in store.recent(2)] == [
        ("too_large", None, 1), ("rejected_signature", "d-2", 2)]
    store.record([])  # nothing to write is fine
    now[0] += KEEP_FOR + 1
    store.record([Rejection("bad_request", "x" * 1000, "d-3")])
    kept = store.recent(10)
    assert [(r.outcome, len(r.reason), r.received_at) for r in kept] == [("bad_request", 300, now[0])]
    engine.dispose()
