"""decide(): every rule of the triage policy, table-driven."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.repo_config.model import CommentConfig
from bot.triage.comment import MARKER
from tests.bot.handlers.factories import prediction
from tests.bot.triage.decide_cases import CASES, DEFAULT, HW, PTM, run


@pytest.mark.parametrize(
    ("kwargs", "outcome", "why", "labels"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_decide_table(kwargs: dict[str, Any], outcome: str, why: str, labels: tuple[str, ...]) -> None:
    decision = run(**kwargs)
    assert (decision.outcome, decision.why, decision.labels_to_add) == (outcome, why, labels)
    assert decision.reasons, "every decision explains itself"
    if decision.category is None:
        assert decision.comment is None


def test_comment_only_with_a_category_label() -> None:
    labeled = run()
    assert labeled.category == "hardware-resources"
    assert labeled.comment is not None and labeled.comment.startswith(MARKER)
    assert run(pred=prediction(score=0.3)).comment is None


def test_comments_off_still_labels() -> None:
    decision = run(config=replace(DEFAULT, comment=CommentConfig(enabled=False)))
    assert decision.labels_to_add == (PTM, HW)
    assert decision.comment is None


def test_label_specs_carry_taxonomy_color_and_description() -> None:
    specs = {spec.name: spec for spec in run().labels}
    assert specs[HW].color == DEFAULT.categories["hardware-resources"].color
    assert specs[PTM].description == DEFAULT.ptm_label_description


@pytest.mark.parametrize(
    ("deployment", "repo", "expected"),
    [
        (False, False, False),
        (True, False, True),
        (False, True, True),
        (True, True, True),
    ],
)
def test_dry_run_from_deployment_or_repo(deployment: bool, repo: bool, expected: bool) -> None:
    decision = run(config=replace(DEFAULT, dry_run=repo), dry_run=deployment)
    assert decision.dry_run is expected
    assert decision.labels_to_add == (PTM, HW), "a dry run plans the same labels"


def test_the_prediction_thresholds_are_the_policy_in_force() -> None:
    # The repository's policy is applied before decide(): a low threshold labels a low score.
    decision = run(pred=prediction(ptm=0.3, score=0.4, ptm_threshold=0.25, category_threshold=0.35))
    assert decision.outcome == "labeled" and decision.category == "hardware-resources"
    assert run(pred=prediction(ptm=0.3, ptm_threshold=0.35)).outcome == "abstained"


def test_labels_at_the_label_tier_comment_only_at_the_comment_tier() -> None:
    label_tier = run(pred=prediction(ptm=0.8, score=0.7, comment_ptm_threshold=0.9))
    assert label_tier.outcome == "labeled" and label_tier.labels_to_add == (PTM, HW)
    assert label_tier.comment is None
    assert "below the comment tier: labels only" in label_tier.reasons
    comment_tier = run(pred=prediction(ptm=0.95, score=0.9))
    assert comment_tier.comment is not None


def test_a_closed_issue_is_labelled_without_a_comment() -> None:
    """A backfill over closed issues labels them for the record but does not wake their threads."""
    closed = run(issue={"state": "closed"})
    assert closed.outcome == "labeled" and closed.labels_to_add == (PTM, HW)
    assert closed.comment is None and "the issue is closed: labels only" in closed.reasons
