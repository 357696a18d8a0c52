"""The config_status table on both stores: one row per repository, upserted, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store.config_status import MAX_ERROR_CHARS, ConfigStatus, ConfigStatusStore
from bot.store.engine import create_schema, make_engine

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_record_get_and_list(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine)
    store = ConfigStatusStore(engine)
    assert store.get("octo/app") is None

    store.record("octo/app", True, None, "octo/app:.github/ptm-triage.yml", sha="a" * 40, now=T0)
    store.record("octo/lib", True, None, "defaults", now=T0 + timedelta(minutes=1))
    store.record(
        "octo/app",
        False,
        "enabled: expected true or false, got 3",
        "octo/app:.github/ptm-triage.yml",
        now=T0 + timedelta(minutes=2),
    )

    app = store.get("octo/app")
    assert app == ConfigStatus(
        repo="octo/app",
        ok=False,
        error="enabled: expected true or false, got 3",
        source="octo/app:.github/ptm-triage.yml",
        sha="a" * 40,  # kept: the last push that changed the file
        updated_at=T0 + timedelta(minutes=2),
    )
    assert [s.repo for s in store.recent()] == ["octo/app", "octo/lib"]
    assert [s.repo for s in store.recent(failing_only=True)] == ["octo/app"]
    assert [s.repo for s in store.recent(limit=1)] == ["octo/app"]
    engine.dispose()


def test_long_errors_are_cut(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine)
    store = ConfigStatusStore(engine)
    store.record("octo/app", False, "x" * (MAX_ERROR_CHARS * 2), "octo/app:.github/ptm-triage.yml")
    status = store.get("octo/app")
    assert status is not None and status.error is not None and len(status.error) == MAX_ERROR_CHARS
    assert status.updated_at.tzinfo is not None
    engine.dispose()
