"""The webhook WSGI endpoint and its group commit: a 202 only once the row is committed."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.events import Envelope, Event
from bot.settings import Settings
from bot.store.inbox import Accepted, Inbox, open_inbox
from bot.web.app import create_app
from bot.web.verify import sign
from bot.web.webhook import WEBHOOK_PATH, GroupCommit

SECRET = "webhook-test-secret"
BODY = json.dumps(
    {
        "action": "opened",
        "issue": {"number": 3, "title": "OOM", "comments_url": "https://api/c"},
        "repository": {"full_name": "octo/repo"},
        "installation": {"id": 5},
    }
).encode()


def settings(database_url: str = "sqlite://") -> Settings:
    return Settings(app_id=None, private_key=None, webhook_secret=SECRET, database_url=database_url, dry_run=True)


def headers(delivery: str, body: bytes = BODY) -> dict[str, str]:
    return {
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(SECRET, body),
        "Content-Type": "application/json",
    }


class GatedStore:
    """A store whose commits wait for the test to open the gate; records what was committed."""

    def __init__(self, fail: bool = False) -> None:
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.batches: list[list[str]] = []
        self.fail = fail

    def accept_many(self, events: Sequence[Event | Envelope]) -> list[Accepted]:
        self.entered.set()
        self.gate.wait(10)
        if self.fail:
            raise OSError("disk full")
        self.batches.append([event.delivery_id for event in events])
        return ["accepted"] * len(events)


def app_on(store: object) -> Flask:
    return create_app(settings(), inbox=store, handles=lambda name, action: name == "issues")  # type: ignore[arg-type]


def test_202_is_sent_only_after_the_commit_returns() -> None:
    store = GatedStore()
    client = app_on(store).test_client()
    answers: list[int] = []
    request = threading.Thread(
        target=lambda: answers.append(client.post(WEBHOOK_PATH, data=BODY, headers=headers("g-1")).status_code)
    )
    request.start()
    assert store.entered.wait(10)
    request.join(0.2)
    assert request.is_alive() and answers == []  # still waiting for the commit: no answer yet
    store.gate.set()
    request.join(10)
    assert answers == [202] and store.batches == [["g-1"]]


def test_a_failed_commit_is_503_never_202() -> None:
    store = GatedStore(fail=True)
    store.gate.set()
    response = app_on(store).test_client().post(WEBHOOK_PATH, data=BODY, headers=headers("f-1"))
    assert response.status_code == 503 and response.get_json()["status"] == "unavailable"


@pytest.fixture
def client(inbox: Inbox, sqlite_url: str) -> FlaskClient:
    return create_app(settings(sqlite_url), inbox=inbox, handles=lambda n, a: True).test_client()


def test_after_a_202_another_connection_sees_the_row(client: FlaskClient, sqlite_url: str) -> None:
    assert client.post(WEBHOOK_PATH, data=BODY, headers=headers("c-1")).status_code == 202
    other = open_inbox(sqlite_url)  # a separate engine: it only sees committed rows
    try:
        row = other.get("c-1")
        assert row is not None and (row.event, row.action, row.repo) == ("issues", "opened", "octo/repo")
    finally:
        other.engine.dispose()


def test_the_body_is_stored_as_received_and_trimmed_when_claimed(client: FlaskClient, inbox: Inbox) -> None:
    assert client.post(WEBHOOK_PATH, data=BODY, headers=headers("s-1")).status_code == 202
    with inbox.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT payload FROM inbox WHERE delivery_id = 's-1'").scalar_one()
    assert stored == BODY.decode()
    job = inbox.claim("w", 30)
    assert job is not None and job.event.installation_id == 5
    assert "comments_url" not in job.event.payload["issue"]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_on_the_webhook_path_are_405(client: FlaskClient, method: str) -> None:
    response = client.open(WEBHOOK_PATH, method=method)
    assert response.status_code == 405 and response.headers["Allow"] == "POST"


@pytest.mark.parametrize("length", ["abc", "-5", str(len(BODY) + 10)])
def test_a_content_length_that_does_not_match_is_400(client: FlaskClient, inbox: Inbox, length: str) -> None:
    response = client.post(
        WEBHOOK_PATH, data=BODY, headers=headers("l-1"), environ_overrides={"CONTENT_LENGTH": length}
    )
    assert response.status_code == 400
    assert inbox.get("l-1") is None


def test_other_paths_are_served_by_flask(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/no-such-page").status_code == 404


def envelope(delivery_id: str) -> Envelope:
    return Envelope("issues", "opened", delivery_id, 1, "o/r", "{}")


def test_group_commit_failure_reaches_every_waiter_and_the_next_batch_still_commits() -> None:
    class FlakyStore:
        def __init__(self) -> None:
            self.calls = 0

        def accept_many(self, events: Sequence[Event | Envelope]) -> list[Accepted]:
            self.calls += 1
            if self.calls == 1:
                raise OSError("disk full")
            return ["accepted"] * len(events)

    commit = GroupCommit(FlakyStore())
    with pytest.raises(OSError):
        commit.accept(envelope("a"))
    assert commit.accept(envelope("b")) == "accepted"


def test_group_commit_batches_waiters_behind_a_slow_commit() -> None:
    store = GatedStore()
    commit = GroupCommit(store)
    results: dict[str, str] = {}

    def send(delivery_id: str) -> None:
        results[delivery_id] = commit.accept(envelope(delivery_id))

    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert store.entered.wait(10)  # the first commit is in progress; the next ones queue behind it
    rest = [threading.Thread(target=send, args=(f"d{i}",)) for i in range(5)]
    for thread in rest:
        thread.start()
    while len(commit._queue) < 5:  # all five are waiting for their turn
        threading.Event().wait(0.01)
    store.gate.set()
    for thread in [first, *rest]:
        thread.join(10)
    assert results == {name: "accepted" for name in ["first", "d0", "d1", "d2", "d3", "d4"]}
    first_batch, second_batch = store.batches  # the five waiters shared one commit
    assert first_batch == ["first"] and sorted(second_batch) == [f"d{i}" for i in range(5)]
