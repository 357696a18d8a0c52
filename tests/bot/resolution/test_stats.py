"""Resolution statistics: medians, bootstrap intervals, Mann–Whitney U, Holm, and censoring of open issues."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.resolution.stats import (
    MIN_FOR_TEST,
    OTHER,
    PTM,
    Comparison,
    group_stats,
    holm,
    median_interval,
    resolution_report,
)
from bot.store.issue_history import HistoryRow
from tests.bot.resolution.history import START, history


def row(number: int, days: float | None, ptm: bool | None = True, category: str | None = "model-usage") -> HistoryRow:
    closed = None if days is None else START + timedelta(days=days)
    return HistoryRow("octo/app", number, START, closed, "open" if days is None else "closed", ptm, category)


def test_groups_and_counts() -> None:
    rows = history()
    report = resolution_report(rows, "octo/app")
    assert (report.ptm.name, report.other.name) == (PTM, OTHER)
    assert report.ptm.closed + report.ptm.still_open == sum(1 for r in rows if r.ptm is True)
    assert report.other.closed + report.other.still_open == sum(1 for r in rows if r.ptm is False)
    assert report.unclassified == sum(1 for r in rows if r.ptm is None) > 0
    assert [g.name for g in report.categories] == sorted({r.category for r in rows if r.category})
    assert sum(g.closed for g in report.categories) == report.ptm.closed


def test_a_real_difference_is_found() -> None:
    report = resolution_report(history(), "octo/app")
    assert report.ptm.median_days is not None and report.other.median_days is not None
    assert report.ptm.median_days > 2 * report.other.median_days
    assert report.ptm_vs_other is not None
    assert report.ptm_vs_other.p_value < 1e-6 and report.ptm_vs_other.effect > 0.7
    for comparison in report.category_vs_other:
        assert comparison.p_adjusted is not None and comparison.p_adjusted >= comparison.p_value


def test_no_difference_is_not_significant() -> None:
    report = resolution_report(history(ptm_days=1.2, other_days=1.2, seed=3), "octo/app")
    assert report.ptm_vs_other is not None
    assert report.ptm_vs_other.p_value > 0.05 and 0.4 < report.ptm_vs_other.effect < 0.6


def test_open_issues_are_counted_but_not_in_the_median() -> None:
    group = group_stats(PTM, [row(1, 1.0), row(2, 3.0), row(3, None), row(4, 5.0)])
    assert (group.closed, group.still_open, group.median_days) == (3, 1, 3.0)
    assert group.days == (1.0, 3.0, 5.0)
    assert group.low_days is None, "too few issues for an interval"


def test_bootstrap_interval_contains_the_median_and_is_reproducible() -> None:
    days = [float(d) for d in range(1, 41)]
    low, high = median_interval(days)
    assert low <= 20.5 <= high and high - low < 20
    assert median_interval(days) == (low, high)


def test_small_groups_get_no_test() -> None:
    rows = [row(n, float(n)) for n in range(1, MIN_FOR_TEST)] + [row(100 + n, 1.0, False, None) for n in range(20)]
    report = resolution_report(rows)
    assert report.ptm_vs_other is None and report.category_vs_other == ()


def test_empty_history() -> None:
    report = resolution_report([])
    assert report.ptm.median_days is None and report.ptm_vs_other is None and report.categories == ()


def test_holm_adjustment() -> None:
    raw = [Comparison("a", 1, 0.01, 0.5), Comparison("b", 1, 0.04, 0.5), Comparison("c", 1, 0.03, 0.5)]
    adjusted = [c.p_adjusted for c in holm(raw)]
    assert adjusted == pytest.approx([0.03, 0.06, 0.06])
    assert holm([replace(raw[0], p_value=0.9)])[0].p_adjusted == pytest.approx(0.9)
