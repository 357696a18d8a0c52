"""Maintainers' label changes: removals remembered, feedback recorded, comment deleted on request."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.events import Event
from bot.handlers import feedback, triage
from bot.handlers.feedback import Verdict, category_by_label, judge
from bot.repo_config.model import CommentConfig, default_config
from bot.store.decisions import IssueState, Records
from tests.bot.handlers.factories import REPO, StaticConfigs, context, event, issue_payload
from tests.support.fake_github import FakeGitHub
from tests.support.stored import feedback_for

PTM = "pre-trained model"
HW = "ptm: hardware"
USAGE = "ptm: model usage"
CATEGORIES = category_by_label(default_config())
BOT_STATE = IssueState(REPO, 7, "hardware-resources", (PTM, HW), 1001, "posted")


@pytest.mark.parametrize(
    ("action", "label", "labels_now", "expected"),
    [
        ("unlabeled", HW, (PTM,), Verdict("rejected", "hardware-resources", None)),
        ("unlabeled", HW, (PTM, USAGE), Verdict("corrected", "hardware-resources", "model-usage")),
        ("unlabeled", "PTM: HARDWARE", (PTM,), Verdict("rejected", "hardware-resources", None)),
        ("unlabeled", PTM, (HW,), Verdict("rejected", "hardware-resources", None)),
        ("unlabeled", "bug", (PTM, HW), None),
        ("labeled", USAGE, (PTM, HW, USAGE), Verdict("corrected", "hardware-resources", "model-usage")),
        ("labeled", HW, (PTM, HW), Verdict("confirmed", "hardware-resources", "hardware-resources")),
        ("labeled", "bug", (PTM, HW, "bug"), None),
    ],
)
def test_judge(action: str, label: str, labels_now: tuple[str, ...], expected: Verdict | None) -> None:
    assert judge(action, label, BOT_STATE, labels_now, CATEGORIES) == expected


def test_judge_category_after_ptm_only() -> None:
    state = IssueState(REPO, 7, None, (PTM,), None, "none")
    verdict = judge("labeled", USAGE, state, (PTM, USAGE), CATEGORIES)
    assert verdict == Verdict("confirmed", None, "model-usage")


def triaged(records: Records, github: FakeGitHub) -> None:
    github.add_issue(REPO, 7)
    triage.on_issues_opened(event(issue_payload()), context(records, github))
    github.calls.clear()


def label_event(
    action: str,
    label: str,
    labels_now: tuple[str, ...],
    *,
    sender: str = "maint",
    sender_type: str = "User",
    delivery: str = "f-1",
) -> Event:
    data = issue_payload(
        action=action, labels=labels_now, label=label, sender=sender, sender_type=sender_type, comments=1
    )
    return event(data, delivery=delivery)


def test_human_rejection_recorded_and_never_re_added(records: Records, github: FakeGitHub) -> None:
    triaged(records, github)
    github.human_unlabels(REPO, 7, HW)
    feedback.on_issues_unlabeled(label_event("unlabeled", HW, (PTM,)), context(records, github))

    [item] = feedback_for(records, REPO, 7)
    assert (item.kind, item.old_category, item.new_category, item.actor) == (
        "rejected",
        "hardware-resources",
        None,
        "maint",
    )
    assert records.removed_labels(REPO, 7) == {HW}
    assert len(github.comments(REPO, 7)) == 1, "comments are kept by default"

    again = issue_payload(action="reopened", labels=(PTM,), comments=1)
    triage.on_issues_reopened(event(again, delivery="d-2"), context(records, github))
    assert github.issue_labels(REPO, 7) == (PTM,)


def test_correction_with_old_and_new_category(records: Records, github: FakeGitHub) -> None:
    triaged(records, github)
    ctx = context(records, github)
    feedback.on_issues_labeled(label_event("labeled", USAGE, (PTM, HW, USAGE)), ctx)
    feedback.on_issues_unlabeled(label_event("unlabeled", HW, (PTM, USAGE), delivery="f-2"), ctx)
    kinds = [(f.kind, f.old_category, f.new_category) for f in feedback_for(records, REPO, 7)]
    assert kinds == [("corrected", "hardware-resources", "model-usage")] * 2
    assert github.writes() == []


def test_bot_label_changes_are_ignored(records: Records, github: FakeGitHub) -> None:
    triaged(records, github)
    feedback.on_issues_unlabeled(
        label_event("unlabeled", HW, (PTM,), sender="ptm-triage[bot]", sender_type="Bot"),
        context(records, github),
    )
    assert feedback_for(records, REPO, 7) == []
    assert records.removed_labels(REPO, 7) == frozenset()


def test_removal_remembered_on_untriaged_issue_without_feedback(records: Records, github: FakeGitHub) -> None:
    configs = StaticConfigs()
    feedback.on_issues_unlabeled(label_event("unlabeled", HW, ()), context(records, github, configs=configs))
    assert records.removed_labels(REPO, 7) == {HW}
    assert feedback_for(records, REPO, 7) == []
    assert configs.loads == 0 and github.calls == []


def test_relabel_by_human_confirms_and_clears_removal(records: Records, github: FakeGitHub) -> None:
    triaged(records, github)
    ctx = context(records, github)
    feedback.on_issues_unlabeled(label_event("unlabeled", HW, (PTM,)), ctx)
    feedback.on_issues_labeled(label_event("labeled", HW, (PTM, HW), delivery="f-2"), ctx)
    assert [f.kind for f in feedback_for(records, REPO, 7)] == ["rejected", "confirmed"]
    assert records.removed_labels(REPO, 7) == frozenset()
    [row] = [r for r in records.keep_report() if r.repo == REPO]
    assert (row.applied, row.kept) == (2, 2)


@pytest.mark.parametrize("dry_run", [False, True])
def test_comment_deleted_on_reject_when_configured(
    records: Records, github: FakeGitHub, dry_run: bool
) -> None:
    triaged(records, github)
    configs = StaticConfigs(replace(default_config(), comment=CommentConfig(delete_on_reject=True)))
    ctx = context(records, github, configs=configs, dry_run=dry_run)
    feedback.on_issues_unlabeled(label_event("unlabeled", HW, (PTM,)), ctx)
    if dry_run:
        assert len(github.comments(REPO, 7)) == 1 and github.writes() == []
        return
    assert github.comments(REPO, 7) == []
    state = records.issue_state(REPO, 7)
    assert state is not None and state.comment_state == "deleted"
    # A redelivery of the same event deletes nothing more; a re-triage posts nothing again.
    feedback.on_issues_unlabeled(label_event("unlabeled", HW, (PTM,)), ctx)
    assert github.writes().count("delete_comment") == 1
