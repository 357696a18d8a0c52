"""The last known state of each repository's configuration, for the status page and operators.

One row per repository: whether its `.github/ptm-triage.yml` (with org defaults and `_extends`) is valid,
the error messages when it is not, where it came from, and the commit that changed it when a push told us.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, RowMapping, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.store.tables import config_status

MAX_ERROR_CHARS = 4000  # enough for every message of a broken file; a page shows no more

@dataclass(frozen=True)
class ConfigStatus:
    repo: str
    ok: bool
    error: str | None
    source: str
    sha: str | None  # the commit whose push last changed the file, when known
    updated_at: datetime


class ConfigStatusStore:
    """Reads and writes `config_status` rows (`create_schema` creates the table with the others)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self,
        repo: str,
        ok: bool,
        error: str | None,
        source: str,
        sha: str | None = None,
        now: datetime | None = None,
        valid_config: Mapping[str, Any] | None = None,
    ) -> None:
        """`valid_config`: the document of a valid configuration; the previous one stays otherwise."""
        values: dict[str, Any] = {
            "ok": ok,
            "error": None if error is None else error[:MAX_ERROR_CHARS],
            "source": source[:500],
            "updated_at": now or datetime.now(UTC),
        }
        if sha is not None:
            values["sha"] = sha
        if ok and valid_config is not None:
            values["valid_config"] = json.loads(json.dumps(valid_config, default=str))  # plain JSON types
        with self._engine.begin() as conn:
            dialect = conn.dialect.name
            if dialect in ("sqlite", "postgresql"):
                insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
                statement = insert(config_status).values(repo=repo, **values)
                conn.execute(statement.on_conflict_do_update(index_elements=["repo"], set_=values))
                return
            changed = conn.execute(update(config_status).where(config_status.c.repo == repo).values(values))
            if changed.rowcount == 0:
                try:
                    conn.execute(config_status.insert().values(repo=repo, **values))
                except IntegrityError:  # another process inserted it first: its row is as recent
                    return

    def get(self, repo: str) -> ConfigStatus | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(config_status).where(config_status.c.repo == repo)).first()
        return None if row is None else _status(row._mapping)

    def last_valid_config(self, repo: str) -> dict[str, Any] | None:
        """The document of the repository's last valid configuration, if one was read."""
        query = select(config_status.c.valid_config).where(config_status.c.repo == repo)
        with self._engine.connect() as conn:
            value = conn.execute(query).scalar()
        return value if isinstance(value, dict) else None

    def recent(self, limit: int = 50, failing_only: bool = False) -> list[ConfigStatus]:
        """Most recently updated first; `failing_only` for the repositories whose config is broken."""
        query = select(config_status).order_by(config_status.c.updated_at.desc()).limit(limit)
        if failing_only:
            query = query.where(config_status.c.ok.is_(False))
        with self._engine.connect() as conn:
            return [_status(row._mapping) for row in conn.execute(query)]


def _status(mapping: RowMapping) -> ConfigStatus:
    updated = mapping["updated_at"]
    if updated.tzinfo is None:  # SQLite stores naive datetimes
        updated = updated.replace(tzinfo=UTC)
    return ConfigStatus(
        repo=mapping["repo"],
        ok=bool(mapping["ok"]),
        error=mapping["error"],
        source=mapping["source"],
        sha=mapping["sha"],
        updated_at=updated,
    )
