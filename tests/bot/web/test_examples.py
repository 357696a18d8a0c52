"""Every recorded `issues`, installation, push and ping delivery from @octokit/webhooks-examples, through
the real endpoint: handled ones are committed to the inbox (202), ping is answered (200), the rest are
acknowledged as ignored with no work."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.handlers.routing import handles
from bot.settings import Settings
from bot.store.inbox import open_inbox
from bot.web.app import create_app
from tests.support.webhook_examples import EVENTS, examples, signed_delivery

SECRET = "examples-secret"


@pytest.mark.parametrize("event", EVENTS)
def test_recorded_deliveries_through_the_endpoint(tmp_path: Path, event: str) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    inbox = open_inbox(url)
    settings = Settings(app_id=None, private_key=None, webhook_secret=SECRET, database_url=url, dry_run=True)
    client = create_app(settings, inbox=inbox).test_client()
    recorded = examples(event)
    assert recorded, f"no recorded {event} examples"
    expected_rows = 0
    for index, (action, payload) in enumerate(recorded):
        delivery = signed_delivery(event, payload, SECRET, f"{event}-{index}")
        response = client.post("/api/github/webhooks", data=delivery.body, headers=delivery.headers)
        if event == "ping":
            assert response.status_code == 200, response.get_data(as_text=True)
        elif handles(event, action):
            assert response.status_code == 202, (action, response.get_data(as_text=True))
            expected_rows += 1
        else:
            assert response.status_code in (200, 202), (action, response.status_code)
            assert "ignored" in response.get_data(as_text=True)
        again = client.post("/api/github/webhooks", data=delivery.body, headers=delivery.headers)
        assert again.status_code in (200, 202)  # a redelivery is acknowledged, never stored twice
    assert sum(inbox.stats().counts.values()) == expected_rows
    if event == "issues":
        assert expected_rows >= 8  # opened, reopened, edited, labeled, unlabeled examples are handled
