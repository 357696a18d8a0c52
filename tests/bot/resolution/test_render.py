"""`ptm-triage report --resolution`: text, JSON and HTML from the stored history, and the plot file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.resolution.render import resolution_svg
from bot.store.engine import create_schema, make_engine
from bot.store.issue_history import record_issue
from tests.bot.resolution.history import history


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One store for the module: the reports only read it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('history') / 'history.db'}"
    engine = make_engine(url)
    create_schema(engine)
    for row in history() + history(40, repo="octo/other", seed=9):
        record_issue(engine, row)
    engine.dispose()
    return url


def test_text(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--resolution", "--database-url", store_url, "--repo", "octo/app"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Time to close: octo/app")
    assert out.splitlines()[1].split()[:4] == ["group", "closed", "open", "median"]
    assert "PTM-related vs other: U=" in out and "Holm p=" in out


def test_json_per_repository_and_overall(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--resolution", "--format", "json", "--database-url", store_url, "--repo", "octo/app"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert main(["report", "--resolution", "--format", "json", "--database-url", store_url]) == 0
    both = json.loads(capsys.readouterr().out)
    assert one["repo"] == "octo/app" and both["repo"] is None
    assert both["ptm"]["closed"] > one["ptm"]["closed"] > 0
    assert one["ptm_vs_other"]["p_value"] < 0.001
    assert len(one["ptm"]["interval_days"]) == 2


def test_html_with_the_plot_and_a_plot_file(store_url: str, tmp_path: Path) -> None:
    page, plot = tmp_path / "report.html", tmp_path / "plot.svg"
    args = ["report", "--resolution", "--format", "html", "--database-url", store_url, "--repo", "octo/app"]
    assert main([*args, "--output", str(page), "--plot", str(plot)]) == 0
    html = page.read_text()
    assert html.startswith("<!doctype html>") and "<svg" in html and "<table>" in html
    assert plot.read_text().startswith("<svg")


def test_format_needs_resolution(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--format", "html", "--database-url", store_url]) == 2
    assert "--resolution" in capsys.readouterr().err


def test_the_status_page_plot(store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        svg = resolution_svg(engine, "octo/app")
    finally:
        engine.dispose()
    assert svg.startswith("<svg") and "Time to close: octo/app" in svg


def test_an_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert main(["report", "--resolution", "--database-url", url]) == 0
    assert "(too few closed issues)" in capsys.readouterr().out
