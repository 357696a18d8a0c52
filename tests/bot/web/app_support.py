"""What the web app's tests share: settings for a test app, a signed issue delivery and a poster."""

from __future__ import annotations

import json
import uuid

from flask.testing import FlaskClient

from bot.settings import Settings
from bot.web.app import WEBHOOK_PATH
from bot.web.verify import sign

SECRET = "web-test-secret"
LIMIT = 64 * 1024


def make_settings(database_url: str) -> Settings:
    return Settings(
        app_id=None,
        private_key=None,
        webhook_secret=SECRET,
        database_url=database_url,
        max_body_bytes=LIMIT,
        dry_run=True,
    )


def handles(name: str, action: str | None) -> bool:
    return name == "issues" and action in ("opened", "reopened")


def body_for(action: str = "opened", number: int = 1) -> bytes:
    return json.dumps(
        {
            "action": action,
            "issue": {"number": number, "title": "CUDA OOM", "body": "loading the model"},
            "repository": {"full_name": "octo/repo"},
            "installation": {"id": 9},
        }
    ).encode()


def post(
    client: FlaskClient,
    body: bytes,
    *,
    event: str = "issues",
    delivery: str | None = None,
    signature: str | None = "auto",
    **headers: str,
) -> tuple[int, dict[str, object]]:
    sent = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "Content-Type": "application/json",
        **headers,
    }
    if signature == "auto":
        sent["X-Hub-Signature-256"] = sign(SECRET, body)
    elif signature is not None:
        sent["X-Hub-Signature-256"] = signature
    response = client.post(WEBHOOK_PATH, data=body, headers=sent)
    return response.status_code, response.get_json(silent=True) or {}
