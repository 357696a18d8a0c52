"""What the bot remembers of a repository's issues: the similar-issues index and the open/close history.

Triage calls `remember` for every issue it predicts on and `similar_for` when it is about to comment. The
handlers here keep both up to date when an issue is closed, reopened, edited or deleted. A repository that
turned the bot off (`enabled: false`) is not remembered.
"""

from __future__ import annotations

from bot.events import Event
from bot.github.port import IssueSnapshot
from bot.handlers.context import HandlerContext
from bot.repo_config.model import RepoConfig
from bot.store import issue_history, similar
from bot.store.issue_history import HistoryRow, parse_time, record_issue
from bot.store.similar import IndexedIssue, SimilarLink
from bot.triage import payload
from classifier.schema import Prediction


def _answered(event: Event, ctx: HandlerContext, issue: IssueSnapshot) -> bool:
    """Closed after a reply from someone other than the bot (the comment count includes the bot's)."""
    if issue.state != "closed":
        return False
    state = ctx.records.issue_state(issue.repo, issue.number)
    bot_comments = 1 if state is not None and state.comment_state in ("posted", "pending") else 0
    return payload.comment_count(event) > bot_comments


def _indexed(event: Event, ctx: HandlerContext, issue: IssueSnapshot) -> IndexedIssue:
    return IndexedIssue(
        repo=issue.repo,
        number=issue.number,
        title=issue.title,
        body=issue.body,
        url=payload.issue_url(event),
        state=issue.state,
        has_answer=_answered(event, ctx, issue),
        private=payload.repository_private(event),
    )


def _history(event: Event, issue: IssueSnapshot, prediction: Prediction | None, source: str) -> HistoryRow | None:
    created, closed = payload.issue_times(event)
    created = created or parse_time(issue.created_at)
    if created is None:  # without an opening time the issue says nothing about time to close
        return None
    ptm = prediction.ptm_related if prediction is not None else None
    return HistoryRow(
        repo=issue.repo,
        number=issue.number,
        created_at=created,
        closed_at=closed if issue.state == "closed" else None,
        state=issue.state,
        ptm=ptm,
        category=prediction.category if prediction is not None and ptm else None,
        source=source,
    )


def remember(
    event: Event, ctx: HandlerContext, issue: IssueSnapshot, prediction: Prediction | None, source: str = "webhook"
) -> None:
    """Index the issue for similar-issue suggestions and record its history (with the model's view)."""
    engine = ctx.records.engine
    similar.index_issue(engine, _indexed(event, ctx, issue))
    row = _history(event, issue, prediction, source)
    if row is not None:
        record_issue(engine, row)


def similar_for(ctx: HandlerContext, issue: IssueSnapshot, config: RepoConfig) -> tuple[SimilarLink, ...]:
    """The earlier issues the comment may link (none when the repository turned that part off)."""
    if not (config.comment.enabled and config.comment.similar):
        return ()
    return similar.find_similar(
        ctx.records.engine,
        issue.repo,
        issue.title,
        issue.body,
        exclude=issue.number,
        across_repositories=config.comment.similar_across_repositories,
    )


def _enabled(ctx: HandlerContext, repo: str) -> bool:
    return ctx.configs.load(ctx.github, repo).config.enabled


def on_issues_closed(event: Event, ctx: HandlerContext) -> None:
    _on_state_change(event, ctx)


def on_issues_reopened(event: Event, ctx: HandlerContext) -> None:
    _on_state_change(event, ctx)


def _on_state_change(event: Event, ctx: HandlerContext) -> None:
    issue = payload.issue_snapshot(event)
    if issue.is_pull_request or not _enabled(ctx, issue.repo):
        return
    remember(event, ctx, issue, None)  # the classification triage recorded is kept
    ctx.log.info("#%d %s: index and history updated", issue.number, issue.state)


def on_issues_edited(event: Event, ctx: HandlerContext) -> None:
    """A new title or body: re-index an issue the index knows (triage indexes the others)."""
    issue = payload.issue_snapshot(event)
    if issue.is_pull_request or not similar.is_indexed(ctx.records.engine, issue.repo, issue.number):
        return
    similar.index_issue(ctx.records.engine, _indexed(event, ctx, issue))


def on_issues_deleted(event: Event, ctx: HandlerContext) -> None:
    """A deleted issue is never suggested again and leaves the history."""
    issue = payload.issue_snapshot(event)
    similar.forget_issue(ctx.records.engine, issue.repo, issue.number)
    issue_history.forget_issue(ctx.records.engine, issue.repo, issue.number)
    ctx.log.info("#%d deleted: forgotten", issue.number)
