"""Triage a new, reopened, transferred or freshly edited issue: predict, decide, apply, record."""

from __future__ import annotations

from dataclasses import replace

from bot.events import Event
from bot.github.label_cache import LabelCache
from bot.github.port import IssueSnapshot
from bot.handlers import issue_index
from bot.handlers.context import HandlerContext
from bot.observability import DECISIONS
from bot.store.decisions import DecisionRecord
from bot.triage import payload
from bot.triage.apply import Applied, apply_decision
from bot.triage.comment import comment_facts
from bot.triage.decide import Decision, Trigger, TriggerKind, decide, precheck
from bot.triage.policy import repository_policy, repository_share
from classifier.schema import Document, Prediction


def on_issues_opened(event: Event, ctx: HandlerContext) -> None:
    triage(event, ctx, "transferred" if payload.transferred(event) else "opened")


def on_issues_reopened(event: Event, ctx: HandlerContext) -> None:
    triage(event, ctx, "reopened")


def on_issues_edited(event: Event, ctx: HandlerContext) -> None:
    triage(event, ctx, "edited")


def build_document(issue: IssueSnapshot) -> Document:
    """What the classifier reads: the issue's title and description as the reporter wrote them."""
    return Document(title=issue.title, body=issue.body)


def triage(event: Event, ctx: HandlerContext, kind: TriggerKind, *, recorded_as: str | None = None) -> Decision:
    """`recorded_as`: the trigger the decision record names instead of `kind` (e.g. "backfill")."""
    issue = payload.issue_snapshot(event)
    if issue.is_pull_request:  # before any API call: pull requests are never triaged
        ctx.log.info("skipped #%d: pull request", issue.number)
        return Decision("skipped", "pull-request", reasons=("pull requests are not triaged",))
    state = ctx.records.issue_state(issue.repo, issue.number)
    # Triaged = the bot applied a category. After a PTM label alone, an early edit may still add one.
    already_triaged = state is not None and state.category is not None
    if kind == "edited" and already_triaged:  # the common edit: no API call, no inference
        ctx.log.debug("edit of #%d ignored: already triaged", issue.number)
        return Decision("skipped", "already-triaged", reasons=("the bot already categorised this issue",))

    loaded = ctx.configs.load(ctx.github, issue.repo)
    if loaded.error:
        ctx.log.warning("repository config invalid, using %s config: %s", loaded.source, loaded.error)
    trigger = Trigger(kind, payload.minutes_since_open(event), already_triaged)
    skipped = precheck(issue, loaded.config, issue.labels, trigger, deployment_dry_run=ctx.dry_run)
    if skipped is not None:
        ctx.log.info("#%d skipped (%s): %s", issue.number, skipped.why, "; ".join(skipped.reasons))
        if kind != "edited":  # edits are frequent: only a triage they trigger is worth a record
            _record_skip(event, ctx, issue, recorded_as or kind, skipped)
            issue_index.remember(event, ctx, issue, loaded.config, None, _source(recorded_as))
        return skipped
    scores = ctx.records.recent_ptm_scores(issue.repo)
    share = repository_share(ctx.predictor, scores)
    policy = repository_policy(ctx.predictor, loaded.config, share.share)
    prediction = ctx.predictor.predict(build_document(issue), policy)
    removed = set(ctx.records.removed_labels(issue.repo, issue.number))
    facts = comment_facts(issue.title, issue.body)

    def plan() -> Decision:
        return decide(
            issue, loaded.config, prediction, issue.labels, removed, trigger, deployment_dry_run=ctx.dry_run,
            facts=facts,
        )

    decision = plan()
    if decision.comment is not None:  # only a comment shows similar issues: look them up only then
        facts = replace(facts, similar=issue_index.similar_for(ctx, issue, loaded.config))
        decision = plan()
    issue_index.remember(event, ctx, issue, loaded.config, prediction, _source(recorded_as))
    if decision.labels and ctx.github is not None and (kind != "opened" or state is not None):
        # An older issue, or one the bot labeled before (a retried job), may have lost a label to a
        # human whose unlabeled event is not processed yet: the timeline knows. New issues skip the call.
        removed |= {
            e.label for e in ctx.github.label_events(issue.repo, issue.number)
            if e.action == "unlabeled" and not e.actor_is_bot
        }
        decision = plan()

    applied: Applied | None = None
    if ctx.github is None and not decision.dry_run:
        decision = replace(decision, dry_run=True, reasons=(*decision.reasons, "no GitHub credentials"))
    if decision.outcome == "labeled" and not decision.dry_run and ctx.github is not None:
        cache = ctx.label_cache if ctx.label_cache is not None else LabelCache()
        applied = apply_decision(
            ctx.github, ctx.records, issue, decision,
            comments_on_issue=payload.comment_count(event), cache=cache, claimant=event.delivery_id,
        )
    _record(event, ctx, issue, recorded_as or kind, prediction, decision, applied)
    return decision


def _source(recorded_as: str | None) -> str:
    return "backfill" if recorded_as == "backfill" else "webhook"


def _record_skip(
    event: Event, ctx: HandlerContext, issue: IssueSnapshot, kind: str, decision: Decision
) -> None:
    DECISIONS.labels(outcome=decision.outcome, category="none").inc()
    ctx.records.record_decision(
        DecisionRecord(
            repo=issue.repo, issue_number=issue.number, delivery_id=event.delivery_id, trigger=kind,
            model_version=None, ptm_score=None, category=None, category_score=None, scores={},
            labels_applied=(), comment_id=None, outcome=decision.outcome, why=decision.why,
            reasons=decision.reasons, dry_run=decision.dry_run, title=issue.title,
        )
    )


def _record(
    event: Event,
    ctx: HandlerContext,
    issue: IssueSnapshot,
    kind: str,
    prediction: Prediction,
    decision: Decision,
    applied: Applied | None,
) -> None:
    DECISIONS.labels(outcome=decision.outcome, category=decision.category or "none").inc()
    ctx.log.info(
        "#%d %s (%s): ptm=%.3f category=%s score=%s labels=%s comment=%s%s",
        issue.number,
        decision.outcome,
        decision.why,
        prediction.ptm_score,
        prediction.category,
        "-" if prediction.category_score is None else f"{prediction.category_score:.3f}",
        ",".join(decision.labels_to_add) or "-",
        applied.comment_action if applied else ("planned" if decision.comment else "none"),
        " [dry run]" if decision.dry_run else "",
    )
    ctx.records.record_decision(
        DecisionRecord(
            repo=issue.repo,
            issue_number=issue.number,
            delivery_id=event.delivery_id,
            trigger=kind,
            model_version=prediction.model_version,
            ptm_score=prediction.ptm_score,
            base_ptm_score=prediction.base_ptm_score,
            category=prediction.category,
            category_score=prediction.category_score,
            scores=dict(prediction.category_scores),
            labels_applied=decision.labels_to_add,
            comment_id=applied.comment_id if applied else None,
            outcome=decision.outcome,
            why=decision.why,
            reasons=decision.reasons,
            dry_run=decision.dry_run,
            title=issue.title,
            tier=prediction.tier,
            comment=decision.comment,
        )
    )
