"""The resolution-time report as text, JSON or a standalone HTML page with the plot (`ptm-triage report
--resolution`), and the plot alone for the status page."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from sqlalchemy import Engine

from bot.resolution.plot import ecdf_svg
from bot.resolution.stats import CONFIDENCE, Comparison, GroupStats, ResolutionReport, resolution_report
from bot.store.issue_history import load_history

FORMATS = ("text", "json", "html")


def build_report(engine: Engine, repo: str | None = None) -> ResolutionReport:
    """The report over the stored issue history (of `repo`, or of every repository)."""
    return resolution_report(load_history(engine, repo), repo)


def resolution_svg(engine: Engine, repo: str | None = None) -> str:
    """The time-to-close plot (an SVG document) for a page, e.g. the status page."""
    return ecdf_svg(build_report(engine, repo))


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} d"


def _interval(group: GroupStats) -> str:
    if group.low_days is None or group.high_days is None:
        return "-"
    return f"[{_days(group.low_days)}, {_days(group.high_days)}]"


def _test_line(c: Comparison) -> str:
    holm = "" if c.p_adjusted is None else f", Holm p={c.p_adjusted:.3g}"
    return f"{c.group} vs other: U={c.u:.0f}, p={c.p_value:.3g}{holm}, P(takes longer)={c.effect:.2f}"


def _scope(report: ResolutionReport) -> str:
    return report.repo or "all repositories"


def _rows(report: ResolutionReport) -> list[tuple[str, str, str, str, str]]:
    return [
        (("  " if g not in (report.ptm, report.other) else "") + g.name, str(g.closed), str(g.still_open),
         _days(g.median_days), _interval(g))
        for g in report.groups
    ]


def to_text(report: ResolutionReport) -> str:
    header = ("group", "closed", "open", "median", f"{CONFIDENCE:.0%} interval")
    table = [header, *_rows(report)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [f"Time to close: {_scope(report)} ({report.unclassified} issues not classified, left out)"]
    for row in table:
        cells = zip(row, widths, strict=True)
        lines.append("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(cells)))
    tests = [report.ptm_vs_other] if report.ptm_vs_other else []
    lines += ["", "Mann-Whitney U, two-sided, against the issues that are not PTM-related:"]
    lines += [f"  {_test_line(c)}" for c in [*tests, *report.category_vs_other]] or ["  (too few closed issues)"]
    lines.append("Medians of closed issues only; open issues have no time to close yet.")
    return "\n".join(lines) + "\n"


def _group_json(group: GroupStats) -> dict[str, Any]:
    return {
        "group": group.name, "closed": group.closed, "open": group.still_open, "median_days": group.median_days,
        "interval_days": None if group.low_days is None else [group.low_days, group.high_days],
    }


def to_json(report: ResolutionReport) -> str:
    def comparison(c: Comparison | None) -> dict[str, Any] | None:
        return None if c is None else {"group": c.group, "u": c.u, "p_value": c.p_value,
                                       "p_holm": c.p_adjusted, "p_longer": c.effect}

    data = {
        "repo": report.repo,
        "confidence": CONFIDENCE,
        "ptm": _group_json(report.ptm),
        "other": _group_json(report.other),
        "categories": [_group_json(g) for g in report.categories],
        "unclassified": report.unclassified,
        "ptm_vs_other": comparison(report.ptm_vs_other),
        "category_vs_other": [comparison(c) for c in report.category_vs_other],
    }
    return json.dumps(data, indent=2) + "\n"


def to_html(report: ResolutionReport) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in ("group", "closed", "open", "median", "95% interval"))
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell.strip())}</td>" for cell in row) + "</tr>" for row in _rows(report)
    )
    tests = [report.ptm_vs_other] if report.ptm_vs_other else []
    items = "".join(f"<li>{escape(_test_line(c))}</li>" for c in [*tests, *report.category_vs_other])
    title = escape(f"Time to close: {_scope(report)}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}}td,th{{padding:2px 10px;text-align:right}}
td:first-child,th:first-child{{text-align:left}}table{{border-collapse:collapse}}tr:nth-child(even){{background:#f4f4f4}}
</style></head><body>
<h1>{title}</h1>
{ecdf_svg(report)}
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
<p>Mann&ndash;Whitney U, two-sided, against the issues that are not PTM-related:</p>
<ul>{items or "<li>too few closed issues</li>"}</ul>
<p>Medians of closed issues only, with {CONFIDENCE:.0%} bootstrap intervals; open issues have no time to close
yet. {report.unclassified} issues were never classified and are left out.</p>
</body></html>
"""


def render(report: ResolutionReport, fmt: str) -> str:
    if fmt == "json":
        return to_json(report)
    if fmt == "html":
        return to_html(report)
    return to_text(report)
