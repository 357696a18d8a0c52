"""The ECDF plot: a well-formed SVG with a line per group and nothing unescaped from the store."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bot.resolution.plot import ecdf_svg
from bot.resolution.stats import resolution_report
from tests.bot.resolution.history import history

SVG = "{http://www.w3.org/2000/svg}"


def test_one_step_line_per_group() -> None:
    report = resolution_report(history(), "octo/app")
    root = ET.fromstring(ecdf_svg(report))
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2 + len(report.categories)
    ptm_points = next(line for line in lines if line.get("stroke") == "#d62728").get("points", "").split()
    assert len(ptm_points) == 2 * report.ptm.closed + 2  # flat start, a rise per issue, flat end
    ys = [float(p.split(",")[1]) for p in ptm_points]
    assert ys == sorted(ys, reverse=True), "an ECDF only rises"
    legend = [t.text or "" for t in root.findall(f"{SVG}text")]
    assert any(t.startswith(f"PTM-related (n={report.ptm.closed}, median") for t in legend)


def test_names_are_escaped() -> None:
    report = resolution_report(history(), "octo/<script>alert(1)</script>")
    svg = ecdf_svg(report)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)


def test_no_closed_issues() -> None:
    svg = ecdf_svg(resolution_report([], None))
    root = ET.fromstring(svg)
    assert root.findall(f"{SVG}polyline") == []
    assert "no closed issues yet" in svg and "all repositories" in svg
