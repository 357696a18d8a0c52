"""The sample delivery the README tells newcomers to replay is a valid `issues.opened` that gets triaged."""

from __future__ import annotations

import json
from pathlib import Path

from bot.web.verify import sign
from classifier.predict import load_default
from classifier.schema import Document
from tests.bot.web.delivery import parse_delivery

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "issue-opened.json"


def test_readme_example_delivery_parses_and_is_a_hardware_issue() -> None:
    body = EXAMPLE.read_bytes()
    headers = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "readme-1",
               "X-Hub-Signature-256": sign("s", body), "Content-Type": "application/json"}
    event = parse_delivery(headers, body, secret="s", max_body_bytes=1 << 20)
    assert (event.name, event.action, event.installation_id) == ("issues", "opened", 4001)
    issue = json.loads(body)["issue"]
    prediction = load_default().predict(Document(issue["title"], issue["body"]))
    assert prediction.applied_category == "hardware-resources"
