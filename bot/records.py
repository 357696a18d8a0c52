"""What the bot remembers: its decisions, the issues it labeled, humans' label removals and feedback.

SQLAlchemy Core tables on the shared `bot.db.metadata`, so the same code runs on SQLite and PostgreSQL.
Writes that can be repeated by a retried job are upserts keyed by the delivery or the issue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    Table,
    UniqueConstraint,
    delete,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.db import metadata, ping

decisions = Table(
    "triage_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(200), nullable=False),
    Column("issue_number", Integer, nullable=False),
    Column("delivery_id", String(100), nullable=False),
    Column("trigger", String(20), nullable=False),
    Column("model_version", String(100), nullable=True),
    Column("ptm_score", Float, nullable=True),
    Column("category", String(60), nullable=True),
    Column("category_score", Float, nullable=True),
    Column("scores", JSON, nullable=False),
    Column("labels_applied", JSON, nullable=False),
    Column("comment_id", BigInteger, nullable=True),
    Column("outcome", String(20), nullable=False),
    Column("why", String(60), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("delivery_id", "repo", "issue_number", name="uq_triage_decisions_delivery"),
)

# One row per issue the bot wrote to (or was about to): what it applied and where its comment is.
triaged_issues = Table(
    "triaged_issues",
    metadata,
    Column("repo", String(200), primary_key=True),
    Column("issue_number", Integer, primary_key=True),
    Column("category", String(60), nullable=True),
    Column("labels", JSON, nullable=False),
    Column("comment_id", BigInteger, nullable=True),
    # none | pending (about to post: look for it before posting again) | posted | deleted
    Column("comment_state", String(20), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

label_removals = Table(
    "label_removals",
    metadata,
    Column("repo", String(200), primary_key=True),
    Column("issue_number", Integer, primary_key=True),
    Column("label", String(200), primary_key=True),  # case-folded: GitHub label names ignore case
    Column("actor", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

feedback = Table(
    "triage_feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(200), nullable=False),
    Column("issue_number", Integer, nullable=False),
    Column("delivery_id", String(100), nullable=False),
    Column("label", String(200), nullable=False),
    Column("action", String(20), nullable=False),  # labeled | unlabeled
    Column("actor", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # confirmed | corrected | rejected
    Column("old_category", String(60), nullable=True),
    Column("new_category", String(60), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("delivery_id", "label", "action", name="uq_triage_feedback_delivery"),
)

installation_events = Table(
    "installation_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", String(100), nullable=False, unique=True),
    Column("installation_id", BigInteger, nullable=True),
    Column("event", String(40), nullable=False),
    Column("action", String(40), nullable=True),
    Column("account", String(200), nullable=True),
    Column("repositories_added", JSON, nullable=False),
    Column("repositories_removed", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

TABLES = (decisions, triaged_issues, label_removals, feedback, installation_events)


@dataclass(frozen=True)
class DecisionRecord:
    repo: str
    issue_number: int
    delivery_id: str
    trigger: str
    model_version: str | None
    ptm_score: float | None
    category: str | None
    category_score: float | None
    scores: Mapping[str, float]
    labels_applied: tuple[str, ...]
    comment_id: int | None
    outcome: str
    why: str
    reasons: tuple[str, ...]
    dry_run: bool


@dataclass(frozen=True)
class IssueState:
    repo: str
    issue_number: int
    category: str | None
    labels: tuple[str, ...]  # every label the bot added to the issue
    comment_id: int | None
    comment_state: str


@dataclass(frozen=True)
class FeedbackRecord:
    repo: str
    issue_number: int
    delivery_id: str
    label: str
    action: str
    actor: str
    kind: str
    old_category: str | None
    new_category: str | None


@dataclass(frozen=True)
class KeepStats:
    """Of the labels the bot applied, how many did maintainers keep? Plus the feedback by kind."""

    repo: str  # "(all)" for the overall row
    applied: int
    kept: int
    confirmed: int = 0
    corrected: int = 0
    rejected: int = 0

    @property
    def keep_rate(self) -> float | None:
        return None if self.applied == 0 else self.kept / self.applied


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Records:
    """The store's view for handlers and `ptm-triage report`. Each method is one short transaction."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _utcnow) -> None:
        self.engine = engine
        self._clock = clock

    def create_schema(self) -> None:
        metadata.create_all(self.engine, tables=list(TABLES))

    def ping(self) -> bool:
        return ping(self.engine)

    # -- decisions -------------------------------------------------------------------------------
    def record_decision(self, record: DecisionRecord) -> None:
        values = {
            **{name: getattr(record, name) for name in record.__dataclass_fields__},
            "scores": dict(record.scores),
            "labels_applied": list(record.labels_applied),
            "reasons": list(record.reasons),
            "created_at": self._clock(),
        }
        keys = ("delivery_id", "repo", "issue_number")
        with self.engine.begin() as conn:
            _upsert(conn, decisions, values, keys)

    def decisions_for(self, repo: str, issue_number: int) -> list[DecisionRecord]:
        query = (
            select(decisions)
            .where(decisions.c.repo == repo, decisions.c.issue_number == issue_number)
            .order_by(decisions.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        fields = DecisionRecord.__dataclass_fields__
        return [
            DecisionRecord(
                **{
                    **{k: row[k] for k in fields},
                    "labels_applied": tuple(row["labels_applied"]),
                    "reasons": tuple(row["reasons"]),
                }
            )
            for row in rows
        ]

    # -- per-issue state -------------------------------------------------------------------------
    def issue_state(self, repo: str, issue_number: int) -> IssueState | None:
        query = select(triaged_issues).where(
            triaged_issues.c.repo == repo, triaged_issues.c.issue_number == issue_number
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return IssueState(
            repo=row["repo"],
            issue_number=row["issue_number"],
            category=row["category"],
            labels=tuple(row["labels"]),
            comment_id=row["comment_id"],
            comment_state=row["comment_state"],
        )

    def note_applied(
        self,
        repo: str,
        issue_number: int,
        *,
        category: str | None,
        labels: Sequence[str],
        comment_id: int | None = None,
        comment_state: str | None = None,
    ) -> IssueState:
        """Merge what the bot just did into the issue's state (labels accumulate; None keeps a field)."""
        old = self.issue_state(repo, issue_number)
        merged = list(old.labels if old else ())
        merged += [name for name in labels if name.casefold() not in {m.casefold() for m in merged}]
        state = IssueState(
            repo=repo,
            issue_number=issue_number,
            category=category if category is not None else (old.category if old else None),
            labels=tuple(merged),
            comment_id=comment_id if comment_id is not None else (old.comment_id if old else None),
            comment_state=comment_state or (old.comment_state if old else "none"),
        )
        values = {**state.__dict__, "labels": list(state.labels), "updated_at": self._clock()}
        with self.engine.begin() as conn:
            _upsert(conn, triaged_issues, values, ("repo", "issue_number"))
        return state

    # -- never re-add ----------------------------------------------------------------------------
    def record_removal(self, repo: str, issue_number: int, label: str, actor: str) -> None:
        values = {
            "repo": repo,
            "issue_number": issue_number,
            "label": label.casefold(),
            "actor": actor,
            "created_at": self._clock(),
        }
        with self.engine.begin() as conn:
            _upsert(conn, label_removals, values, ("repo", "issue_number", "label"))

    def forget_removal(self, repo: str, issue_number: int, label: str) -> None:
        """A human put the label back: it is theirs again, and counts as kept."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(label_removals).where(
                    label_removals.c.repo == repo,
                    label_removals.c.issue_number == issue_number,
                    label_removals.c.label == label.casefold(),
                )
            )

    def removed_labels(self, repo: str, issue_number: int) -> frozenset[str]:
        query = select(label_removals.c.label).where(
            label_removals.c.repo == repo, label_removals.c.issue_number == issue_number
        )
        with self.engine.connect() as conn:
            return frozenset(conn.execute(query).scalars())

    # -- feedback and bookkeeping ----------------------------------------------------------------
    def record_feedback(self, record: FeedbackRecord) -> None:
        values = {**record.__dict__, "created_at": self._clock()}
        with self.engine.begin() as conn:
            _upsert(conn, feedback, values, ("delivery_id", "label", "action"))

    def feedback_for(self, repo: str, issue_number: int) -> list[FeedbackRecord]:
        query = (
            select(feedback)
            .where(feedback.c.repo == repo, feedback.c.issue_number == issue_number)
            .order_by(feedback.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [FeedbackRecord(**{k: row[k] for k in FeedbackRecord.__dataclass_fields__}) for row in rows]

    def record_installation(
        self,
        *,
        delivery_id: str,
        installation_id: int | None,
        event: str,
        action: str | None,
        account: str | None,
        added: Iterable[str] = (),
        removed: Iterable[str] = (),
    ) -> None:
        values = {
            "delivery_id": delivery_id,
            "installation_id": installation_id,
            "event": event,
            "action": action,
            "account": account,
            "repositories_added": list(added),
            "repositories_removed": list(removed),
            "created_at": self._clock(),
        }
        with self.engine.begin() as conn:
            _upsert(conn, installation_events, values, ("delivery_id",))

    # -- report ----------------------------------------------------------------------------------
    def keep_report(self, repo: str | None = None) -> list[KeepStats]:
        """Per repository (sorted), then one "(all)" row: labels applied, kept, feedback by kind."""
        with self.engine.connect() as conn:
            issues = conn.execute(select(triaged_issues)).mappings().all()
            removals = {
                (r.repo, r.issue_number, r.label)
                for r in conn.execute(select(label_removals)).all()
            }
            kinds = conn.execute(select(feedback.c.repo, feedback.c.kind)).all()
        per_repo: dict[str, dict[str, int]] = {}
        for row in issues:
            if repo is not None and row["repo"] != repo:
                continue
            counts = per_repo.setdefault(row["repo"], _zero_counts())
            for label in row["labels"]:
                counts["applied"] += 1
                if (row["repo"], row["issue_number"], label.casefold()) not in removals:
                    counts["kept"] += 1
        for feedback_repo, kind in kinds:
            if (repo is None or feedback_repo == repo) and kind in ("confirmed", "corrected", "rejected"):
                per_repo.setdefault(feedback_repo, _zero_counts())[kind] += 1
        rows = [KeepStats(name, **counts) for name, counts in sorted(per_repo.items())]
        total = _zero_counts()
        for stats in rows:
            for key in total:
                total[key] += getattr(stats, key)
        return [*rows, KeepStats("(all)", **total)]


def _zero_counts() -> dict[str, int]:
    return {"applied": 0, "kept": 0, "confirmed": 0, "corrected": 0, "rejected": 0}


def _upsert(conn: Connection, table: Table, values: Mapping[str, Any], keys: Sequence[str]) -> None:
    """Insert, or update the row with the same `keys`: the same call twice leaves one row."""
    updates = {k: v for k, v in values.items() if k not in keys}
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        module: Any = sqlite if dialect == "sqlite" else postgresql
        statement = module.insert(table).values(**values)
        if updates:
            statement = statement.on_conflict_do_update(index_elements=list(keys), set_=updates)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=list(keys))
        conn.execute(statement)
        return
    match = [table.c[k] == values[k] for k in keys]
    if conn.execute(select(table.c[keys[0]]).where(*match)).first() is None:
        conn.execute(table.insert().values(**values))
    elif updates:
        conn.execute(table.update().where(*match).values(**updates))
