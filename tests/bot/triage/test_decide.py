"""decide(): every rule of the triage policy, table-driven."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.github.port import IssueSnapshot
from bot.repo_config.model import CommentConfig, RepoConfig, Triggers, default_config
from bot.triage.comment import MARKER
from bot.triage.decide import Decision, Trigger, decide
from tests.bot.handlers.factories import prediction

DEFAULT = default_config()
HW = "ptm: hardware"
PTM = "pre-trained model"

OPENED = Trigger("opened")
ISSUE = IssueSnapshot(
    repo="octo/models",
    number=1,
    title="CUDA OOM",
    body="out of memory",
    author="alice",
    author_is_bot=False,
    labels=(),
    is_pull_request=False,
    state="open",
    created_at="2026-01-01T00:00:00Z",
)


def category_off(slug: str) -> RepoConfig:
    categories = dict(DEFAULT.categories)
    categories[slug] = replace(categories[slug], enabled=False)
    return replace(DEFAULT, categories=MappingProxyType(categories))


def run(
    *,
    issue: dict[str, Any] | None = None,
    config: RepoConfig = DEFAULT,
    pred: Any = None,
    labels: tuple[str, ...] = (),
    removed: tuple[str, ...] = (),
    trigger: Trigger = OPENED,
    dry_run: bool = False,
) -> Decision:
    return decide(
        replace(ISSUE, **(issue or {})),
        config,
        pred if pred is not None else prediction(),
        labels,
        removed,
        trigger,
        deployment_dry_run=dry_run,
    )


CASES: list[tuple[str, dict[str, Any], str, str, tuple[str, ...]]] = [
    # id, run() arguments, outcome, why, labels added
    ("labels a confident PTM issue", {}, "labeled", "labeled", (PTM, HW)),
    ("abstains below the PTM threshold", {"pred": prediction(ptm=0.49)}, "abstained", "not-ptm", ()),
    (
        "PTM label only when the category is unsure",
        {"pred": prediction(score=0.59)},
        "labeled",
        "category-abstained",
        (PTM,),
    ),
    (
        "no category scores at all",
        {"pred": prediction(category=None)},
        "labeled",
        "category-abstained",
        (PTM,),
    ),
    (
        "the policy's PTM threshold is above the score",
        {"pred": prediction(ptm_threshold=0.97)},
        "abstained",
        "not-ptm",
        (),
    ),
    (
        "repo cannot lower the PTM threshold",
        {"config": replace(DEFAULT, ptm_threshold=0.1), "pred": prediction(ptm=0.3)},
        "abstained",
        "not-ptm",
        (),
    ),
    (
        "the policy's category threshold is above the score",
        {"pred": prediction(category_threshold=0.95)},
        "labeled",
        "category-abstained",
        (PTM,),
    ),
    (
        "repo cannot lower the category threshold",
        {"config": replace(DEFAULT, category_threshold=0.1), "pred": prediction(score=0.5)},
        "labeled",
        "category-abstained",
        (PTM,),
    ),
    (
        "threshold equal to the score labels",
        {"pred": prediction(ptm=0.5, score=0.6)},
        "labeled",
        "labeled",
        (PTM, HW),
    ),
    ("disabled repository", {"config": replace(DEFAULT, enabled=False)}, "skipped", "disabled", ()),
    ("pull request", {"issue": {"is_pull_request": True}}, "skipped", "pull-request", ()),
    (
        "bot author (flag)",
        {"issue": {"author": "renovate", "author_is_bot": True}},
        "skipped",
        "bot-author",
        (),
    ),
    ("bot author ([bot] login)", {"issue": {"author": "Dependabot[bot]"}}, "skipped", "bot-author", ()),
    (
        "bots triaged when skip_bots is off",
        {"issue": {"author_is_bot": True}, "config": replace(DEFAULT, skip_bots=False)},
        "labeled",
        "labeled",
        (PTM, HW),
    ),
    (
        "skip_authors, case-insensitive",
        {"issue": {"author": "Alice"}, "config": replace(DEFAULT, skip_authors=("alice",))},
        "skipped",
        "skip-author",
        (),
    ),
    (
        "skip_labels",
        {"labels": ("WontFix",), "config": replace(DEFAULT, skip_labels=("wontfix",))},
        "skipped",
        "skip-label",
        (),
    ),
    (
        "already categorised by a human",
        {"labels": ("PTM: Performance",)},
        "skipped",
        "already-categorised",
        (),
    ),
    (
        "a disabled category's label still counts as categorised",
        {"labels": ("ptm: acquisition",), "config": category_off("model-acquisition")},
        "skipped",
        "already-categorised",
        (),
    ),
    ("PTM label present: only the category is added", {"labels": (PTM,)}, "labeled", "labeled", (HW,)),
    (
        "PTM label present, category unsure: nothing to add",
        {"labels": (PTM,), "pred": prediction(score=0.1)},
        "abstained",
        "category-abstained",
        (),
    ),
    ("unrelated labels do not matter", {"labels": ("bug",)}, "labeled", "labeled", (PTM, HW)),
    (
        "category turned off: PTM label only",
        {"config": category_off("hardware-resources")},
        "labeled",
        "category-disabled",
        (PTM,),
    ),
    (
        "human removed the category label",
        {"removed": ("PTM: HARDWARE",)},
        "labeled",
        "category-rejected",
        (PTM,),
    ),
    ("human removed the PTM label: nothing at all", {"removed": (PTM,)}, "skipped", "human-rejected", ()),
    ("removal of an unrelated label changes nothing", {"removed": ("bug",)}, "labeled", "labeled", (PTM, HW)),
    (
        "label prefix on every label",
        {"config": replace(DEFAULT, label_prefix="bot/")},
        "labeled",
        "labeled",
        ("bot/" + PTM, "bot/" + HW),
    ),
    (
        "prefixed category label counts as categorised",
        {"labels": ("bot/ptm: model usage",), "config": replace(DEFAULT, label_prefix="bot/")},
        "skipped",
        "already-categorised",
        (),
    ),
    (
        "unprefixed name is not the repo's category label",
        {"labels": ("ptm: model usage",), "config": replace(DEFAULT, label_prefix="bot/")},
        "labeled",
        "labeled",
        ("bot/" + PTM, "bot/" + HW),
    ),
    ("no PTM label configured", {"config": replace(DEFAULT, ptm_label=None)}, "labeled", "labeled", (HW,)),
    (
        "no PTM label, unsure category",
        {"config": replace(DEFAULT, ptm_label=None), "pred": prediction(score=0.2)},
        "abstained",
        "category-abstained",
        (),
    ),
    ("reopened triaged by default", {"trigger": Trigger("reopened")}, "labeled", "labeled", (PTM, HW)),
    (
        "reopened trigger off",
        {"trigger": Trigger("reopened"), "config": replace(DEFAULT, triggers=Triggers(reopened=False))},
        "skipped",
        "trigger-off",
        (),
    ),
    (
        "opened trigger off",
        {"config": replace(DEFAULT, triggers=Triggers(opened=False))},
        "skipped",
        "trigger-off",
        (),
    ),
    (
        "transferred follows the opened trigger",
        {"trigger": Trigger("transferred")},
        "labeled",
        "labeled",
        (PTM, HW),
    ),
    ("edits ignored by default", {"trigger": Trigger("edited", 1.0)}, "skipped", "trigger-off", ()),
    (
        "edit within the window",
        {
            "trigger": Trigger("edited", 9.0),
            "config": replace(DEFAULT, triggers=Triggers(edited_within_minutes=10)),
        },
        "labeled",
        "labeled",
        (PTM, HW),
    ),
    (
        "edit after the window",
        {
            "trigger": Trigger("edited", 11.0),
            "config": replace(DEFAULT, triggers=Triggers(edited_within_minutes=10)),
        },
        "skipped",
        "edit-too-late",
        (),
    ),
    (
        "edit of an issue already triaged",
        {
            "trigger": Trigger("edited", 1.0, already_triaged=True),
            "config": replace(DEFAULT, triggers=Triggers(edited_within_minutes=10)),
        },
        "skipped",
        "already-triaged",
        (),
    ),
]


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


def test_never_removes_labels() -> None:
    # Whatever the input, a Decision has no way to remove: only labels to add, none already present.
    for _, kwargs, *_ in CASES:
        decision = run(**kwargs)
        present = {name.casefold() for name in kwargs.get("labels", ())}
        assert not {name.casefold() for name in decision.labels_to_add} & present


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


LABEL_NAMES = st.sampled_from(
    [PTM, HW, "PTM: Hardware", "ptm: model usage", "bug", "wontfix", "Pre-Trained Model"]
)


@given(
    labels=st.lists(LABEL_NAMES, max_size=4),
    removed=st.lists(LABEL_NAMES, max_size=4),
    ptm=st.floats(0, 1),
    score=st.floats(0, 1),
    kind=st.sampled_from(["opened", "reopened", "transferred", "edited"]),
)
@settings(max_examples=300, deadline=None)
def test_never_adds_present_or_removed_labels(
    labels: list[str], removed: list[str], ptm: float, score: float, kind: str
) -> None:
    config = replace(DEFAULT, triggers=Triggers(edited_within_minutes=5))
    decision = run(config=config, pred=prediction(ptm=ptm, score=score), labels=tuple(labels),
                   removed=tuple(removed), trigger=Trigger(kind, 1.0))  # type: ignore[arg-type]
    added = {name.casefold() for name in decision.labels_to_add}
    assert not added & {name.casefold() for name in [*labels, *removed]}
    assert len(decision.labels_to_add) == len(added) <= 2
    assert (decision.outcome == "labeled") == bool(added)
    if decision.comment is not None:
        assert decision.category is not None and HW.casefold() in added
