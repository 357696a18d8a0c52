"""The resolution-time plot: an ECDF of time to close per group, as a self-contained SVG. Pure.

Drawn by hand (no plotting library at run time): step lines on a logarithmic time axis, from an hour to
years, one line for PTM-related issues, one for the others, and a thinner one per category. Every text
is escaped, so the SVG can be put inline in a page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from bot.resolution.stats import MIN_FOR_TEST, GroupStats, ResolutionReport

WIDTH, HEIGHT = 820, 420  # pixels
LEFT, RIGHT, TOP, BOTTOM = 56, 290, 36, 48  # margins; the legend lives in the right one
MIN_DAYS = 1 / 24  # an hour: quicker closes are drawn at the axis' start
# (days, label) of the time axis' ticks.
TICKS = ((1 / 24, "1 h"), (1.0, "1 d"), (7.0, "1 wk"), (30.0, "1 mo"), (182.0, "6 mo"), (365.0, "1 y"),
         (730.0, "2 y"), (1825.0, "5 y"))
MAIN_COLOURS = {"PTM-related": "#d62728", "other": "#555555"}
CATEGORY_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def _x_range(groups: Sequence[GroupStats]) -> tuple[float, float]:
    longest = max((g.days[-1] for g in groups if g.days), default=365.0)
    high = next((days for days, _ in TICKS if days >= longest), TICKS[-1][0])
    return MIN_DAYS, max(high, 30.0)


def _fmt_days(days: float | None) -> str:
    if days is None:
        return "-"
    if days < 1:
        return f"{days * 24:.1f} h"
    return f"{days:.1f} d"


class _Axes:
    def __init__(self, low: float, high: float) -> None:
        self.log_low, self.log_high = math.log10(low), math.log10(high)
        self.plot_w, self.plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(self, days: float) -> float:
        clamped = min(max(days, 10**self.log_low), 10**self.log_high)
        return LEFT + (math.log10(clamped) - self.log_low) / (self.log_high - self.log_low) * self.plot_w

    def y(self, share: float) -> float:
        return TOP + (1 - share) * self.plot_h


def _steps(axes: _Axes, days: Sequence[float]) -> str:
    """The ECDF as polyline points: flat, then up one step per issue."""
    n = len(days)
    points = [(axes.x(MIN_DAYS), axes.y(0.0))]
    for i, d in enumerate(days):
        x = axes.x(d)
        points += [(x, axes.y(i / n)), (x, axes.y((i + 1) / n))]
    points.append((LEFT + axes.plot_w, axes.y(1.0)))
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _frame(axes: _Axes, low: float, high: float) -> list[str]:
    parts = [f'<rect x="{LEFT}" y="{TOP}" width="{axes.plot_w}" height="{axes.plot_h}" fill="none" stroke="#999"/>']
    for days, label in TICKS:
        if low <= days <= high:
            x = axes.x(days)
            parts.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + axes.plot_h}" stroke="#eee"/>')
            parts.append(f'<text x="{x:.1f}" y="{TOP + axes.plot_h + 16}" text-anchor="middle">{label}</text>')
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = axes.y(share)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + axes.plot_w}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{share:.0%}</text>')
    parts.append(
        f'<text x="{LEFT + axes.plot_w / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle">time to close</text>'
    )
    parts.append(
        f'<text transform="translate(14 {TOP + axes.plot_h / 2:.1f}) rotate(-90)" text-anchor="middle">'
        "share of closed issues</text>"
    )
    return parts


def ecdf_svg(report: ResolutionReport, title: str | None = None) -> str:
    """The plot of `report` as an SVG document (a string)."""
    # PTM-related first, then the others, then the categories with enough issues for a line.
    drawn = [(g, MAIN_COLOURS[g.name], 2.5) for g in (report.ptm, report.other) if g.closed]
    categories = [g for g in report.categories if g.closed >= MIN_FOR_TEST]
    drawn += [(g, CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)], 1.2) for i, g in enumerate(categories)]
    low, high = _x_range([g for g, _, _ in drawn])
    axes = _Axes(low, high)
    heading = title or f"Time to close: {report.repo or 'all repositories'}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11" role="img">',
        f"<title>{escape(heading)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold">{escape(heading)}</text>',
        *_frame(axes, low, high),
    ]
    for group, colour, width in reversed(drawn):  # main lines on top
        dash = ' stroke-dasharray="6 3"' if group.name == "other" else ""
        parts.append(
            f'<polyline points="{_steps(axes, group.days)}" fill="none" stroke="{colour}" '
            f'stroke-width="{width}"{dash}/>'
        )
    legend_x = WIDTH - RIGHT + 14
    for i, (group, colour, width) in enumerate(drawn):
        y = TOP + 8 + i * 18
        dash = ' stroke-dasharray="6 3"' if group.name == "other" else ""
        parts.append(
            f'<line x1="{legend_x}" y1="{y}" x2="{legend_x + 22}" y2="{y}" stroke="{colour}" '
            f'stroke-width="{width}"{dash}/>'
        )
        text = f"{group.name} (n={group.closed}, median {_fmt_days(group.median_days)})"
        parts.append(f'<text x="{legend_x + 28}" y="{y + 4}">{escape(text)}</text>')
    if not drawn:
        parts.append(f'<text x="{LEFT + 12}" y="{TOP + 24}">no closed issues yet</text>')
    parts.append("</svg>")
    return "\n".join(parts)
