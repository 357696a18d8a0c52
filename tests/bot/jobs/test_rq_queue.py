"""Scale-out mode on a real Redis: RQ runs the jobs, the inbox stays the truth, nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.events import Envelope
from bot.jobs.rq_queue import (
    JobContext,
    Sweeper,
    connect,
    install_job_context,
    make_queue,
    run_delivery,
    run_rq_worker,
)
from bot.store.inbox import DONE, Inbox, open_inbox

pytestmark = pytest.mark.redis


def event(delivery_id: str) -> Envelope:
    return Envelope("issues", "opened", delivery_id, 1, None, '{"action":"opened"}')


@pytest.fixture
def inbox(database_url: str) -> Iterator[Inbox]:
    store = open_inbox(database_url)
    yield store
    store.engine.dispose()


@pytest.fixture
def handled() -> Iterator[list[str]]:
    seen: list[str] = []
    yield seen
    install_job_context(None)


def test_sweeper_hands_rows_to_rq_and_rq_runs_them(inbox: Inbox, redis_url: str, handled: list[str]) -> None:
    install_job_context(JobContext(inbox, lambda e: handled.append(e.delivery_id), lease_seconds=30))
    connection = connect(redis_url)
    sweeper = Sweeper(inbox, make_queue(connection))
    inbox.accept_many([event(f"d{i}") for i in range(10)])
    assert sweeper.sweep_once() == 10
    assert sweeper.sweep_once() == 0  # not handed over twice while RQ has them
    run_rq_worker(connection, burst=True)
    assert sorted(handled) == sorted(f"d{i}" for i in range(10))
    assert inbox.stats().counts[DONE] == 10


def test_a_job_for_a_finished_row_does_nothing(inbox: Inbox, handled: list[str]) -> None:
    install_job_context(JobContext(inbox, lambda e: handled.append(e.delivery_id), lease_seconds=30))
    inbox.accept(event("a"))
    assert run_delivery("a") == "done"
    assert run_delivery("a") == "skipped"  # a duplicate RQ job (re-enqueue, redelivery) is harmless
    assert handled == ["a"]


CHILD = textwrap.dedent(
    """
    import sys, time, pathlib
    from bot.store.inbox import open_inbox
    from bot.jobs.rq_queue import JobContext, connect, install_job_context, run_rq_worker
    db_url, redis_url, marker = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    def handle(event):
        marker.write_text(event.delivery_id)
        time.sleep(600)  # stuck until killed
    install_job_context(JobContext(open_inbox(db_url), handle, lease_seconds=1))
    run_rq_worker(connect(redis_url))
    """
)


@pytest.mark.slow  # kills a worker process
def test_killing_an_rq_worker_mid_job_loses_nothing(
    inbox: Inbox, database_url: str, redis_url: str, handled: list[str], tmp_path: Path
) -> None:
    ids = [f"d{i}" for i in range(5)]
    inbox.accept_many([event(i) for i in ids])
    connection = connect(redis_url)
    sweeper = Sweeper(inbox, make_queue(connection), requeue_after=0.0)
    assert sweeper.sweep_once() == 5
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database_url, redis_url, str(marker)], cwd=os.getcwd()
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert time.monotonic() < deadline and child.poll() is None, "RQ worker never started a job"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        child.kill()
    stuck = marker.read_text()
    assert inbox.get(stuck).state == "running"  # type: ignore[union-attr]
    time.sleep(1.1)  # let the dead worker's 1 s lease expire
    assert stuck in inbox.due_for_enqueue(requeue_after=0.0)  # the sweeper sees the expired lease
    with inbox.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE inbox SET enqueued_at = NULL")
    assert sweeper.sweep_once() >= 1  # ... and hands it to RQ again
    install_job_context(JobContext(inbox, lambda e: handled.append(e.delivery_id), lease_seconds=30))
    run_rq_worker(connection, burst=True)
    assert sorted(set(handled)) == sorted(ids)
    assert stuck in handled
    assert inbox.stats().counts == {"pending": 0, "running": 0, "done": 5, "dead": 0}
