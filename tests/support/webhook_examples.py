"""Real webhook deliveries from @octokit/webhooks-examples, validated against @octokit/webhooks-schemas.

    for action, payload in examples("issues"): ...        # every recorded `issues` delivery
    delivery = signed_delivery("issues", payload, secret)  # body bytes + GitHub's headers, signed

A few recorded examples predate fields that the (newer) schema now requires. They are real deliveries, so
they are kept; which ones they are is pinned in KNOWN_SCHEMA_DRIFT and checked on load, so a package
upgrade that changes the picture fails loudly instead of silently.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema

from tests.support import npm_packages

EVENTS = ("issues", "installation", "installation_repositories", "ping", "push")
# (event, index in the package's list) -> what the pinned schema says about it.
KNOWN_SCHEMA_DRIFT: dict[tuple[str, int], str] = {
    ("installation", 0): "lacks installation.suspended_at/suspended_by",
    ("installation_repositories", 0): "lacks requester and installation.suspended_*",
    ("issues", 0): "lacks issue.active_lock_reason/reactions and label descriptions",
    ("ping", 0): "lacks hook.deliveries_url and newer repository fields",
    ("push", 0): "lacks newer repository fields",
}


class Example(NamedTuple):
    action: str | None  # None for events without actions (ping, push)
    payload: dict[str, Any]


@dataclass(frozen=True)
class RecordedExample:
    event: str
    index: int
    action: str | None
    payload: dict[str, Any]
    schema_errors: tuple[str, ...]


@dataclass(frozen=True)
class Delivery:
    """A webhook delivery as GitHub sends it: the raw body and its headers."""

    event: str
    delivery_id: str
    body: bytes
    headers: dict[str, str]


class SchemaDriftChanged(AssertionError):
    """The examples/schemas no longer disagree exactly where KNOWN_SCHEMA_DRIFT says."""


def examples(event: str, *, schema_valid_only: bool = False) -> list[Example]:
    """Every recorded delivery of `event` (one of EVENTS), in the package's order."""
    if event not in EVENTS:
        raise KeyError(f"{event!r} is not loaded; one of {', '.join(EVENTS)}")
    return [Example(r.action, r.payload) for r in load_all()
            if r.event == event and not (schema_valid_only and r.schema_errors)]


@functools.cache
def load_all(cache: Path | None = None) -> tuple[RecordedExample, ...]:
    examples_dir = npm_packages.fetch(npm_packages.WEBHOOKS_EXAMPLES, cache)
    schemas_dir = npm_packages.fetch(npm_packages.WEBHOOKS_SCHEMAS, cache)
    listing = json.loads((examples_dir / "api.github.com" / "index.json").read_text())
    schema = json.loads((schemas_dir / "schema.json").read_text())
    recorded = []
    for entry in listing:
        if entry["name"] not in EVENTS:
            continue
        for index, payload in enumerate(entry["examples"]):
            errors = validate(entry["name"], payload, schema)
            recorded.append(RecordedExample(entry["name"], index, payload.get("action"), payload, errors))
    _check_drift(recorded)
    return tuple(recorded)


def validate(event: str, payload: dict[str, Any], schema: dict[str, Any]) -> tuple[str, ...]:
    """Schema errors of one payload against its `<event>$<action>` (or `<event>$event`) definition."""
    name = f"{event}${payload['action']}" if "action" in payload else f"{event}$event"
    if name not in schema["definitions"]:
        return (f"no schema definition {name!r}",)
    document = {"$ref": f"#/definitions/{name}", "definitions": schema["definitions"]}
    validator = jsonschema.Draft7Validator(document, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return tuple(f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                 for e in validator.iter_errors(payload))


def _check_drift(recorded: list[RecordedExample]) -> None:
    drifted = {(r.event, r.index) for r in recorded if r.schema_errors}
    if drifted != set(KNOWN_SCHEMA_DRIFT):
        details = [f"{r.event}[{r.index}]: {r.schema_errors[0]}" for r in recorded
                   if (r.event, r.index) in drifted - set(KNOWN_SCHEMA_DRIFT)]
        raise SchemaDriftChanged(
            f"examples failing the schema changed: new {sorted(drifted - set(KNOWN_SCHEMA_DRIFT))}, "
            f"now valid {sorted(set(KNOWN_SCHEMA_DRIFT) - drifted)}; {details[:3]}")


def for_installation(payload: dict[str, Any], installation_id: int) -> dict[str, Any]:
    """A copy of `payload` delivered to the given installation (examples carry GitHub's own ids)."""
    copied = copy.deepcopy(payload)
    copied["installation"] = {**copied.get("installation", {}), "id": installation_id}
    return copied


def sign(body: bytes, secret: str) -> str:
    """The X-Hub-Signature-256 header value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_delivery(event: str, payload: dict[str, Any] | bytes, secret: str,
                    delivery_id: str | None = None, app_id: int = 4242) -> Delivery:
    """A delivery with GitHub's headers, signed over the exact body bytes sent."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    delivery_id = delivery_id or str(uuid.uuid4())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/ptm-triage-tests",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id,
        "X-GitHub-Hook-ID": "1",
        "X-GitHub-Hook-Installation-Target-Type": "integration",
        "X-GitHub-Hook-Installation-Target-ID": str(app_id),
        "X-Hub-Signature-256": sign(body, secret),
    }
    return Delivery(event, delivery_id, body, headers)
