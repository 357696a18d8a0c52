"""Workers: outcome mapping, backoff, the thread pool, and graceful shutdown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.errors import PermanentFailure, RetryLater, Throttled
from bot.events import Envelope, Event
from bot.jobs.worker import RETRY_BASE, RETRY_CAP, WorkerPool, backoff_delay, describe_error, run_job
from bot.observability import DEAD_LETTERS
from bot.store.inbox import DEAD, DONE, PENDING, Inbox, Job, open_inbox


def event(delivery_id: str) -> Envelope:
    body = json.dumps({"action": "opened", "repository": {"full_name": "o/r"}})
    return Envelope("issues", "opened", delivery_id, 1, "o/r", body)


@pytest.fixture
def inbox(sqlite_url: str) -> Iterator[Inbox]:
    store = open_inbox(sqlite_url, max_attempts=3)
    yield store
    store.engine.dispose()


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.01)


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    assert backoff_delay(1, rng=lambda: 1.0) == RETRY_BASE
    assert backoff_delay(3, rng=lambda: 1.0) == RETRY_BASE * 4
    assert backoff_delay(3, rng=lambda: 0.0) == RETRY_BASE * 2  # jitter spans [d/2, d]
    assert backoff_delay(50, rng=lambda: 1.0) == RETRY_CAP


def test_describe_error_masks_tokens() -> None:
    text = describe_error(RuntimeError("401 for token ghs_" "abcdefghijklmnopqrstuvwxyz0123 at /repos"))
    assert text.startswith("RuntimeError:") and "ghs_" not in text


def claim(inbox: Inbox) -> Job:
    job = inbox.claim("t", 30)
    assert job is not None
    return job


def available_at(inbox: Inbox) -> float:
    with inbox.engine.connect() as conn:
        return float(conn.exec_driver_sql("SELECT available_at FROM inbox").scalar_one())


def fails_with(exc: Exception) -> Callable[[Event], None]:
    def handle(_event: Event) -> None:
        raise exc

    return handle


def test_success_marks_done(inbox: Inbox) -> None:
    inbox.accept(event("a"))
    seen: list[str] = []
    assert run_job(inbox, claim(inbox), lambda e: seen.append(e.delivery_id)) == "done"
    assert seen == ["a"] and inbox.get("a").state == DONE  # type: ignore[union-attr]


def test_error_schedules_a_retry_with_backoff(inbox: Inbox) -> None:
    inbox.accept(event("a"))
    before = time.time()
    assert run_job(inbox, claim(inbox), fails_with(RuntimeError("boom")), rng=lambda: 1.0) == "retry"
    row = inbox.get("a")
    assert row is not None and row.state == PENDING and row.last_error == "RuntimeError: boom"
    assert inbox.claim("t", 30) is None  # waiting for the backoff
    assert available_at(inbox) >= before + RETRY_BASE


def test_retry_later_waits_at_least_its_delay(inbox: Inbox) -> None:
    inbox.accept(event("a"))
    before = time.time()
    run_job(inbox, claim(inbox), fails_with(RetryLater("502", delay=900)))
    assert available_at(inbox) >= before + 900


def test_throttled_keeps_the_attempt(inbox: Inbox) -> None:
    inbox.accept(event("a"))
    assert run_job(inbox, claim(inbox), fails_with(Throttled("secondary limit", delay=0))) == "throttled"
    with inbox.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE inbox SET available_at = 0")
    job = inbox.claim("t", 30)
    assert job is not None and job.attempt == 1


def test_permanent_failure_dead_letters_at_once(inbox: Inbox) -> None:
    inbox.accept(event("a"))
    before = DEAD_LETTERS._value.get()
    assert run_job(inbox, claim(inbox), fails_with(PermanentFailure("repo gone"))) == "dead"
    assert inbox.get("a").state == DEAD  # type: ignore[union-attr]
    assert DEAD_LETTERS._value.get() == before + 1


def test_last_attempt_failure_dead_letters(inbox: Inbox) -> None:
    inbox.accept(event("a"))
    outcomes = []
    for _ in range(3):
        with inbox.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE inbox SET available_at = 0")
        outcomes.append(run_job(inbox, claim(inbox), fails_with(ValueError("poison"))))
    assert outcomes == ["retry", "retry", "dead"]
    assert [d.delivery_id for d in inbox.dead_letters()] == ["a"]


def test_pool_processes_everything_and_stops_cleanly(inbox: Inbox) -> None:
    seen: list[str] = []
    lock = threading.Lock()

    def handle(e: Event) -> None:
        with lock:
            seen.append(e.delivery_id)

    pool = WorkerPool(inbox, handle, threads=3, lease_seconds=30, poll_interval=0.05)
    pool.start()
    inbox.accept_many([event(f"d{i}") for i in range(30)])
    pool.wake()
    wait_until(lambda: inbox.stats().counts[DONE] == 30)
    assert pool.stop(timeout=10)
    assert sorted(seen) == sorted(f"d{i}" for i in range(30))  # each exactly once


def test_shutdown_waits_for_an_in_flight_job(inbox: Inbox) -> None:
    started, release = threading.Event(), threading.Event()

    def handle(_e: Event) -> None:
        started.set()
        release.wait(10)

    pool = WorkerPool(inbox, handle, threads=1, lease_seconds=30, poll_interval=0.05)
    pool.start()
    inbox.accept(event("a"))
    assert started.wait(10)
    threading.Timer(0.05, release.set).start()
    assert pool.stop(timeout=10)  # waited for the job instead of abandoning it
    assert inbox.get("a").state == DONE  # type: ignore[union-attr]


def test_shutdown_releases_a_job_that_does_not_finish_in_time(inbox: Inbox) -> None:
    started, release = threading.Event(), threading.Event()

    def handle(_e: Event) -> None:
        started.set()
        release.wait(10)

    pool = WorkerPool(inbox, handle, threads=1, lease_seconds=300, poll_interval=0.05)
    pool.start()
    inbox.accept(event("a"))
    assert started.wait(10)
    assert not pool.stop(timeout=0.1)
    row = inbox.get("a")
    assert row is not None and row.state == PENDING and row.attempts == 0  # claimable again at once
    release.set()
    wait_until(lambda: pool.in_flight == 0)
    assert inbox.get("a").state == PENDING  # type: ignore[union-attr]  # the late finish did not count


CHILD = textwrap.dedent(
    """
    import sys, time, pathlib
    from bot.store.inbox import open_inbox
    from bot.jobs.worker import WorkerPool, wait_for_signal
    url, marker = sys.argv[1], pathlib.Path(sys.argv[2])
    inbox = open_inbox(url)
    def handle(event):
        marker.write_text("running")
        time.sleep(0.5)
    pool = WorkerPool(inbox, handle, threads=1, lease_seconds=30, poll_interval=0.05)
    pool.start()
    wait_for_signal()
    sys.exit(0 if pool.stop(timeout=10) else 3)
    """
)


@pytest.mark.slow  # a worker in its own process
def test_sigterm_finishes_the_running_job_then_exits(inbox: Inbox, sqlite_url: str, tmp_path: Path) -> None:
    inbox.accept_many([event("a"), event("b")])
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", CHILD, sqlite_url, str(marker)], cwd=os.getcwd())
    try:
        wait_until(marker.exists)
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=30) == 0
    finally:
        child.kill()
    # the in-flight job finished; nothing new was claimed after SIGTERM
    assert sorted(d.state for d in inbox.recent()) == [DONE, PENDING]


HANGING_CHILD = textwrap.dedent(
    """
    import sys, time, pathlib
    from bot.store.inbox import open_inbox
    from bot.jobs.worker import WorkerPool
    url, marker = sys.argv[1], pathlib.Path(sys.argv[2])
    def handle(event):
        marker.write_text(event.delivery_id)
        time.sleep(600)  # stuck until killed
    WorkerPool(open_inbox(url), handle, threads=1, lease_seconds=1, poll_interval=0.05).start()
    time.sleep(600)
    """
)


@pytest.mark.slow  # a worker in its own process
def test_kill_9_mid_job_loses_nothing(inbox: Inbox, sqlite_url: str, tmp_path: Path) -> None:
    ids = [f"d{i}" for i in range(5)]
    inbox.accept_many([event(i) for i in ids])
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", HANGING_CHILD, sqlite_url, str(marker)], cwd=os.getcwd())
    try:
        wait_until(marker.exists)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        child.kill()
    stuck = marker.read_text()
    seen: list[str] = []
    pool = WorkerPool(inbox, lambda e: seen.append(e.delivery_id), threads=1, lease_seconds=30, poll_interval=0.05)
    pool.start()
    wait_until(lambda: inbox.stats().counts[DONE] == 5)  # the stuck row comes back once its 1 s lease expires
    assert pool.stop(timeout=10)
    assert sorted(seen) == ids and stuck in seen


def test_a_slow_job_keeps_its_lease_and_runs_once(inbox: Inbox) -> None:
    """The lease is renewed while the handler runs: no other worker can claim it, even past the lease."""
    inbox.accept(event("slow"))
    job = inbox.claim("first", 1.2)
    assert job is not None
    stolen: list[Job | None] = []

    def slow(_event: Event) -> None:
        time.sleep(2.0)  # well past the 1.2 s lease
        stolen.append(inbox.claim("second", 1.2))

    assert run_job(inbox, job, slow, lease_seconds=1.2) == "done"
    assert stolen == [None]
    assert inbox.get("slow").state == DONE  # type: ignore[union-attr]


def test_without_renewal_an_expired_lease_is_claimed_again(inbox: Inbox) -> None:
    """What the renewal protects against (and what recovers a crashed worker's jobs)."""
    inbox.accept(event("crashed"))
    assert inbox.claim("first", 0.2) is not None
    time.sleep(0.3)
    again = inbox.claim("second", 30)
    assert again is not None and again.event.delivery_id == "crashed"


def test_renewal_stops_counting_once_the_claim_is_released(inbox: Inbox) -> None:
    inbox.accept(event("released"))
    job = claim(inbox)
    assert inbox.renew(job, 30)
    assert inbox.release(job)
    assert not inbox.renew(job, 30)
