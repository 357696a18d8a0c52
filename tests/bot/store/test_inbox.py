"""The durable inbox on SQLite and PostgreSQL: dedupe, claims with leases, retries, dead letters."""

from __future__ import annotations

import json
import multiprocessing
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from bot.cli.main import main as run_cli
from bot.events import Envelope, Event
from bot.store.inbox import DEAD, DONE, PENDING, RUNNING, Inbox, open_inbox
from bot.web.webhook import GroupCommit


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def event(delivery_id: str, action: str = "opened") -> Envelope:
    payload = {"action": action, "repository": {"full_name": "octo/repo"}, "installation": {"id": 7}}
    return Envelope("issues", action, delivery_id, 7, "octo/repo", json.dumps(payload))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def inbox(database_url: str, clock: Clock) -> Iterator[Inbox]:
    store = open_inbox(database_url, max_attempts=3)
    store = Inbox(store.engine, max_attempts=3, clock=clock)
    yield store
    store.engine.dispose()


def test_accept_then_duplicate(inbox: Inbox) -> None:
    assert inbox.accept(event("d1")) == "accepted"
    assert inbox.accept(event("d1")) == "duplicate"
    assert inbox.stats().counts[PENDING] == 1


def test_accept_many_marks_second_copy_in_a_batch_as_duplicate(inbox: Inbox) -> None:
    inbox.accept(event("old"))
    results = inbox.accept_many([event("a"), event("old"), event("a"), event("b")])
    assert results == ["accepted", "duplicate", "duplicate", "accepted"]
    assert inbox.stats().counts[PENDING] == 3


def test_claim_returns_the_event_and_complete_finishes_it(inbox: Inbox) -> None:
    inbox.accept(event("d1"))
    job = inbox.claim("w1", lease_seconds=30)
    assert job is not None
    payload = {"action": "opened", "repository": {"full_name": "octo/repo"}, "installation": {"id": 7}}
    assert job.event == Event("issues", "opened", "d1", 7, payload)
    assert job.attempt == 1
    assert inbox.claim("w2", lease_seconds=30) is None  # leased: nobody else gets it
    assert inbox.complete(job)
    assert inbox.get("d1").state == DONE  # type: ignore[union-attr]
    assert inbox.claim("w2", lease_seconds=30) is None


def test_claim_by_id_only_takes_that_row(inbox: Inbox) -> None:
    inbox.accept_many([event("a"), event("b")])
    job = inbox.claim("w", 30, delivery_id="b")
    assert job is not None and job.event.delivery_id == "b"
    assert inbox.claim("w", 30, delivery_id="b") is None


def test_expired_lease_is_claimed_again_and_old_claim_is_fenced(inbox: Inbox, clock: Clock) -> None:
    inbox.accept(event("d1"))
    first = inbox.claim("crashed", lease_seconds=30)
    assert first is not None
    clock.now += 31
    second = inbox.claim("rescuer", lease_seconds=30)
    assert second is not None and second.attempt == 2
    assert not inbox.complete(first)  # the crashed worker's late result does not count
    assert inbox.get("d1").state == RUNNING  # type: ignore[union-attr]
    assert inbox.complete(second)


def test_retry_waits_for_delay_then_dead_letters_after_max_attempts(inbox: Inbox, clock: Clock) -> None:
    inbox.accept(event("d1"))
    for attempt in (1, 2):
        job = inbox.claim("w", 30)
        assert job is not None and job.attempt == attempt
        assert inbox.retry(job, "RuntimeError: boom", delay=60) == PENDING
        assert inbox.claim("w", 30) is None  # not before the delay
        clock.now += 61
    job = inbox.claim("w", 30)
    assert job is not None and job.attempt == 3
    assert inbox.retry(job, "RuntimeError: boom", delay=60) == DEAD
    letters = inbox.dead_letters()
    assert [(d.delivery_id, d.attempts, d.last_error) for d in letters] == [("d1", 3, "RuntimeError: boom")]


def test_throttle_does_not_consume_an_attempt(inbox: Inbox, clock: Clock) -> None:
    inbox.accept(event("d1"))
    for _ in range(5):
        job = inbox.claim("w", 30)
        assert job is not None and job.attempt == 1
        inbox.retry(job, "Throttled", delay=10, consume_attempt=False)
        clock.now += 11
    assert inbox.get("d1").state == PENDING  # type: ignore[union-attr]


def test_release_gives_the_row_back_without_counting(inbox: Inbox) -> None:
    inbox.accept(event("d1"))
    job = inbox.claim("w", 30)
    assert job is not None and inbox.release(job)
    again = inbox.claim("w", 30)
    assert again is not None and again.attempt == 1


def test_lease_expiring_past_max_attempts_dead_letters(inbox: Inbox, clock: Clock) -> None:
    inbox.accept(event("d1"))
    for _ in range(3):
        assert inbox.claim("w", 30) is not None
        clock.now += 31  # the worker "crashes" every time
    assert inbox.claim("w", 30) is None
    (letter,) = inbox.dead_letters()
    assert letter.delivery_id == "d1" and "lease expired" in (letter.last_error or "")


def test_requeue_dead_letters(inbox: Inbox) -> None:
    inbox.accept_many([event("a"), event("b"), event("c")])
    for _ in range(3):
        job = inbox.claim("w", 30)
        assert job is not None
        inbox.dead(job, "PermanentFailure: gone")
    assert inbox.requeue(["a", "missing"]) == 1
    assert inbox.get("a").state == PENDING  # type: ignore[union-attr]
    assert inbox.requeue() == 2
    assert inbox.stats().counts == {PENDING: 3, RUNNING: 0, DONE: 0, DEAD: 0}
    job = inbox.claim("w", 30)
    assert job is not None and job.attempt == 1


def test_stats_report_depth_and_oldest_age(inbox: Inbox, clock: Clock) -> None:
    assert inbox.stats().oldest_age is None
    inbox.accept(event("a"))
    clock.now += 5
    inbox.accept(event("b"))
    clock.now += 5
    stats = inbox.stats()
    assert stats.counts[PENDING] == 2 and stats.oldest_age == pytest.approx(10)


def test_due_for_enqueue_marks_rows_once_until_requeue_after(inbox: Inbox, clock: Clock) -> None:
    inbox.accept_many([event("a"), event("b")])
    assert sorted(inbox.due_for_enqueue(requeue_after=60)) == ["a", "b"]
    assert inbox.due_for_enqueue(requeue_after=60) == []
    job = inbox.claim("w", lease_seconds=30, delivery_id="a")
    assert job is not None
    clock.now += 61  # a's lease expired (worker died), b was never picked up
    assert sorted(inbox.due_for_enqueue(requeue_after=60)) == ["a", "b"]


def test_purge_done_removes_only_old_finished_rows(inbox: Inbox, clock: Clock) -> None:
    inbox.accept_many([event("a"), event("b")])
    job = inbox.claim("w", 30, delivery_id="a")
    assert job is not None and inbox.complete(job)
    clock.now += 100
    assert inbox.purge_done(older_than=50) == 1
    assert inbox.get("a") is None and inbox.get("b") is not None


def test_group_commit_from_many_threads(inbox: Inbox) -> None:
    commit = GroupCommit(inbox, max_batch=8)
    results: list[str] = []
    lock = threading.Lock()

    def send(i: int) -> None:
        outcome = commit.accept(event(f"d{i % 40}"))
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(80)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("accepted") == 40 and results.count("duplicate") == 40
    assert inbox.stats().counts[PENDING] == 40


def _claim_all(url: str, name: str, start: Any, queue: multiprocessing.Queue[list[str]]) -> None:
    store = open_inbox(url)
    store.ping()  # connect before the race starts
    start.wait(timeout=60)
    claimed = []
    while (job := store.claim(name, lease_seconds=300)) is not None:
        claimed.append(job.event.delivery_id)
        store.complete(job)
    store.engine.dispose()
    queue.put(claimed)


@pytest.mark.slow  # several processes
def test_concurrent_processes_never_claim_the_same_row(database_url: str) -> None:
    store = open_inbox(database_url)
    ids = [f"d{i}" for i in range(200)]
    store.accept_many([event(i) for i in ids])
    store.engine.dispose()
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[list[str]] = context.Queue()
    start = context.Barrier(4)
    workers = [context.Process(target=_claim_all, args=(database_url, f"p{n}", start, queue)) for n in range(4)]
    for worker in workers:
        worker.start()
    claimed = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    everything = [delivery for part in claimed for delivery in part]
    assert sorted(everything) == sorted(ids)  # each row exactly once: none lost, none twice
    assert sum(1 for part in claimed if part) >= 2  # the processes really did compete


def test_dead_letters_cli_lists_and_retries(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_inbox(sqlite_url)
    store.accept_many([event("a"), event("b"), event("c")])
    for _ in range(2):
        job = store.claim("w", 30)
        assert job is not None
        store.dead(job, "PermanentFailure: repository gone")
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert run_cli(["dead-letters", "list"]) == 0
    listed = capsys.readouterr().out
    assert listed.count("issues.opened") == 2 and "repository gone" in listed
    dead_id = store.dead_letters()[0].delivery_id
    assert run_cli(["dead-letters", "retry", dead_id]) == 0
    assert store.get(dead_id).state == PENDING  # type: ignore[union-attr]
    assert run_cli(["dead-letters", "retry", "no-such-id"]) == 1
    assert run_cli(["dead-letters", "retry"]) == 2
    assert run_cli(["dead-letters", "retry", "--all"]) == 0
    assert store.dead_letters() == []
    store.engine.dispose()


def test_an_envelope_is_stored_as_received_and_claimed_trimmed(inbox: Inbox) -> None:
    # "\u0000" inside a JSON string is valid JSON; PostgreSQL text cannot hold the NUL it decodes to,
    # so the body must be stored as the text GitHub sent, not re-serialised.
    body = (
        '{"action":"opened","issue":{"title":"nul \\u0000 here","events_url":"https://api/e"},'
        '"repository":{"full_name":"octo/repo"},"installation":{"id":7},"enterprise":{"id":1}}'
    )
    envelope = Envelope("issues", "opened", "raw-1", 7, "octo/repo", body)
    assert inbox.accept_many([envelope, envelope]) == ["accepted", "duplicate"]
    delivery = inbox.get("raw-1")
    assert delivery is not None
    assert (delivery.event, delivery.action, delivery.repo) == ("issues", "opened", "octo/repo")
    job = inbox.claim("w", 30)
    assert job is not None
    assert job.event.payload == {
        "action": "opened",
        "issue": {"title": "nul \u0000 here"},
        "repository": {"full_name": "octo/repo"},
        "installation": {"id": 7},
    }
