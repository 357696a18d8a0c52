"""What a backfill remembers: where each run is (so an interrupted run resumes) and the issues it decided,
each as GitHub listed it (title, dates, state, labels) with the decision.

The tables are in `bot.store.tables`: `backfill_runs` (one cursor per repository and mode) and
`backfill_issues` (one row per issue a run decided).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, RowMapping, delete, select

from bot.store.tables import backfill_issues, backfill_runs, decisions, metadata
from bot.store.upsert import upsert

TABLES = (backfill_runs, backfill_issues)


@dataclass(frozen=True)
class RunCursor:
    """Where a backfill of one repository in one mode ("dry-run" or "apply") stands."""

    repo: str
    mode: str
    state: str  # the listing's state filter: open | all
    since: str | None  # the listing's since filter (ISO 8601), if any
    next_page: int  # the first listing page not finished (1-based)
    finished: bool


@dataclass(frozen=True)
class BackfilledIssue:
    """One decided issue: the issue as listed, what the pipeline did, and what the model alone would say."""

    repo: str
    mode: str
    issue_number: int
    title: str
    html_url: str
    author: str
    state: str  # open | closed, when read
    issue_labels: tuple[str, ...]  # the issue's labels when read, before any write
    created_at: datetime | None
    closed_at: datetime | None
    outcome: str  # labeled | abstained | skipped
    why: str
    category: str | None  # the category labelled (or, in a dry run, that would be)
    tier: str | None  # comment | label | None: how loud the bot was (would be)
    predicted: str | None  # the category the bot gives the issue without its labels
    labels: tuple[str, ...]  # labels added (or that would be)
    ptm_score: float | None
    category_score: float | None


def _utcnow() -> datetime:
    return datetime.now(UTC)


def parse_time(value: str | None) -> datetime | None:
    """GitHub's ISO 8601 timestamps ("2024-05-01T12:00:00Z"); None for absent or unreadable ones."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every time stored here is UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class BackfillStore:
    """Each method is one short transaction, so an interruption loses at most the issue in progress."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _utcnow) -> None:
        self.engine = engine
        self._clock = clock

    def create_schema(self) -> None:
        metadata.create_all(self.engine, tables=list(TABLES))

    # -- the cursor ------------------------------------------------------------------------------
    def cursor(self, repo: str, mode: str) -> RunCursor | None:
        query = select(backfill_runs).where(backfill_runs.c.repo == repo, backfill_runs.c.mode == mode)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return RunCursor(row["repo"], row["mode"], row["state"], row["since"], row["next_page"], row["finished"])

    def start(self, repo: str, mode: str, *, state: str, since: str | None) -> RunCursor:
        """A new run from page 1: forgets the issues an earlier run of this mode decided."""
        now = self._clock()
        values = {"repo": repo, "mode": mode, "state": state, "since": since, "next_page": 1,
                  "finished": False, "started_at": now, "updated_at": now}
        with self.engine.begin() as conn:
            conn.execute(delete(backfill_issues).where(backfill_issues.c.repo == repo,
                                                       backfill_issues.c.mode == mode))
            upsert(conn, backfill_runs, values, ("repo", "mode"))
        return RunCursor(repo, mode, state, since, 1, False)

    def advance(self, cursor: RunCursor, *, next_page: int, finished: bool) -> RunCursor:
        values = {"next_page": next_page, "finished": finished, "updated_at": self._clock()}
        with self.engine.begin() as conn:
            conn.execute(backfill_runs.update()
                         .where(backfill_runs.c.repo == cursor.repo, backfill_runs.c.mode == cursor.mode)
                         .values(**values))
        return RunCursor(cursor.repo, cursor.mode, cursor.state, cursor.since, next_page, finished)

    # -- decided issues --------------------------------------------------------------------------
    def decided(self, repo: str, mode: str, numbers: Sequence[int]) -> frozenset[int]:
        """Which of `numbers` this run already decided."""
        query = select(backfill_issues.c.issue_number).where(
            backfill_issues.c.repo == repo, backfill_issues.c.mode == mode,
            backfill_issues.c.issue_number.in_(list(numbers)),
        )
        with self.engine.connect() as conn:
            return frozenset(conn.execute(query).scalars())

    def record(self, issue: BackfilledIssue) -> None:
        values = {**issue.__dict__, "issue_labels": list(issue.issue_labels), "labels": list(issue.labels),
                  "decided_at": self._clock()}
        with self.engine.begin() as conn:
            upsert(conn, backfill_issues, values, ("repo", "mode", "issue_number"))

    def issues(self, repo: str, mode: str) -> list[BackfilledIssue]:
        """Every issue the run decided, by number."""
        query = (select(backfill_issues)
                 .where(backfill_issues.c.repo == repo, backfill_issues.c.mode == mode)
                 .order_by(backfill_issues.c.issue_number))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_issue(row) for row in rows]

    def recorded_scores(self, repo: str, issue_number: int, delivery_id: str) -> tuple[float | None, float | None]:
        """(PTM score, category score) of the decision the pipeline recorded for this issue and delivery."""
        query = select(decisions.c.ptm_score, decisions.c.category_score).where(
            decisions.c.repo == repo, decisions.c.issue_number == issue_number,
            decisions.c.delivery_id == delivery_id,
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (None, None) if row is None else (row[0], row[1])


def _issue(row: RowMapping) -> BackfilledIssue:
    fields = BackfilledIssue.__dataclass_fields__
    return BackfilledIssue(**{
        **{k: row[k] for k in fields},
        "issue_labels": tuple(row["issue_labels"] or ()), "labels": tuple(row["labels"] or ()),
        "created_at": _aware(row["created_at"]), "closed_at": _aware(row["closed_at"]),
    })
