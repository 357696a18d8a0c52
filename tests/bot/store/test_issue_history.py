"""The open/close history: merged writes, kept classifications, and times as aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store.decisions import Records
from bot.store.issue_history import HistoryRow, forget_issue, load_history, parse_time, record_issue

OPENED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_open_then_close_keeps_the_classification(records: Records) -> None:
    record_issue(records.engine, HistoryRow("octo/app", 1, OPENED, ptm=True, category="hardware-resources"))
    closed = OPENED + timedelta(days=3, hours=12)
    record_issue(records.engine, HistoryRow("octo/app", 1, OPENED, closed, "closed"))  # a close knows no class
    [row] = load_history(records.engine, "octo/app")
    assert (row.state, row.ptm, row.category) == ("closed", True, "hardware-resources")
    assert row.created_at == OPENED and row.closed_at == closed
    assert row.days_to_close == 3.5


def test_reopen_clears_the_close(records: Records) -> None:
    record_issue(records.engine, HistoryRow("octo/app", 1, OPENED, OPENED + timedelta(days=1), "closed", False))
    record_issue(records.engine, HistoryRow("octo/app", 1, OPENED, OPENED + timedelta(days=1), "open"))
    [row] = load_history(records.engine)
    assert row.state == "open" and row.closed_at is None and row.days_to_close is None
    assert row.ptm is False


def test_a_new_classification_wins(records: Records) -> None:
    record_issue(records.engine, HistoryRow("octo/app", 1, OPENED, ptm=False))
    record_issue(records.engine, HistoryRow("octo/app", 1, OPENED, ptm=True, category="model-usage", source="backfill"))
    [row] = load_history(records.engine)
    assert (row.ptm, row.category, row.source) == (True, "model-usage", "backfill")


def test_category_only_for_ptm_issues(records: Records) -> None:
    record_issue(records.engine, HistoryRow("octo/app", 1, OPENED, ptm=False, category="model-usage"))
    assert load_history(records.engine)[0].category is None


def test_per_repository_and_forget(records: Records) -> None:
    for repo, number in (("octo/b", 2), ("octo/a", 9), ("octo/a", 1)):
        record_issue(records.engine, HistoryRow(repo, number, OPENED))
    assert [(r.repo, r.number) for r in load_history(records.engine)] == [("octo/a", 1), ("octo/a", 9), ("octo/b", 2)]
    forget_issue(records.engine, "octo/a", 9)
    assert [r.number for r in load_history(records.engine, "octo/a")] == [1]


def test_parse_time() -> None:
    assert parse_time("2024-05-01T12:00:00Z") == OPENED
    assert parse_time("2024-05-01T14:00:00+02:00") == OPENED
    assert parse_time("") is None and parse_time(None) is None and parse_time("yesterday") is None
