"""Real webhook examples load, validate against the pinned schemas, and sign like GitHub."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import Callable

import pytest

from tests.support import npm_packages, webhook_examples
from tests.support.webhook_examples import KNOWN_SCHEMA_DRIFT, Example, examples


def test_every_issues_action_the_bot_handles_has_examples(
        webhook_examples: Callable[..., list[Example]]) -> None:
    issues = webhook_examples("issues")
    actions = {action for action, _ in issues}
    assert {"opened", "reopened", "edited", "labeled", "unlabeled", "transferred"} <= actions
    assert all("issue" in payload and "repository" in payload for _, payload in issues)
    assert len(issues) == 29  # the pinned package's count: a version bump shows up here


def test_installation_ping_and_push_examples_are_loaded() -> None:
    assert {a for a, _ in examples("installation")} >= {"created", "deleted"}
    assert {a for a, _ in examples("installation_repositories")} == {"added", "removed"}
    assert all(action is None for action, _ in examples("ping") + examples("push"))
    assert all("hook" in payload for _, payload in examples("ping"))


def test_schema_drift_is_exactly_the_pinned_set() -> None:
    recorded = webhook_examples.load_all()
    assert {(r.event, r.index) for r in recorded if r.schema_errors} == set(KNOWN_SCHEMA_DRIFT)
    valid_only = examples("issues", schema_valid_only=True)
    assert len(valid_only) == len(examples("issues")) - 1


def test_validation_catches_a_broken_payload() -> None:
    schema = json.loads((npm_packages.fetch(npm_packages.WEBHOOKS_SCHEMAS) / "schema.json").read_text())
    _, opened = next(e for e in examples("issues", schema_valid_only=True) if e.action == "opened")
    assert webhook_examples.validate("issues", opened, schema) == ()
    broken = copy.deepcopy(opened)
    del broken["issue"]["number"]
    broken["issue"]["title"] = 42
    errors = webhook_examples.validate("issues", broken, schema)
    assert any("'number' is a required property" in e for e in errors)
    assert any("42 is not of type 'string'" in e for e in errors)


def test_unknown_event_is_an_error() -> None:
    with pytest.raises(KeyError, match="pull_request"):
        examples("pull_request")


def test_signed_delivery_carries_a_valid_signature(webhook_secret: str) -> None:
    _, payload = examples("issues")[0]
    delivery = webhook_examples.signed_delivery("issues", payload, webhook_secret, delivery_id="d-1")
    expected = hmac.new(webhook_secret.encode(), delivery.body, hashlib.sha256).hexdigest()
    assert delivery.headers["X-Hub-Signature-256"] == f"sha256={expected}"
    assert (delivery.headers["X-GitHub-Event"], delivery.headers["X-GitHub-Delivery"]) == ("issues", "d-1")
    assert json.loads(delivery.body) == payload
    tampered = webhook_examples.sign(delivery.body + b" ", webhook_secret)
    assert tampered != delivery.headers["X-Hub-Signature-256"]


def test_sign_webhook_fixture_signs_raw_bytes_verbatim(sign_webhook: Callable[..., webhook_examples.Delivery],
                                                       webhook_secret: str) -> None:
    raw = b'{"zen": "Keep it logically awesome."}'
    delivery = sign_webhook("ping", raw)
    assert delivery.body == raw and delivery.delivery_id
    assert delivery.headers["X-Hub-Signature-256"] == webhook_examples.sign(raw, webhook_secret)
