"""Refused webhook requests, written to the store in bursts so the status page of every process sees them.

The webhook answers without waiting for the store: a refusal is queued here and a short-lived timer
thread writes what queued up within `WINDOW` seconds as one row per (outcome, reason). A flood of bad
requests therefore costs one small write per window, and a store that is down costs a log line.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from bot.store.rejections import Rejection, RejectionStore

log = logging.getLogger(__name__)

WINDOW = 1.0  # seconds of refusals merged into one write


class RejectionRecorder:
    def __init__(self, store: Callable[[], RejectionStore], clock: Callable[[], float] = time.time) -> None:
        """`store()` is called when writing, so the store is opened only once something is refused."""
        self._store = store
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str], Rejection] = {}
        self._timer: threading.Timer | None = None

    def note(self, outcome: str, reason: str, delivery_id: str | None) -> None:
        """Queue one refusal (`delivery_id` only when well-formed); written within WINDOW seconds."""
        now = self._clock()
        with self._lock:
            earlier = self._pending.get((outcome, reason))
            count = earlier.count + 1 if earlier else 1
            keep_id = delivery_id or (earlier.delivery_id if earlier else None)
            self._pending[(outcome, reason)] = Rejection(outcome, reason, keep_id, count, now)
            if self._timer is None:  # the first refusal of a window: write the window's in WINDOW seconds
                self._timer = threading.Timer(WINDOW, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        """Write what is queued now (the timer calls it; tests and shutdown may too)."""
        with self._lock:
            batch = list(self._pending.values())
            self._pending.clear()
            self._timer = None
        try:
            self._store().record(batch)
        except SQLAlchemyError:
            log.warning("could not record %d refused webhook request(s) in the store", len(batch))
