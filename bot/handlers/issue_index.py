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

LIKELY = 0.5  # a calibrated PTM probability from which "PTM-related" is the more likely answer


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


def classification(
    issue: IssueSnapshot, config: RepoConfig, prediction: Prediction | None
) -> tuple[bool | None, str | None]:
    """(PTM-related?, category) for the history: a category label on the issue (a maintainer's, or the
    bot's that nobody removed) says it best; else the model's most likely answer (not the stricter bar the
    labels must clear: counting issues, a likely one is a better guess than "other"); (None, None) when
    nothing is known."""
    labels = {name.casefold() for name in issue.labels}
    for slug in config.categories:
        if config.label_for(slug).casefold() in labels:
            return True, slug
    if prediction is not None:
        likely = prediction.ptm_score >= LIKELY
        return likely, prediction.top_category if likely and prediction.category_scores else None
    ptm_label = config.ptm_label_name
    if ptm_label is not None and ptm_label.casefold() in labels:
        return True, None
    return None, None


def _history(
    event: Event, issue: IssueSnapshot, config: RepoConfig, prediction: Prediction | None, source: str
) -> HistoryRow | None:
    created, closed = payload.issue_times(event)
    created = created or parse_time(issue.created_at)
    if created is None:  # without an opening time the issue says nothing about time to close
        return None
    ptm, category = classification(issue, config, prediction)
    return HistoryRow(
        repo=issue.repo,
        number=issue.number,
        created_at=created,
        closed_at=closed if issue.state == "closed" else None,
        state=issue.state,
        ptm=ptm,
        category=category if ptm else None,
        source=source,
    )


def remember(
    event: Event,
    ctx: HandlerContext,
    issue: IssueSnapshot,
    config: RepoConfig,
    prediction: Prediction | None,
    source: str = "webhook",
) -> None:
    """Index the issue for similar-issue suggestions and record its history (with what is known of its
    category). Nothing for a repository that turned the bot off."""
    if not config.enabled or issue.is_pull_request:
        return
    engine = ctx.records.engine
    similar.index_issue(engine, _indexed(event, ctx, issue))
    row = _history(event, issue, config, prediction, source)
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


def on_issues_closed(event: Event, ctx: HandlerContext) -> None:
    _on_state_change(event, ctx)


def on_issues_reopened(event: Event, ctx: HandlerContext) -> None:
    _on_state_change(event, ctx)


def _on_state_change(event: Event, ctx: HandlerContext) -> None:
    issue = payload.issue_snapshot(event)
    if issue.is_pull_request:
        return
    config = ctx.configs.load(ctx.github, issue.repo).config
    remember(event, ctx, issue, config, None)  # without a category label, the one triage recorded is kept
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
