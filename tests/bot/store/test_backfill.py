"""The backfill's cursor and decided issues, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.store.backfill import BackfilledIssue, BackfillStore, parse_time
from bot.store.engine import create_schema, make_engine


@pytest.fixture
def store(database_url: str) -> Iterator[BackfillStore]:
    engine = make_engine(database_url)
    create_schema(engine)
    yield BackfillStore(engine)
    engine.dispose()


def issue(number: int, mode: str = "dry-run", **fields: object) -> BackfilledIssue:
    values: dict[str, object] = dict(
        repo="octo/app", mode=mode, issue_number=number, title=f"issue {number}",
        html_url=f"https://github.com/octo/app/issues/{number}", author="alice", state="closed",
        issue_labels=("gpu",), created_at=datetime(2024, 3, 1, 12, tzinfo=UTC),
        closed_at=datetime(2024, 3, 4, 8, tzinfo=UTC), outcome="labeled", why="labeled",
        category="hardware-resources", tier="comment", predicted="hardware-resources",
        labels=("pre-trained model", "ptm: hardware"), ptm_score=0.99, category_score=0.97,
    )
    values.update(fields)
    return BackfilledIssue(**values)  # type: ignore[arg-type]


def test_a_run_resumes_at_its_cursor_and_knows_what_it_decided(store: BackfillStore) -> None:
    assert store.cursor("octo/app", "dry-run") is None
    cursor = store.start("octo/app", "dry-run", state="all", since="2024-01-01T00:00:00Z")
    store.record(issue(1))
    store.record(issue(2, outcome="abstained", why="not-ptm", category=None, tier=None, labels=()))
    store.record(issue(2, outcome="abstained", why="not-ptm", category=None, tier=None, labels=()))  # a retry
    store.advance(cursor, next_page=2, finished=False)

    again = store.cursor("octo/app", "dry-run")
    assert again is not None and (again.next_page, again.finished, again.since) == (2, False, "2024-01-01T00:00:00Z")
    assert store.decided("octo/app", "dry-run", [1, 2, 3]) == {1, 2}
    assert store.decided("octo/app", "apply", [1, 2, 3]) == frozenset()  # each mode has its own run
    assert [i.issue_number for i in store.issues("octo/app", "dry-run")] == [1, 2]
    assert store.issues("octo/app", "dry-run")[0] == issue(1)  # every field round-trips, times in UTC


def test_starting_over_forgets_only_that_modes_issues(store: BackfillStore) -> None:
    store.start("octo/app", "dry-run", state="open", since=None)
    store.start("octo/app", "apply", state="open", since=None)
    store.record(issue(1))
    store.record(issue(1, mode="apply"))
    cursor = store.start("octo/app", "dry-run", state="open", since=None)
    assert (cursor.next_page, cursor.finished) == (1, False)
    assert store.issues("octo/app", "dry-run") == []
    assert len(store.issues("octo/app", "apply")) == 1


def test_parse_time() -> None:
    assert parse_time("2024-05-01T12:00:00Z") == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert parse_time(None) is None and parse_time("yesterday") is None
