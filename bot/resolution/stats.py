"""How long issues take to close: PTM-related against the others, and per category. Pure; no I/O.

Medians come with percentile bootstrap intervals (a fixed seed, so a report is reproducible), and each
comparison with a two-sided Mann–Whitney U test against the issues that are not PTM-related (SciPy); the
per-category p-values are Holm-adjusted, since seven categories are tested at once.
Only closed issues have a time to close; open ones are counted but not in the statistics (their time is
censored), which the report says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats as scipy_stats

from bot.store.issue_history import HistoryRow

BOOTSTRAP_RESAMPLES = 2000
CONFIDENCE = 0.95
SEED = 20250623  # any fixed number: the same data give the same intervals
MIN_FOR_TEST = 5  # issues a group needs before it gets an interval and a test
PTM = "PTM-related"
OTHER = "other"


@dataclass(frozen=True)
class GroupStats:
    name: str  # PTM, OTHER or a category slug
    closed: int
    still_open: int
    median_days: float | None
    low_days: float | None  # the bootstrap interval of the median
    high_days: float | None
    days: tuple[float, ...]  # every time to close, sorted (for the plot)


@dataclass(frozen=True)
class Comparison:
    """A group against the issues that are not PTM-related."""

    group: str
    u: float
    p_value: float
    effect: float  # P(a group issue takes longer than an other issue) + half the ties: 0.5 = no difference
    p_adjusted: float | None = None  # Holm-adjusted over the per-category tests (None for PTM vs other)


@dataclass(frozen=True)
class ResolutionReport:
    repo: str | None  # None: every repository in the store
    ptm: GroupStats
    other: GroupStats
    categories: tuple[GroupStats, ...]  # PTM-related issues by category, categories with issues only
    unclassified: int  # issues whose class is not known (never triaged, no label)
    ptm_vs_other: Comparison | None
    category_vs_other: tuple[Comparison, ...]

    @property
    def groups(self) -> tuple[GroupStats, ...]:
        return (self.ptm, self.other, *self.categories)


def median_interval(
    days: Sequence[float], resamples: int = BOOTSTRAP_RESAMPLES, confidence: float = CONFIDENCE, seed: int = SEED
) -> tuple[float, float]:
    """Percentile bootstrap interval of the median."""
    values = np.asarray(days, dtype=float)
    rng = np.random.default_rng(seed)
    samples = rng.choice(values, size=(resamples, values.size), replace=True)
    medians = np.median(samples, axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(medians, [tail, 100 - tail])
    return float(low), float(high)


def group_stats(name: str, rows: Sequence[HistoryRow]) -> GroupStats:
    days = sorted(d for d in (row.days_to_close for row in rows) if d is not None)
    still_open = sum(1 for row in rows if row.state != "closed")
    median = float(np.median(days)) if days else None
    low = high = None
    if len(days) >= MIN_FOR_TEST:
        low, high = median_interval(days)
    return GroupStats(name, len(days), still_open, median, low, high, tuple(days))


def compare(group: GroupStats, other: GroupStats) -> Comparison | None:
    """Mann–Whitney U of `group` against `other`; None when either has fewer than MIN_FOR_TEST issues."""
    if group.closed < MIN_FOR_TEST or other.closed < MIN_FOR_TEST:
        return None
    result = scipy_stats.mannwhitneyu(group.days, other.days, alternative="two-sided")
    u = float(result.statistic)
    return Comparison(group.name, u, float(result.pvalue), u / (group.closed * other.closed))


def holm(comparisons: Sequence[Comparison]) -> list[Comparison]:
    """The comparisons with Holm-adjusted p-values (several categories are tested at once), in input order."""
    order = sorted(range(len(comparisons)), key=lambda i: comparisons[i].p_value)
    adjusted = [1.0] * len(comparisons)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(comparisons) - rank) * comparisons[i].p_value))
        adjusted[i] = running
    return [replace(c, p_adjusted=a) for c, a in zip(comparisons, adjusted, strict=True)]


def resolution_report(rows: Sequence[HistoryRow], repo: str | None = None) -> ResolutionReport:
    """The statistics of `rows` (one repository's issues, or several repositories')."""
    ptm_rows = [row for row in rows if row.ptm is True]
    ptm = group_stats(PTM, ptm_rows)
    other = group_stats(OTHER, [row for row in rows if row.ptm is False])
    slugs = sorted({row.category for row in ptm_rows if row.category is not None})
    categories = tuple(group_stats(slug, [row for row in ptm_rows if row.category == slug]) for slug in slugs)
    by_category = holm([c for c in (compare(group, other) for group in categories) if c is not None])
    return ResolutionReport(
        repo=repo,
        ptm=ptm,
        other=other,
        categories=categories,
        unclassified=sum(1 for row in rows if row.ptm is None),
        ptm_vs_other=compare(ptm, other),
        category_vs_other=tuple(by_category),
    )
