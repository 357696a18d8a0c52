"""A store created by an older release gains the columns added since, in place, and keeps its rows."""

from __future__ import annotations

from sqlalchemy import inspect, text

from bot.store.engine import create_schema, make_engine
from bot.store.schema_upgrade import add_missing_columns


def test_missing_nullable_columns_are_added(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine)
    with engine.begin() as conn:  # as an older release left it
        for column in ("title", "tier", "comment"):
            conn.execute(text(f"ALTER TABLE triage_decisions DROP COLUMN {column}"))
        conn.execute(text("ALTER TABLE config_status DROP COLUMN valid_config"))
        conn.execute(text("INSERT INTO config_status (repo, ok, source, updated_at) "
                          "VALUES ('o/r', true, 'defaults', CURRENT_TIMESTAMP)"))
    added = add_missing_columns(engine)
    assert sorted(added) == ["config_status.valid_config", "triage_decisions.comment", "triage_decisions.tier",
                             "triage_decisions.title"]
    assert {"title", "tier", "comment"} <= {c["name"] for c in inspect(engine).get_columns("triage_decisions")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT repo, valid_config FROM config_status")).all() == [("o/r", None)]
    assert add_missing_columns(engine) == []  # a second start changes nothing
    create_schema(engine)
    engine.dispose()
