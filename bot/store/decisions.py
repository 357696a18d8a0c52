"""What the bot remembers: its decisions, the issues it labeled, humans' label removals and feedback.

The tables are in `bot.store.tables`; the same code runs on SQLite and PostgreSQL.
Writes that can be repeated by a retried job are upserts keyed by the delivery or the issue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Engine,
    and_,
    delete,
    or_,
    select,
    update,
)

from bot.store.engine import ping
from bot.store.keep_report import KeepStats, keep_report
from bot.store.tables import (
    DECISION_TABLES,
    decisions,
    feedback,
    installation_events,
    label_removals,
    metadata,
    triaged_issues,
)
from bot.store.upsert import insert_if_absent, upsert


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
    title: str | None = None  # the issue's title when triaged
    tier: str | None = None  # the model's tier: "comment", "label" or None
    comment: str | None = None  # the exact comment body the bot posted or would post
    base_ptm_score: float | None = None  # the PTM probability at the training mix, before the share


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


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Records:
    """The store's view for handlers and `ptm-triage report`. Each method is one short transaction."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _utcnow) -> None:
        self.engine = engine
        self._clock = clock

    def create_schema(self) -> None:
        metadata.create_all(self.engine, tables=list(DECISION_TABLES))

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
            upsert(conn, decisions, values, keys)

    # -- per-issue state -------------------------------------------------------------------------
    def recent_ptm_scores(self, repo: str, limit: int = 500) -> list[float]:
        """The training-mix PTM probabilities of the repository's most recent distinct issues."""
        query = (select(decisions.c.issue_number, decisions.c.base_ptm_score)
                 .where(decisions.c.repo == repo, decisions.c.base_ptm_score.is_not(None))
                 .order_by(decisions.c.id.desc()).limit(4 * limit))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        seen: dict[int, float] = {}
        for number, score in rows:
            seen.setdefault(int(number), float(score))
        return list(seen.values())[:limit]

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
        """Merge what the bot just did into the issue's state (labels accumulate; None keeps a field).
        One transaction that locks the row: a concurrent job's merge cannot write back an older state."""
        row = (triaged_issues.c.repo == repo, triaged_issues.c.issue_number == issue_number)
        with self.engine.begin() as conn:
            old = conn.execute(select(triaged_issues).where(*row).with_for_update()).mappings().first()
            merged = list(old["labels"] if old else ())
            merged += [name for name in labels if name.casefold() not in {m.casefold() for m in merged}]
            state = IssueState(
                repo=repo,
                issue_number=issue_number,
                category=category if category is not None else (old["category"] if old else None),
                labels=tuple(merged),
                comment_id=comment_id if comment_id is not None else (old["comment_id"] if old else None),
                comment_state=comment_state or (old["comment_state"] if old else "none"),
            )
            values = {**state.__dict__, "labels": list(state.labels), "updated_at": self._clock()}
            upsert(conn, triaged_issues, values, ("repo", "issue_number"))
        return state

    def claim_comment(
        self, repo: str, issue_number: int, *, claimant: str, category: str | None, stale_after: float
    ) -> bool:
        """Claim posting the issue's comment for `claimant` (a delivery id: its retries share it). False
        while another claimant's claim is younger than `stale_after` seconds, or once the comment is posted
        or deleted. One conditional write: two jobs cannot both win."""
        now = self._clock()
        c = triaged_issues.c
        free = and_(
            c.comment_state.in_(("none", "pending")),
            or_(c.comment_claimed_at.is_(None), c.comment_claimed_by == claimant,
                c.comment_claimed_at < now - timedelta(seconds=stale_after)),
        )
        claim = {"comment_state": "pending", "comment_claimed_by": claimant, "comment_claimed_at": now,
                 "updated_at": now}
        if category is not None:
            claim["category"] = category
        with self.engine.begin() as conn:
            won = conn.execute(
                update(triaged_issues).where(c.repo == repo, c.issue_number == issue_number, free).values(**claim)
            ).rowcount
            if won == 1:
                return True
            values = {"repo": repo, "issue_number": issue_number, "category": category, "labels": [],
                      "comment_id": None, **claim}
            return insert_if_absent(conn, triaged_issues, values, ("repo", "issue_number"))

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
            upsert(conn, label_removals, values, ("repo", "issue_number", "label"))

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

    def keep_report(self, repo: str | None = None) -> list[KeepStats]:
        """Per repository (sorted), then one \"(all)\" row: labels applied, kept, feedback by kind."""
        return keep_report(self.engine, repo)

    # -- feedback and bookkeeping ----------------------------------------------------------------
    def record_feedback(self, record: FeedbackRecord) -> None:
        values = {**record.__dict__, "created_at": self._clock()}
        with self.engine.begin() as conn:
            upsert(conn, feedback, values, ("delivery_id", "label", "action"))

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
            upsert(conn, installation_events, values, ("delivery_id",))
