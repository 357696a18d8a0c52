"""Workers: claim inbox rows with a lease, run the handler, and record what happened.

`run_job` maps a handler's outcome to the inbox: done; RetryLater/other errors -> retry with exponential
backoff and jitter (dead after the last attempt); Throttled -> wait without using an attempt;
PermanentFailure -> dead at once. `WorkerPool` runs it on threads (inside `serve`, or as
`ptm-triage worker`) and stops gracefully: no new claims, in-flight jobs finish or are released.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import threading
import time
from collections.abc import Callable
from types import FrameType

from bot.errors import PermanentFailure, RetryLater, Throttled
from bot.events import Event
from bot.logs import job_logger, redact
from bot.observability import DEAD_LETTERS, JOB_LATENCY, JOB_RETRIES
from bot.store.inbox import DEAD, Inbox, Job

log = logging.getLogger(__name__)

Handle = Callable[[Event], None]
RETRY_BASE = 15.0  # seconds before the second attempt
RETRY_CAP = 3600.0  # seconds: the longest wait between attempts
THROTTLE_JITTER = 5.0  # seconds spread over throttled jobs so they do not all wake at once
ERROR_CHARS = 500  # stored/logged length of an error message
POLL_INTERVAL = 1.0  # seconds between looks at an empty inbox (in-process accepts wake us earlier)
DONE_RETENTION = 7 * 24 * 3600  # seconds finished rows are kept for the status page
PURGE_EVERY = 3600.0  # seconds


def backoff_delay(attempt: int, rng: Callable[[], float] = random.random) -> float:
    """Delay before the attempt after `attempt`: doubling from RETRY_BASE, capped, with jitter in [d/2, d]."""
    ceiling = min(RETRY_CAP, RETRY_BASE * 2.0 ** min(30, max(0, attempt - 1)))
    return ceiling * (0.5 + 0.5 * rng())


def describe_error(exc: BaseException) -> str:
    """Exception type and a truncated message with anything token-shaped masked (stored as last_error)."""
    return redact(f"{type(exc).__name__}: {exc}")[:ERROR_CHARS]


def worker_name(suffix: str = "") -> str:
    return f"{socket.gethostname()}:{os.getpid()}{suffix}"


class LeaseKeeper:
    """Renews a running job's lease every third of its length, so a short lease (fast recovery after a
    crash) never expires under a job that is merely slow."""

    def __init__(self, inbox: Inbox, job: Job, lease_seconds: float) -> None:
        self._inbox, self._job, self._lease = inbox, job, lease_seconds
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(self._lease / 3):
            try:
                if not self._inbox.renew(self._job, self._lease):
                    return  # the claim is gone (released at shutdown); the fenced result will not count
            except Exception:  # the store is briefly unreachable: the lease still has two thirds left
                log.warning("could not renew a lease", extra={"delivery_id": self._job.event.delivery_id})


def run_job(
    inbox: Inbox,
    job: Job,
    handle: Handle,
    *,
    lease_seconds: float | None = None,
    rng: Callable[[], float] = random.random,
) -> str:
    """Run one claimed job and record its outcome: done, retry, throttled, dead or lost (lease lost).

    With `lease_seconds`, the lease is renewed while the handler runs."""
    jlog = job_logger(job.event, attempt=job.attempt)
    started = time.perf_counter()
    outcome = "done"
    try:
        if lease_seconds is None:
            handle(job.event)
        else:
            with LeaseKeeper(inbox, job, lease_seconds):
                handle(job.event)
    except Throttled as exc:
        delay = max(0.0, exc.delay) + THROTTLE_JITTER * rng()
        inbox.retry(job, describe_error(exc), delay, consume_attempt=False)
        outcome = "throttled"
        JOB_RETRIES.labels("throttled").inc()
        jlog.info("throttled; next try in %.0f s", delay, extra={"delay": round(delay, 1)})
    except PermanentFailure as exc:
        inbox.dead(job, describe_error(exc))
        outcome = "dead"
    except Exception as exc:  # any other failure is worth another attempt, up to the limit
        delay = backoff_delay(job.attempt, rng)
        if isinstance(exc, RetryLater):
            delay = max(delay, exc.delay)
        state = inbox.retry(job, describe_error(exc), delay)
        outcome = "dead" if state == DEAD else "retry"
        if outcome == "retry":
            JOB_RETRIES.labels("error").inc()
            jlog.warning(
                "attempt failed (%s); next try in %.0f s",
                type(exc).__name__,
                delay,
                extra={"delay": round(delay, 1)},
            )
    else:
        if not inbox.complete(job):
            outcome = "lost"  # the lease expired and someone else has the row; their run counts
            jlog.warning("finished after losing the lease; result not recorded")
    if outcome == "dead":
        DEAD_LETTERS.inc()
        jlog.error("dead letter after %d attempt(s)", job.attempt, extra={"outcome": outcome})
    elapsed = time.perf_counter() - started
    JOB_LATENCY.labels(job.event.name, outcome).observe(elapsed)
    if outcome == "done":
        jlog.info("done", extra={"outcome": outcome, "duration_ms": round(elapsed * 1000, 1)})
    return outcome


class WorkerPool:
    """Threads that claim and run inbox jobs until `stop`."""

    def __init__(
        self,
        inbox: Inbox,
        handle: Handle,
        *,
        threads: int = 2,
        lease_seconds: float = 60.0,
        poll_interval: float = POLL_INTERVAL,
        name: str | None = None,
    ) -> None:
        self._inbox = inbox
        self._handle = handle
        self._threads_wanted = threads
        self._lease = lease_seconds
        self._poll = poll_interval
        self._name = name or worker_name()
        self._stopping = threading.Event()
        self._wakeup = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._in_flight: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._next_purge = 0.0

    def start(self) -> None:
        for index in range(self._threads_wanted):
            # Daemon threads: a handler stuck past the shutdown bound must not keep the process alive.
            thread = threading.Thread(
                target=self._loop, args=(f"{self._name}:{index}",), name=f"worker-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """A delivery was just committed: let an idle thread claim it now rather than at the next poll."""
        with self._wakeup:
            self._wakeup.notify()

    def stop(self, timeout: float = 20.0) -> bool:
        """Stop claiming; wait up to `timeout` s for in-flight jobs, then release the rest.

        Returns True when every in-flight job finished."""
        self._stopping.set()
        with self._wakeup:
            self._wakeup.notify_all()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            unfinished = list(self._in_flight.values())
        for job in unfinished:
            # Its handler is still running; releasing lets another worker redo it (side effects are
            # idempotent) and the fenced token stops this thread's late result from counting.
            self._inbox.release(job)
            log.warning("released unfinished job at shutdown", extra={"delivery_id": job.event.delivery_id})
        return not unfinished

    @property
    def in_flight(self) -> int:
        with self._lock:
            return len(self._in_flight)

    def _loop(self, claimer: str) -> None:
        while not self._stopping.is_set():
            try:
                self._maybe_purge()
                job = self._inbox.claim(claimer, self._lease)
            except Exception:  # the store is down: say so and try again later, do not die
                log.exception("could not claim from the inbox")
                self._stopping.wait(self._poll)
                continue
            if job is None:
                with self._wakeup:
                    if not self._stopping.is_set():
                        self._wakeup.wait(self._poll)
                continue
            with self._lock:
                self._in_flight[job.token] = job
            try:
                run_job(self._inbox, job, self._handle, lease_seconds=self._lease)
            except Exception:  # recording the outcome failed; the lease will expire and the job rerun
                log.exception("could not record a job outcome", extra={"delivery_id": job.event.delivery_id})
            finally:
                with self._lock:
                    self._in_flight.pop(job.token, None)

    def _maybe_purge(self) -> None:
        now = time.monotonic()
        with self._lock:
            if now < self._next_purge:
                return
            self._next_purge = now + PURGE_EVERY
        self._inbox.purge_done(DONE_RETENTION)


def wait_for_signal(stop: threading.Event | None = None) -> threading.Event:
    """Block the main thread until SIGTERM or SIGINT (or until `stop` is set elsewhere)."""
    stop = stop or threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: shutting down", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    while not stop.wait(1.0):
        pass
    return stop
