"""The similar-issues index, stored: one row per issue the bot has seen, with its term counts.

Triage, backfill and the `issues.closed`/`issues.reopened` handler add an issue or update what the index
knows of it (`index_issue`). `find_similar` builds a `classifier.similar.SimilarityIndex` over the rows a repository may
link and asks it: this repository's own issues, plus, when the repository allows it, the public issues of
the owner's other repositories. A private repository's issue is never offered to another repository.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, delete, or_, select, update

from bot.store.tables import similar_issues
from bot.store.upsert import upsert
from classifier.similar import MAX_SUGGESTIONS, THRESHOLD, SimilarityIndex, issue_terms

MAX_TITLE_CHARS = 300  # what a link needs; the text itself is not kept, only its term counts


@dataclass(frozen=True)
class IndexedIssue:
    """An issue as the index keeps it. `url` is the issue's html_url."""

    repo: str
    number: int
    title: str
    body: str
    url: str
    state: str = "open"  # open | closed
    has_answer: bool = False  # closed after a reply from someone other than the bot
    private: bool = False  # the repository is private (or internal)


@dataclass(frozen=True)
class SimilarLink:
    """An earlier issue to show in a comment."""

    repo: str
    number: int
    title: str
    url: str
    state: str
    has_answer: bool
    score: float  # cosine similarity, 0..1


def _utcnow() -> datetime:
    return datetime.now(UTC)


def index_issue(engine: Engine, issue: IndexedIssue, clock: Callable[[], datetime] = _utcnow) -> None:
    """Add an issue to its repository's index, or replace what the index knows of it. Idempotent.
    A private issue marks every row of its repository private: a repository made private keeps its issues
    out of other repositories' suggestions from its next event on."""
    values = {
        "repo": issue.repo,
        "issue_number": issue.number,
        "title": issue.title[:MAX_TITLE_CHARS],
        "url": issue.url,
        "terms": issue_terms(issue.title, issue.body),
        "state": issue.state,
        "has_answer": issue.has_answer,
        "private": issue.private,
        "updated_at": clock(),
    }
    with engine.begin() as conn:
        upsert(conn, similar_issues, values, ("repo", "issue_number"))
        if issue.private:
            conn.execute(
                update(similar_issues)
                .where(similar_issues.c.repo == issue.repo, similar_issues.c.private.is_(False))
                .values(private=True)
            )


def forget_issue(engine: Engine, repo: str, number: int) -> None:
    """A deleted issue: never suggested again."""
    with engine.begin() as conn:
        conn.execute(
            delete(similar_issues).where(similar_issues.c.repo == repo, similar_issues.c.issue_number == number)
        )


def is_indexed(engine: Engine, repo: str, number: int) -> bool:
    query = select(similar_issues.c.issue_number).where(
        similar_issues.c.repo == repo, similar_issues.c.issue_number == number
    )
    with engine.connect() as conn:
        return conn.execute(query).first() is not None


def find_similar(
    engine: Engine,
    repo: str,
    title: str,
    body: str,
    *,
    exclude: int | None = None,
    across_repositories: bool = False,
    limit: int = MAX_SUGGESTIONS,
    threshold: float = THRESHOLD,
) -> tuple[SimilarLink, ...]:
    """Up to `limit` earlier issues above `threshold`, closed ones with an answer first among near ties.

    `repo`'s own issues always qualify; with `across_repositories`, so do those of the same owner's other
    repositories, but only public ones."""
    owner = repo.split("/", 1)[0]
    linkable = similar_issues.c.repo == repo
    if across_repositories:
        others = and_(
            similar_issues.c.repo.like(f"{_escape_like(owner)}/%", escape="\\"),
            similar_issues.c.private.is_(False),
        )
        linkable = or_(linkable, others)
    query = select(
        similar_issues.c.repo,
        similar_issues.c.issue_number,
        similar_issues.c.title,
        similar_issues.c.url,
        similar_issues.c.terms,
        similar_issues.c.state,
        similar_issues.c.has_answer,
    ).where(linkable)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    index = SimilarityIndex()
    known: dict[str, tuple[str, int, str, str]] = {}
    for row in rows:
        key = f"{row.repo}#{row.issue_number}"
        known[key] = (row.repo, row.issue_number, row.title, row.url)
        index.add_terms(key, dict(row.terms), row.state, row.has_answer)
    self_key = f"{repo}#{exclude}" if exclude is not None else None
    return tuple(
        SimilarLink(*known[hit.key], state=hit.state, has_answer=hit.has_answer, score=hit.score)
        for hit in index.query(title, body, k=limit, threshold=threshold, exclude=self_key)
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
