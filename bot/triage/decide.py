"""The triage policy: from what we know about an issue to a plan. Pure — no I/O, no clock, no globals.

The handler gathers the inputs (issue snapshot, repository config, prediction, the labels a human removed,
what triggered the run) and applies the returned Decision. Every rule of "precision first" and "never
fight a human" lives here, so it can be tested exhaustively.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from bot.github.port import IssueSnapshot
from bot.repo_config.model import RepoConfig
from bot.triage.comment import CommentFacts, comment_facts, render_comment
from classifier.schema import Prediction
from classifier.taxonomy import LabelSpec, Taxonomy, load_taxonomy

Outcome = Literal["labeled", "abstained", "skipped"]
TriggerKind = Literal["opened", "reopened", "edited", "transferred"]


@dataclass(frozen=True)
class Trigger:
    """Why triage runs now. `minutes_since_open` matters only for edits."""

    kind: TriggerKind
    minutes_since_open: float = 0.0
    already_triaged: bool = False  # the bot applied a category label to this issue before (from the store)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    why: str  # a short stable code: "labeled", "not-ptm", "pull-request", "already-categorised", ...
    labels: tuple[LabelSpec, ...] = ()  # to add, with the spec used to create a missing label
    category: str | None = None  # the category whose label is added, if any
    comment: str | None = None  # the body of the one comment to create or edit, or None
    reasons: tuple[str, ...] = ()  # human-readable, for logs and the decision record
    dry_run: bool = False  # decide and record only: write nothing to GitHub

    @property
    def labels_to_add(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.labels)


def _fold(names: Collection[str]) -> frozenset[str]:
    # GitHub label names and logins compare case-insensitively.
    return frozenset(name.casefold() for name in names)


def category_label_names(config: RepoConfig) -> frozenset[str]:
    """Every category label name of the config (case-folded), enabled or not."""
    return _fold([config.label_for(slug) for slug in config.categories])


def _skip_reason(
    issue: IssueSnapshot, config: RepoConfig, current: frozenset[str], trigger: Trigger
) -> tuple[str, str] | None:
    """(code, explanation) when the issue must be left alone whatever the model says."""
    if not config.enabled:
        return "disabled", "the repository turned the bot off"
    if issue.is_pull_request:
        return "pull-request", "pull requests are not triaged"
    if config.skip_bots and (issue.author_is_bot or issue.author.casefold().endswith("[bot]")):
        return "bot-author", f"opened by a bot ({issue.author})"
    if issue.author.casefold() in _fold(config.skip_authors):
        return "skip-author", f"author {issue.author} is in skip_authors"
    skip_labels = _fold(config.skip_labels) & current
    if skip_labels:
        return "skip-label", f"carries a label from skip_labels ({', '.join(sorted(skip_labels))})"
    if category_label_names(config) & current:
        return "already-categorised", "the issue already carries a category label"
    return _trigger_skip(config, trigger)


def _trigger_skip(config: RepoConfig, trigger: Trigger) -> tuple[str, str] | None:
    triggers = config.triggers
    if trigger.kind == "reopened" and not triggers.reopened:
        return "trigger-off", "reopened issues are not triaged in this repository"
    if trigger.kind in ("opened", "transferred") and not triggers.opened:
        return "trigger-off", "new issues are not triaged in this repository"
    if trigger.kind == "edited":
        window = triggers.edited_within_minutes
        if window <= 0:
            return "trigger-off", "edits do not trigger triage in this repository"
        if trigger.minutes_since_open > window:
            return "edit-too-late", f"edited more than {window} minutes after opening"
        if trigger.already_triaged:
            return "already-triaged", "the bot already categorised this issue"
    return None


def precheck(
    issue: IssueSnapshot,
    config: RepoConfig,
    current_labels: Collection[str],
    trigger: Trigger,
    *,
    deployment_dry_run: bool = False,
) -> Decision | None:
    """The "skipped" Decision when the issue must be left alone whatever the model says, else None.

    Needs no prediction, so the handler calls it first and spares the inference."""
    skip = _skip_reason(issue, config, _fold(current_labels), trigger)
    if skip is None:
        return None
    return Decision("skipped", skip[0], reasons=(skip[1],), dry_run=deployment_dry_run or config.dry_run)


def decide(
    issue: IssueSnapshot,
    config: RepoConfig,
    prediction: Prediction,
    current_labels: Collection[str],
    removed_by_human: Collection[str],
    trigger: Trigger,
    *,
    deployment_dry_run: bool = False,
    taxonomy: Taxonomy | None = None,
    facts: CommentFacts | None = None,
) -> Decision:
    """Plan what to do on `issue`. Only ever adds labels; abstains below the label tier's thresholds.

    The prediction carries the thresholds of the repository's policy (see bot/triage/policy.py): labels at
    the label tier, the comment only at the stricter comment tier."""
    dry_run = deployment_dry_run or config.dry_run
    current = _fold(current_labels)
    removed = _fold(removed_by_human)

    skipped = precheck(issue, config, current_labels, trigger, deployment_dry_run=deployment_dry_run)
    if skipped is not None:
        return skipped

    ptm_threshold, category_threshold = prediction.ptm_threshold, prediction.category_threshold
    if prediction.ptm_score < ptm_threshold:
        reason = f"PTM score {prediction.ptm_score:.2f} below threshold {ptm_threshold:.2f}"
        return Decision("abstained", "not-ptm", reasons=(reason,), dry_run=dry_run)

    ptm_label = config.ptm_label_name
    if ptm_label is not None and ptm_label.casefold() in removed:
        reason = f"a human removed {ptm_label!r} from this issue"
        return Decision("skipped", "human-rejected", reasons=(reason,), dry_run=dry_run)

    reasons = [f"PTM score {prediction.ptm_score:.2f} >= {ptm_threshold:.2f}"]
    labels: list[LabelSpec] = []
    if ptm_label is not None and ptm_label.casefold() not in current:
        labels.append(LabelSpec(ptm_label, config.ptm_label_color, config.ptm_label_description))

    category, why = _pick_category(config, prediction, category_threshold, removed, reasons)
    comment = None
    if category is not None:
        settings = config.categories[category]
        labels.append(LabelSpec(config.label_for(category), settings.color, settings.description))
        if config.comment.enabled and prediction.tier != "comment":
            reasons.append("below the comment tier: labels only")
        elif config.comment.enabled and issue.state == "closed":
            reasons.append("the issue is closed: labels only")  # a backfill of closed issues stays quiet
        elif config.comment.enabled:
            comment = render_comment(
                (taxonomy or load_taxonomy()).get(category), config, prediction, category,
                facts if facts is not None else comment_facts(issue.title, issue.body), repo=issue.repo,
            )
        else:
            reasons.append("comments are turned off")

    if not labels:  # the PTM label is already there and no category clears the bar
        return Decision("abstained", why, reasons=tuple(reasons), dry_run=dry_run)
    return Decision(
        "labeled",
        why,
        labels=tuple(labels),
        category=category,
        comment=comment,
        reasons=tuple(reasons),
        dry_run=dry_run,
    )


def _pick_category(
    config: RepoConfig,
    prediction: Prediction,
    threshold: float,
    removed: frozenset[str],
    reasons: list[str],
) -> tuple[str | None, str]:
    """The category to label, or None with the code saying why not. Appends to `reasons`."""
    top = prediction.category
    score = prediction.category_score
    if top is None or score is None:
        reasons.append("no category scores")
        return None, "category-abstained"
    if score < threshold:
        reasons.append(f"category {top} score {score:.2f} below threshold {threshold:.2f}")
        return None, "category-abstained"
    settings = config.categories.get(top)
    if settings is None or not settings.enabled:
        reasons.append(f"category {top} is turned off in this repository")
        return None, "category-disabled"
    if config.label_for(top).casefold() in removed:
        reasons.append(f"a human removed {config.label_for(top)!r} from this issue")
        return None, "category-rejected"
    reasons.append(f"category {top} score {score:.2f} >= {threshold:.2f}")
    return top, "labeled"
