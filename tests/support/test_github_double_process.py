"""The double as its own process: seeded from and saved to a state file, exit status tells violations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.support.github_double.process import DoubleProcess


@pytest.mark.slow
def test_process_seeds_serves_saves_and_reports(tmp_path: Path) -> None:
    state_file, log_file = tmp_path / "state.json", tmp_path / "log.json"
    state_file.write_text(json.dumps({
        "installations": [{"id": 5, "account": "octo-org", "repositories": ["octo-org/a"]}],
        "repos": [{"full_name": "octo-org/a", "issues": [{"title": "seeded"}]}],
    }))
    with DoubleProcess(state_file=state_file, log_file=log_file) as double:
        assert double.client.state()["repos"][0]["issues"][0]["title"] == "seeded"
        double.client.add_issue("octo-org/a", "added")
        assert requests.get(f"{double.url}/repos/octo-org/a", timeout=5).status_code == 401  # no token
    assert double.exit_code == 1  # the unauthenticated call is a violation
    saved = json.loads(state_file.read_text())
    assert [i["title"] for i in saved["repos"][0]["issues"]] == ["seeded", "added"]
    log = json.loads(log_file.read_text())
    assert [(r["method"], r["status"]) for r in log["requests"]] == [("GET", 401)]
    assert [v["kind"] for v in log["violations"]] == ["auth"]
