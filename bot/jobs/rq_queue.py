"""Scale-out mode (REDIS_URL): RQ workers run the jobs; the inbox table stays the source of truth.

An RQ job carries only a delivery id. It claims that inbox row with a lease and runs it exactly like an
embedded worker would; a job for a row that is done, or running elsewhere, does nothing. The sweeper
hands RQ every row that is due and was not handed over recently (new rows, retries whose delay passed,
leases that expired because an RQ worker died), so losing Redis jobs or workers loses no delivery.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.jobs.worker import Handle, run_job, worker_name
from bot.store.inbox import Inbox

if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue

log = logging.getLogger(__name__)

QUEUE_NAME = "ptm-triage"
JOB_FUNCTION = "bot.queue.run_delivery"  # a stable path: bot/queue.py re-exports run_delivery
JOB_TIMEOUT = 10 * 60  # seconds RQ lets one job run
SWEEP_INTERVAL = 0.5  # seconds between sweeps: bounds the extra latency of a new delivery
REQUEUE_AFTER = 60.0  # seconds before a due row is handed to RQ again


@dataclass(frozen=True)
class JobContext:
    inbox: Inbox
    handle: Handle
    lease_seconds: float


_context: JobContext | None = None
_context_factory: Callable[[], JobContext] | None = None


def install_job_context(
    context: JobContext | None = None, factory: Callable[[], JobContext] | None = None
) -> None:
    """Give this process's RQ jobs their inbox and handler (or a factory that builds them on first use)."""
    global _context, _context_factory
    _context, _context_factory = context, factory


def run_delivery(delivery_id: str) -> str:
    """The RQ job: claim the row for `delivery_id` and run it; 'skipped' if it is not claimable."""
    global _context
    if _context is None:
        if _context_factory is None:
            raise RuntimeError("no job context: start RQ workers with `ptm-triage worker`")
        _context = _context_factory()
    job = _context.inbox.claim(worker_name(":rq"), _context.lease_seconds, delivery_id=delivery_id)
    if job is None:
        return "skipped"
    return run_job(_context.inbox, job, _context.handle, lease_seconds=_context.lease_seconds)


def connect(redis_url: str) -> Redis:
    from redis import Redis

    return Redis.from_url(redis_url)


def make_queue(connection: Redis) -> Queue:
    from rq import Queue

    return Queue(QUEUE_NAME, connection=connection, default_timeout=JOB_TIMEOUT)


def enqueue(queue: Queue, delivery_ids: list[str]) -> None:
    """Hand delivery ids to RQ in one round trip. Results are not kept: the inbox records them."""
    if not delivery_ids:
        return
    jobs = [
        queue.prepare_data(JOB_FUNCTION, args=(delivery_id,), result_ttl=0, failure_ttl=3600)
        for delivery_id in delivery_ids
    ]
    queue.enqueue_many(jobs)


class Sweeper:
    """Periodically enqueues due inbox rows. Several sweepers may run: each row is marked by one."""

    def __init__(
        self,
        inbox: Inbox,
        queue: Queue,
        *,
        interval: float = SWEEP_INTERVAL,
        requeue_after: float = REQUEUE_AFTER,
    ) -> None:
        self._inbox = inbox
        self._queue = queue
        self._interval = interval
        self._requeue_after = requeue_after
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep_once(self) -> int:
        ids = self._inbox.due_for_enqueue(requeue_after=self._requeue_after)
        enqueue(self._queue, ids)
        if ids:
            log.debug("enqueued %d deliveries", len(ids))
        return len(ids)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="sweeper", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.sweep_once()
            except Exception:  # store or Redis unavailable: rows stay due and are swept next time
                log.exception("sweep failed")
            self._stop.wait(self._interval)


def run_rq_worker(connection: Redis, *, burst: bool = False, **worker_options: Any) -> bool:
    """Run an RQ worker on the ptm-triage queue in this (main) thread until SIGTERM (warm shutdown)."""
    from rq import SimpleWorker

    # SimpleWorker runs jobs in this process, so the job context (model, engine) is built once.
    worker = SimpleWorker([make_queue(connection)], connection=connection, **worker_options)
    # RQ logs three lines per job at INFO; our own job log already says what happened.
    level = "DEBUG" if log.isEnabledFor(logging.DEBUG) else "WARNING"
    return bool(worker.work(burst=burst, logging_level=level))
