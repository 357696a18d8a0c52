"""End to end, over real HTTP: the bot never fights a maintainer, and never writes a secret to its logs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import PTM_BODY, PTM_TITLE, AppServer, bot_comments, deliver, issues_payload
from tests.support.github_fixtures import GitHubDoubleHandle
from tests.support.webhook_examples import signed_delivery

pytestmark = pytest.mark.slow  # ptm-triage serve in its own process

CATEGORY_LABEL = "ptm: hardware"


def _labeled_payload(gh: GitHubDoubleHandle, action: str, number: int, label: str, actor: str) -> dict[str, object]:
    payload = issues_payload(action, gh.repo, gh.installation_id, number, PTM_TITLE, PTM_BODY,
                             labels=tuple(gh.issue(gh.repo, number)["labels"]))
    payload["label"] = {"id": 1, "node_id": "LA_1", "url": f"https://api.github.com/repos/{gh.repo}/labels/x",
                        "name": label, "color": "d93f0b", "default": False, "description": None}
    payload["sender"] = {**payload["sender"], "login": actor, "type": "User"}  # type: ignore[dict-item]
    return payload


def test_a_label_removed_by_a_maintainer_is_never_added_again(
    app_server: AppServer, github_double: GitHubDoubleHandle, webhook_secret: str
) -> None:
    gh = github_double
    number = gh.add_issue(gh.repo, PTM_TITLE, PTM_BODY, user="reporter")["number"]
    deliver(app_server, webhook_secret, "issues",
            issues_payload("opened", gh.repo, gh.installation_id, number, PTM_TITLE, PTM_BODY))
    app_server.wait_idle()
    assert CATEGORY_LABEL in gh.issue(gh.repo, number)["labels"]

    # A maintainer disagrees: removes the category label (GitHub then sends issues.unlabeled).
    gh.label_event(gh.repo, number, "unlabeled", CATEGORY_LABEL, actor="maintainer")
    _, response = deliver(app_server, webhook_secret, "issues",
                          _labeled_payload(gh, "unlabeled", number, CATEGORY_LABEL, "maintainer"))
    assert response.status_code == 202
    app_server.wait_idle()
    # The issue is closed and reopened later: triage runs again, and must not put the label back.
    reopened = issues_payload("reopened", gh.repo, gh.installation_id, number, PTM_TITLE, PTM_BODY,
                              labels=tuple(gh.issue(gh.repo, number)["labels"]))
    deliver(app_server, webhook_secret, "issues", reopened)
    app_server.wait_idle()

    assert CATEGORY_LABEL not in gh.issue(gh.repo, number)["labels"]
    assert len(bot_comments(gh, number)) == 1
    report = subprocess.run([sys.executable, "-m", "bot.cli", "report", "--json", "--database-url",
                             app_server.database_url], capture_output=True, text=True, check=True)
    rows = {row["repo"]: row for row in map(json.loads, report.stdout.splitlines())}
    assert rows[gh.repo]["rejected"] == 1


def test_logs_of_a_full_run_hold_no_secret_key_jwt_or_token(
    tmp_path: Path, github_double: GitHubDoubleHandle, webhook_secret: str
) -> None:
    gh = github_double
    server = AppServer(tmp_path, {
        "APP_ID": str(gh.app_id), "PRIVATE_KEY": gh.private_key_pem, "WEBHOOK_SECRET": webhook_secret,
        "GITHUB_API_URL": gh.url, "LOG_LEVEL": "DEBUG",
    }).start()
    try:
        number = gh.add_issue(gh.repo, PTM_TITLE, PTM_BODY, user="reporter")["number"]
        payload = issues_payload("opened", gh.repo, gh.installation_id, number, PTM_TITLE, PTM_BODY)
        # Error paths log the most: a 502 after the comment was written, a rejected signature.
        gh.add_fault("error", method="POST", route="/repos/{owner}/{repo}/issues/{issue_number}/comments",
                     status=502, after_apply=True, count=1)
        delivery = signed_delivery("issues", payload, webhook_secret)
        assert server.post(delivery, body=delivery.body + b" ").status_code == 401
        accepted, _ = deliver(server, webhook_secret, "issues", payload)
        server.wait_idle()
        gh.expire_tokens()
        reopened = issues_payload("reopened", gh.repo, gh.installation_id, number, PTM_TITLE, PTM_BODY)
        deliver(server, webhook_secret, "issues", reopened)
        server.wait_idle()
    finally:
        server.stop()
    logs = server.logs()
    # Expired tokens are refused once (then replaced); that 401 is provoked on purpose.
    assert {v["kind"] for v in gh.take_violations()} <= {"auth"}

    assert len(bot_comments(gh, number)) == 1
    assert accepted.delivery_id in logs  # the job's log lines are there, at DEBUG
    tokens = list(gh.world.tokens)
    assert len(tokens) >= 2  # the run really used installation tokens
    for token in tokens:
        assert token not in logs
    assert webhook_secret not in logs
    key_lines = [line for line in gh.private_key_pem.splitlines() if line and "-----" not in line]
    assert not any(line in logs for line in key_lines)
    assert "PRIVATE KEY" not in logs
    assert not re.search(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.", logs), "a JWT was logged"
    assert PTM_BODY[:60] not in logs  # nor issue bodies
