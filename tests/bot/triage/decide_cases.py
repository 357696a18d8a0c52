"""The decide() cases shared by its table test and its property tests: inputs, a runner and expectations."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

from bot.github.port import IssueSnapshot
from bot.repo_config.model import RepoConfig, Triggers, default_config
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
