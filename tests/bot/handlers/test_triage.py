"""The triage handler over the in-memory GitHub: what it writes, how often, and what it records."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from bot.errors import PermanentFailure, RetryLater, Throttled
from bot.github.label_cache import LabelCache
from bot.github.port import LabelEvent
from bot.handlers import triage
from bot.repo_config.model import CommentConfig, Triggers, default_config
from bot.store.decisions import Records
from bot.triage.comment import MARKER
from tests.bot.handlers.factories import (
    REPO,
    FakePredictor,
    StaticConfigs,
    context,
    event,
    issue_payload,
    prediction,
)
from tests.support.fake_github import FakeGitHub
from tests.support.stored import decisions_for

PTM = "pre-trained model"
HW = "ptm: hardware"


def opened(github: FakeGitHub, number: int = 7, **kwargs: object) -> dict[str, object]:
    github.add_issue(REPO, number, labels=kwargs.get("labels", ()))  # type: ignore[arg-type]
    return issue_payload(number, **kwargs)  # type: ignore[arg-type]


def test_opened_ptm_issue_gets_labels_and_one_comment(records: Records, github: FakeGitHub) -> None:
    data = opened(github)
    predictor = FakePredictor()
    triage.on_issues_opened(event(data), context(records, github, predictor=predictor))

    assert github.issue_labels(REPO, 7) == (PTM, HW)
    assert github.labels[REPO][HW.casefold()].color == default_config().categories["hardware-resources"].color
    [comment] = github.comments(REPO, 7)
    assert comment.body.startswith(MARKER)
    assert predictor.seen[0].title == data["issue"]["title"]  # type: ignore[index]
    [record] = decisions_for(records, REPO, 7)
    assert (record.outcome, record.labels_applied, record.comment_id) == ("labeled", (PTM, HW), comment.id)
    assert (record.model_version, record.delivery_id, record.dry_run) == ("test-1", "d-1", False)
    state = records.issue_state(REPO, 7)
    assert state is not None and state.comment_state == "posted" and state.category == "hardware-resources"


def test_api_calls_per_triaged_issue(records: Records, github: FakeGitHub) -> None:
    cache = LabelCache()
    github.add_repo_labels(REPO, PTM, HW)
    triage.on_issues_opened(event(opened(github, 1)), context(records, github, cache=cache))
    assert github.call_names() == ["repo_labels", "add_labels", "create_comment"]  # cold label cache
    github.calls.clear()
    triage.on_issues_opened(event(opened(github, 2), delivery="d-2"), context(records, github, cache=cache))
    assert github.call_names() == ["add_labels", "create_comment"]  # warm: 2 calls


def test_missing_labels_created_once(records: Records, github: FakeGitHub) -> None:
    cache = LabelCache()
    triage.on_issues_opened(event(opened(github, 1)), context(records, github, cache=cache))
    triage.on_issues_opened(event(opened(github, 2), delivery="d-2"), context(records, github, cache=cache))
    assert github.call_names().count("create_label") == 2
    assert github.call_names().count("repo_labels") == 1


def test_redelivery_posts_no_second_comment(records: Records, github: FakeGitHub) -> None:
    data = opened(github)
    for _ in range(3):
        triage.on_issues_opened(event(data), context(records, github))
    assert len(github.comments(REPO, 7)) == 1
    assert github.writes().count("create_comment") == 1
    assert "edit_comment" not in github.writes()  # same body: nothing to edit
    assert len(decisions_for(records, REPO, 7)) == 1  # one record per delivery


def test_crash_after_comment_was_accepted(records: Records, github: FakeGitHub) -> None:
    data = opened(github)
    github.fail("create_comment", RetryLater("502 after write", 1.0), after_apply=True)
    with pytest.raises(RetryLater):
        triage.on_issues_opened(event(data), context(records, github))
    triage.on_issues_opened(event(data), context(records, github))  # the retry
    assert len(github.comments(REPO, 7)) == 1
    assert decisions_for(records, REPO, 7)[0].comment_id == github.comments(REPO, 7)[0].id


def test_a_post_that_failed_is_retried_at_once_by_the_same_job(records: Records, github: FakeGitHub) -> None:
    data = opened(github)
    github.fail("create_comment", RetryLater("502 before write", 1.0))
    with pytest.raises(RetryLater):
        triage.on_issues_opened(event(data), context(records, github))
    triage.on_issues_opened(event(data), context(records, github))  # the retry: its own claim, not a wait
    assert len(github.comments(REPO, 7)) == 1
    assert decisions_for(records, REPO, 7)[0].comment_id == github.comments(REPO, 7)[0].id


def test_comment_edited_in_place_when_the_view_changes(records: Records, github: FakeGitHub) -> None:
    data = opened(github)
    triage.on_issues_opened(event(data), context(records, github))
    first = github.comments(REPO, 7)[0]
    predictor = FakePredictor(replace(prediction(), category_terms=("nvidia-smi",)))
    triage.on_issues_opened(event(data, delivery="d-2"), context(records, github, predictor=predictor))
    [comment] = github.comments(REPO, 7)
    assert comment.id == first.id and comment.body != first.body and "nvidia" in comment.body


def test_comment_a_human_deleted_is_not_posted_again(records: Records, github: FakeGitHub) -> None:
    data = opened(github)
    triage.on_issues_opened(event(data), context(records, github))
    github.issues[(REPO, 7)].comments.clear()  # a maintainer deleted it
    triage.on_issues_opened(event(data, delivery="d-2"), context(records, github))
    assert github.comments(REPO, 7) == []
    assert github.writes().count("create_comment") == 1


def test_non_ptm_issue_writes_nothing(records: Records, github: FakeGitHub) -> None:
    predictor = FakePredictor(prediction(ptm=0.1))
    triage.on_issues_opened(event(opened(github)), context(records, github, predictor=predictor))
    assert github.writes() == []
    assert decisions_for(records, REPO, 7)[0].outcome == "abstained"


@pytest.mark.parametrize("where", ["deployment", "repository"])
def test_dry_run_decides_and_records_but_writes_nothing(
    records: Records, github: FakeGitHub, where: str
) -> None:
    configs = StaticConfigs(replace(default_config(), dry_run=where == "repository"))
    ctx = context(records, github, configs=configs, dry_run=where == "deployment")
    triage.on_issues_opened(event(opened(github)), ctx)
    assert github.writes() == []
    [record] = decisions_for(records, REPO, 7)
    assert record.dry_run and record.labels_applied == (PTM, HW)
    assert records.issue_state(REPO, 7) is None


def test_without_credentials_runs_from_the_payload(records: Records) -> None:
    triage.on_issues_opened(event(issue_payload()), context(records, None))
    [record] = decisions_for(records, REPO, 7)
    assert record.dry_run and record.outcome == "labeled"


@pytest.mark.parametrize(
    "kwargs",
    [{"pull_request": True}, {"author": "dependabot[bot]", "author_type": "Bot"}],
    ids=["pull-request", "bot-author"],
)
def test_skipped_issues_cost_no_writes(
    records: Records, github: FakeGitHub, kwargs: dict[str, object]
) -> None:
    predictor = FakePredictor()
    triage.on_issues_opened(event(opened(github, **kwargs)), context(records, github, predictor=predictor))
    assert github.writes() == []
    assert predictor.seen == [], "skipped before inference"
    if kwargs.get("pull_request"):
        assert github.calls == []
    else:
        assert decisions_for(records, REPO, 7)[0].why == "bot-author"


def test_transferred_issue_triaged_unless_categorised(records: Records, github: FakeGitHub) -> None:
    moved = {"changes": {"old_issue": {"number": 3}, "old_repository": {"full_name": "octo/old"}}}
    triage.on_issues_opened(event(opened(github, 1, extra=moved)), context(records, github))
    assert github.issue_labels(REPO, 1) == (PTM, HW)
    assert decisions_for(records, REPO, 1)[0].trigger == "transferred"

    data = opened(github, 2, labels=("ptm: usage", "ptm: model usage"), extra=moved)
    triage.on_issues_opened(event(data, delivery="d-2"), context(records, github))
    assert decisions_for(records, REPO, 2)[0].why == "already-categorised"
    assert github.comments(REPO, 2) == []


def test_reopened_after_triage_is_left_alone(records: Records, github: FakeGitHub) -> None:
    triage.on_issues_opened(event(opened(github)), context(records, github))
    reopened = issue_payload(action="reopened", labels=github.issue_labels(REPO, 7), comments=1)
    triage.on_issues_reopened(event(reopened, delivery="d-2"), context(records, github))
    assert len(github.comments(REPO, 7)) == 1
    assert decisions_for(records, REPO, 7)[-1].why == "already-categorised"


def test_never_re_adds_a_label_a_human_removed(records: Records, github: FakeGitHub) -> None:
    triage.on_issues_opened(event(opened(github)), context(records, github))
    github.human_unlabels(REPO, 7, HW)
    records.record_removal(REPO, 7, HW, "maintainer")
    again = issue_payload(action="reopened", labels=github.issue_labels(REPO, 7), comments=1)
    triage.on_issues_reopened(event(again, delivery="d-2"), context(records, github))
    assert github.issue_labels(REPO, 7) == (PTM,)
    assert decisions_for(records, REPO, 7)[-1].why == "category-rejected"


def test_timeline_removal_seen_on_reopen(records: Records, github: FakeGitHub) -> None:
    # The removal happened before the bot could record it: only the issue's timeline knows.
    github.add_issue(REPO, 7)
    github.issues[(REPO, 7)].events.append(
        LabelEvent("unlabeled", HW, "maintainer", False, "2026-01-01T00:05:00Z")
    )
    triage.on_issues_reopened(event(issue_payload(action="reopened")), context(records, github))
    assert "label_events" in github.call_names()
    assert github.issue_labels(REPO, 7) == (PTM,)


def test_opened_does_not_read_the_timeline(records: Records, github: FakeGitHub) -> None:
    triage.on_issues_opened(event(opened(github)), context(records, github))
    assert "label_events" not in github.call_names()


def test_edit_triggers_within_the_window_only(records: Records, github: FakeGitHub) -> None:
    configs = StaticConfigs(replace(default_config(), triggers=Triggers(edited_within_minutes=10)))
    github.add_issue(REPO, 7)
    late = issue_payload(action="edited", updated_at="2026-01-01T00:30:00Z")
    predictor = FakePredictor()
    decision = triage.triage(event(late), context(records, github, configs=configs, predictor=predictor),
                             "edited")
    assert decision.why == "edit-too-late"
    assert github.writes() == [] and predictor.seen == []  # no inference for a skipped edit
    assert decisions_for(records, REPO, 7) == []  # nor a record: edits are frequent

    soon = issue_payload(action="edited", updated_at="2026-01-01T00:04:00Z")
    triage.on_issues_edited(event(soon, delivery="d-2"), context(records, github, configs=configs))
    assert github.issue_labels(REPO, 7) == (PTM, HW)

    github.calls.clear()
    loads = configs.loads
    triage.on_issues_edited(event(soon, delivery="d-3"), context(records, github, configs=configs))
    assert github.calls == [] and configs.loads == loads  # already triaged: no API call, no config


def test_comments_off_labels_only(records: Records, github: FakeGitHub) -> None:
    configs = StaticConfigs(replace(default_config(), comment=CommentConfig(enabled=False)))
    triage.on_issues_opened(event(opened(github)), context(records, github, configs=configs))
    assert github.issue_labels(REPO, 7) == (PTM, HW)
    assert github.comments(REPO, 7) == []


def test_invalid_config_falls_back_and_still_triages(records: Records, github: FakeGitHub) -> None:
    configs = StaticConfigs(error="enabled: expected a boolean")
    triage.on_issues_opened(event(opened(github)), context(records, github, configs=configs))
    assert github.issue_labels(REPO, 7) == (PTM, HW)


def test_malformed_payload_is_a_permanent_failure(records: Records) -> None:
    with pytest.raises(PermanentFailure):
        triage.on_issues_opened(
            event({"action": "opened", "repository": {"full_name": REPO}}), context(records, None)
        )


def test_retried_job_does_not_re_add_a_label_removed_meanwhile(records: Records, github: FakeGitHub) -> None:
    data = opened(github)
    triage.on_issues_opened(event(data), context(records, github))
    github.human_unlabels(REPO, 7, HW)  # its unlabeled delivery is still waiting in the inbox
    triage.on_issues_opened(event(data), context(records, github))  # the same delivery runs again
    assert github.issue_labels(REPO, 7) == (PTM,)
    assert len(github.comments(REPO, 7)) == 1


def test_early_edit_adds_the_category_after_a_ptm_label_alone(records: Records, github: FakeGitHub) -> None:
    configs = StaticConfigs(replace(default_config(), triggers=Triggers(edited_within_minutes=10)))
    data = opened(github)
    unsure = FakePredictor(prediction(score=0.3))
    triage.on_issues_opened(event(data), context(records, github, configs=configs, predictor=unsure))
    assert github.issue_labels(REPO, 7) == (PTM,) and github.comments(REPO, 7) == []

    edited = issue_payload(action="edited", labels=(PTM,), updated_at="2026-01-01T00:03:00Z")
    triage.on_issues_edited(event(edited, delivery="d-2"), context(records, github, configs=configs))
    assert github.issue_labels(REPO, 7) == (PTM, HW)
    assert len(github.comments(REPO, 7)) == 1


def test_two_jobs_racing_on_one_issue_post_one_comment(records: Records, github: FakeGitHub) -> None:
    """An edit right after opening can be triaged by a second worker while the first is still posting."""
    data = opened(github)
    started, release = threading.Event(), threading.Event()
    create = github.create_comment

    def slow_create(repo: str, number: int, body: str) -> object:
        started.set()
        release.wait(10)
        return create(repo, number, body)

    github.create_comment = slow_create  # type: ignore[method-assign]
    first = threading.Thread(target=triage.on_issues_opened, args=(event(data), context(records, github)))
    first.start()
    assert started.wait(10)
    with pytest.raises(Throttled):  # the second job waits instead of posting
        triage.on_issues_opened(event(data, delivery="d-2"), context(records, github))
    release.set()
    first.join(10)
    triage.on_issues_opened(event(data, delivery="d-2"), context(records, github))  # its retry
    assert len(github.comments(REPO, 7)) == 1
