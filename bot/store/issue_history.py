"""When each issue was opened and closed, and whether the model took it for a PTM issue (and which category).

Filled by triage (opened), the `issues.closed`/`issues.reopened` handler and backfill; read by the
resolution-time report. Writes merge: a write that does not know the classification keeps the stored one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.tables import issue_history


@dataclass(frozen=True)
class HistoryRow:
    repo: str
    number: int
    created_at: datetime
    closed_at: datetime | None = None
    state: str = "open"  # open | closed
    ptm: bool | None = None  # None: not classified
    category: str | None = None  # the most likely category, for PTM-related issues
    source: str = "webhook"  # webhook | backfill

    @property
    def days_to_close(self) -> float | None:
        if self.state != "closed" or self.closed_at is None:
            return None
        return max(0.0, (_aware(self.closed_at) - _aware(self.created_at)).total_seconds() / 86400)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_time(value: object) -> datetime | None:
    """A GitHub ISO 8601 timestamp ("2024-05-01T12:00:00Z") as an aware datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return _aware(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def record_issue(engine: Engine, row: HistoryRow, clock: Callable[[], datetime] = _utcnow) -> None:
    """Insert or update one issue's history. A row without a classification (ptm None) keeps the stored one."""
    values = {
        "repo": row.repo,
        "issue_number": row.number,
        "created_at": row.created_at,
        "closed_at": row.closed_at if row.state == "closed" else None,
        "state": row.state,
        "ptm": row.ptm,
        "category": row.category if row.ptm else None,
        "source": row.source,
        "updated_at": clock(),
    }
    with engine.begin() as conn:
        module: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
        statement = module.insert(issue_history).values(**values)
        new = statement.excluded
        # Merged in the database, so a close event racing triage's write cannot erase the classification.
        keep_old = new.ptm.is_(None)
        statement = statement.on_conflict_do_update(
            index_elements=["repo", "issue_number"],
            set_={
                "created_at": new.created_at,
                "closed_at": new.closed_at,
                "state": new.state,
                "ptm": case((keep_old, issue_history.c.ptm), else_=new.ptm),
                "category": case((keep_old, issue_history.c.category), else_=new.category),
                "source": new.source,
                "updated_at": new.updated_at,
            },
        )
        conn.execute(statement)


def load_history(engine: Engine, repo: str | None = None) -> list[HistoryRow]:
    """Every stored issue (of `repo`, or of all repositories), ordered by repository and number."""
    query = select(issue_history).order_by(issue_history.c.repo, issue_history.c.issue_number)
    if repo is not None:
        query = query.where(issue_history.c.repo == repo)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        HistoryRow(
            repo=row["repo"],
            number=row["issue_number"],
            created_at=_aware(row["created_at"]),
            closed_at=_aware(row["closed_at"]) if row["closed_at"] is not None else None,
            state=row["state"],
            ptm=row["ptm"],
            category=row["category"],
            source=row["source"],
        )
        for row in rows
    ]


def forget_issue(engine: Engine, repo: str, number: int) -> None:
    """A deleted issue leaves the history."""
    with engine.begin() as conn:
        conn.execute(
            delete(issue_history).where(issue_history.c.repo == repo, issue_history.c.issue_number == number)
        )
