"""Reading the decisions back for people: the decisions page's list and filters, per-repository counts.

Writes stay in `bot.store.decisions`; this module only reads. An outcome as a person says it: a
"labeled" decision with a comment is "commented", one without is "labelled".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, RowMapping, and_, case, func, select

from bot.store.tables import decisions, feedback

OUTCOMES = ("labelled", "commented", "abstained", "skipped")
# The feedback handler's verdicts, as a maintainer would say them.
FEEDBACK_WORDS = {"confirmed": "kept", "corrected": "corrected", "rejected": "removed"}
TOP_SCORES = 3  # category scores shown per decision


@dataclass(frozen=True)
class Feedback:
    label: str
    verdict: str  # kept | corrected | removed
    actor: str
    new_category: str | None
    at: datetime


@dataclass(frozen=True)
class DecisionView:
    repo: str
    issue_number: int
    title: str | None
    trigger: str
    outcome: str  # one of OUTCOMES
    why: str
    reasons: tuple[str, ...]
    ptm_score: float | None
    category: str | None
    top_scores: tuple[tuple[str, float], ...]  # highest first
    tier: str | None
    labels: tuple[str, ...]
    comment: str | None
    dry_run: bool
    model_version: str | None
    at: datetime
    feedback: tuple[Feedback, ...] = ()


@dataclass(frozen=True)
class RepoCounts:
    repo: str
    labelled: int
    commented: int
    abstained: int
    skipped: int


def _outcome_filter(outcome: str) -> ColumnElement[bool]:
    if outcome == "commented":
        return and_(decisions.c.outcome == "labeled", decisions.c.comment.is_not(None))
    if outcome == "labelled":
        return and_(decisions.c.outcome == "labeled", decisions.c.comment.is_(None))
    return decisions.c.outcome == outcome


def recent_decisions(
    engine: Engine,
    *,
    repo: str | None = None,
    outcome: str | None = None,
    why: str | None = None,
    limit: int = 50,
) -> list[DecisionView]:
    """The newest decisions first, filtered, each with the maintainers' feedback on its issue."""
    query = select(decisions).order_by(decisions.c.id.desc()).limit(limit)
    if repo:
        query = query.where(decisions.c.repo == repo)
    if outcome in OUTCOMES:
        query = query.where(_outcome_filter(outcome))
    if why:
        query = query.where(decisions.c.why == why)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
        issues = {(row["repo"], row["issue_number"]) for row in rows}
        notes = _feedback(conn, issues) if issues else {}
    return [_view(row, notes.get((row["repo"], row["issue_number"]), ())) for row in rows]


def _feedback(conn: Any, issues: set[tuple[str, int]]) -> dict[tuple[str, int], tuple[Feedback, ...]]:
    repos = {repo for repo, _ in issues}
    query = select(feedback).where(feedback.c.repo.in_(repos)).order_by(feedback.c.id)
    found: dict[tuple[str, int], list[Feedback]] = {}
    for row in conn.execute(query).mappings():
        key = (row["repo"], row["issue_number"])
        if key in issues:
            found.setdefault(key, []).append(
                Feedback(
                    label=row["label"],
                    verdict=FEEDBACK_WORDS.get(row["kind"], row["kind"]),
                    actor=row["actor"],
                    new_category=row["new_category"],
                    at=_aware(row["created_at"]),
                )
            )
    return {key: tuple(items) for key, items in found.items()}


def _view(row: RowMapping, notes: Sequence[Feedback]) -> DecisionView:
    scores: Mapping[str, float] = row["scores"] or {}
    top = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:TOP_SCORES]
    outcome = row["outcome"]
    if outcome == "labeled":
        outcome = "commented" if row["comment"] is not None else "labelled"
    return DecisionView(
        repo=row["repo"],
        issue_number=row["issue_number"],
        title=row["title"],
        trigger=row["trigger"],
        outcome=outcome,
        why=row["why"],
        reasons=tuple(row["reasons"] or ()),
        ptm_score=row["ptm_score"],
        category=row["category"],
        top_scores=tuple((slug, float(score)) for slug, score in top),
        tier=row["tier"],
        labels=tuple(row["labels_applied"] or ()),
        comment=row["comment"],
        dry_run=bool(row["dry_run"]),
        model_version=row["model_version"],
        at=_aware(row["created_at"]),
        feedback=tuple(notes),
    )


def filter_choices(engine: Engine) -> tuple[list[str], list[str]]:
    """(repositories with decisions, reason codes of skipped or abstained decisions), sorted."""
    with engine.connect() as conn:
        repos = conn.execute(select(decisions.c.repo).distinct().order_by(decisions.c.repo)).scalars().all()
        whys = conn.execute(
            select(decisions.c.why).where(decisions.c.outcome != "labeled").distinct().order_by(decisions.c.why)
        ).scalars().all()
    return list(repos), list(whys)


def repo_counts(engine: Engine) -> list[RepoCounts]:
    """Per repository: how many decisions of each outcome."""

    def count(condition: ColumnElement[bool]) -> Any:
        return func.sum(case((condition, 1), else_=0))

    query = (
        select(
            decisions.c.repo,
            *(count(_outcome_filter(outcome)).label(outcome) for outcome in OUTCOMES),
        )
        .group_by(decisions.c.repo)
        .order_by(decisions.c.repo)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        RepoCounts(
            repo=row["repo"],
            **{outcome: int(row[outcome] or 0) for outcome in OUTCOMES},
        )
        for row in rows
    ]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value  # SQLite keeps naive datetimes
