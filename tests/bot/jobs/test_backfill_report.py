"""The backfill report: counts per category and tier, samples, agreement with the maintainers' labels."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType

from bot.jobs.backfill_html import render_html
from bot.jobs.backfill_report import build_report
from bot.repo_config.model import default_config
from bot.store.backfill import BackfilledIssue
from classifier.taxonomy import load_taxonomy

SLUGS = load_taxonomy().slugs
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def issue(number: int, their: tuple[str, ...], predicted: str | None, *, tier: str | None = "label",
          title: str = "an issue") -> BackfilledIssue:
    labelled = predicted is not None and tier is not None
    return BackfilledIssue(
        repo="octo/app", mode="dry-run", issue_number=number, title=title,
        html_url=f"https://github.com/octo/app/issues/{number}", author="alice", state="open",
        issue_labels=their, created_at=None, closed_at=None,
        outcome="labeled" if labelled else "abstained", why="labeled" if labelled else "not-ptm",
        category=predicted if labelled else None, tier=tier if labelled else None, predicted=predicted,
        labels=("pre-trained model",) if labelled else (), ptm_score=0.9, category_score=0.9,
    )


ISSUES = [
    issue(1, ("gpu",), "hardware-resources", tier="comment"),
    issue(2, ("gpu", "ptm: hardware"), "hardware-resources"),  # the bot's own label is no human judgement
    issue(3, ("gpu",), "software-environment"),
    issue(4, ("install",), None),
    issue(5, ("question",), "model-usage"),
    issue(6, (), None),
]


def test_label_map_gives_agreement_per_category() -> None:
    config = replace(default_config(), label_map=MappingProxyType({"GPU": "hardware-resources",
                                                                   "install": "software-environment"}))
    report = build_report("octo/app", "dry-run", ISSUES, config, slugs=SLUGS, finished=True, generated_at=NOW)
    agreement = report["agreement"]
    assert (agreement["judged"], agreement["bot_abstained"], agreement["agreed"]) == (4, 1, 2)
    assert agreement["agreement"] == 2 / 3
    assert agreement["categories"]["hardware-resources"] == {
        "humans": 3, "bot": 2, "both": 2, "precision": 1.0, "recall": 2 / 3}
    assert agreement["categories"]["software-environment"] == {
        "humans": 1, "bot": 1, "both": 0, "precision": 0.0, "recall": 0.0}


def test_without_a_label_map_their_labels_meet_the_bots_categories() -> None:
    report = build_report("octo/app", "dry-run", ISSUES, default_config(), slugs=SLUGS, finished=False,
                          generated_at=NOW)
    agreement = report["agreement"]
    rows = {row["label"]: dict(zip(agreement["columns"], row["cells"], strict=True)) for row in agreement["rows"]}
    assert set(rows) == {"gpu", "install", "question"}
    assert rows["gpu"]["hardware-resources"] == 2 and rows["gpu"]["software-environment"] == 1
    assert rows["install"]["none"] == 1
    assert report["categories"]["hardware-resources"] == {"comment": 1, "label": 1, "none": 0, "total": 2}
    assert report["categories"]["none"]["none"] == 2
    assert report["outcomes"] == {"labeled": 4, "abstained": 2}


def test_the_page_escapes_issue_text_and_says_when_a_run_is_unfinished() -> None:
    hostile = [issue(1, ("<b>x</b>",), "model-usage", title="<script>alert(1)</script>")]
    report = build_report("octo/app", "dry-run", hostile, default_config(), slugs=SLUGS, finished=False,
                          generated_at=NOW)
    html = render_html(report)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "This run was interrupted: run the same command again to finish it." in html
