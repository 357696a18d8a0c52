"""What maintainers do with the bot's labels: remember removals (never re-add) and record feedback.

Only humans count: label changes by any bot, the App itself included, are ignored. Feedback is recorded on
issues the bot labeled; a removal is remembered on every issue, since it guards the bot's future runs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from bot.events import Event
from bot.handlers.context import HandlerContext
from bot.repo_config.model import RepoConfig
from bot.store.decisions import FeedbackRecord, IssueState
from bot.triage import payload


@dataclass(frozen=True)
class Verdict:
    kind: str  # confirmed | corrected | rejected
    old_category: str | None
    new_category: str | None


def on_issues_labeled(event: Event, ctx: HandlerContext) -> None:
    _on_label_change(event, ctx, "labeled")


def on_issues_unlabeled(event: Event, ctx: HandlerContext) -> None:
    _on_label_change(event, ctx, "unlabeled")


def category_by_label(config: RepoConfig) -> dict[str, str]:
    """Case-folded label name -> category slug, for this repository's label names."""
    return {config.label_for(slug).casefold(): slug for slug in config.categories}


def judge(
    action: str,
    label: str,
    state: IssueState,
    labels_now: Collection[str],
    categories: Mapping[str, str],
) -> Verdict | None:
    """What a human's label change says about the bot's triage, or None when it says nothing. Pure."""
    folded = label.casefold()
    bot_labels = {name.casefold() for name in state.labels}
    old = state.category
    if action == "unlabeled":
        if folded not in bot_labels:
            return None
        if folded in categories:
            others = [categories[n.casefold()] for n in labels_now if n.casefold() in categories]
            others = [slug for slug in others if slug != old]
            if others:
                return Verdict("corrected", old, others[0])
        return Verdict("rejected", old, None)
    if folded in bot_labels:
        return Verdict("confirmed", old, old)  # a human put the bot's label back
    slug = categories.get(folded)
    if slug is None:
        return None
    if old is None or slug == old:
        # The bot said "PTM" (and abstained on the category) or the same category: the human agrees.
        return Verdict("confirmed", old, slug)
    return Verdict("corrected", old, slug)


def _on_label_change(event: Event, ctx: HandlerContext, action: str) -> None:
    actor, actor_is_bot = payload.sender(event)
    if actor_is_bot:
        return
    issue = payload.issue_snapshot(event)
    label = payload.label_name(event)
    repo, number = issue.repo, issue.number
    if action == "unlabeled":
        ctx.records.record_removal(repo, number, label, actor)
    else:
        ctx.records.forget_removal(repo, number, label)

    state = ctx.records.issue_state(repo, number)
    if state is None or not state.labels:
        return  # the bot never labeled this issue: nothing to learn from
    config = ctx.configs.load(ctx.github, repo).config
    verdict = judge(action, label, state, issue.labels, category_by_label(config))
    if verdict is None:
        return
    ctx.records.record_feedback(
        FeedbackRecord(
            repo=repo,
            issue_number=number,
            delivery_id=event.delivery_id,
            label=label,
            action=action,
            actor=actor,
            kind=verdict.kind,
            old_category=verdict.old_category,
            new_category=verdict.new_category,
        )
    )
    ctx.log.info(
        "#%d feedback %s: %s %r (bot: %s, now: %s)",
        number, verdict.kind, action, label, verdict.old_category, verdict.new_category,
    )
    if verdict.kind == "rejected" and config.comment.delete_on_reject:
        _delete_comment(ctx, state, dry_run=ctx.dry_run or config.dry_run)


def _delete_comment(ctx: HandlerContext, state: IssueState, *, dry_run: bool) -> None:
    if state.comment_id is None or state.comment_state != "posted":
        return
    if dry_run or ctx.github is None:
        ctx.log.info("#%d would delete the bot's comment [dry run]", state.issue_number)
        return
    ctx.github.delete_comment(state.repo, state.issue_number, state.comment_id)
    ctx.records.note_applied(
        state.repo, state.issue_number, category=None, labels=(), comment_state="deleted"
    )
