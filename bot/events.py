"""A delivery as it travels: verified and stored (`Envelope`), then claimed and handled (`Event`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Top-level payload keys handlers may need; everything else (hundreds of API URLs) is dropped.
ENVELOPE_KEYS = frozenset(
    {
        "action", "issue", "comment", "repository", "installation", "organization", "sender", "changes",
        "label", "assignee", "ref", "before", "after", "deleted", "commits", "head_commit", "pusher", "repositories",
        "repositories_added", "repositories_removed", "requester", "hook_id", "zen",
    }
)  # fmt: skip
# API-link keys kept inside objects; other "*_url" keys are templates nobody reads.
_KEPT_URLS = frozenset({"url", "html_url"})
_MAX_TRIM_DEPTH = 64  # GitHub payloads nest about 6 deep; below this, values are kept as they are


@dataclass(frozen=True)
class Event:
    """One accepted delivery. `payload` is the parsed JSON body; handlers parse what they need once."""

    name: str  # X-GitHub-Event, e.g. "issues"
    action: str | None  # payload["action"], when the event has one
    delivery_id: str  # X-GitHub-Delivery: the idempotency key
    installation_id: int | None
    payload: Mapping[str, Any]

    @property
    def repo(self) -> str | None:
        """owner/name of the repository the event is about, when there is one."""
        repository = self.payload.get("repository")
        if isinstance(repository, Mapping):
            full_name = repository.get("full_name")
            if isinstance(full_name, str):
                return full_name
        return None


@dataclass(frozen=True)
class Envelope:
    """A verified delivery as the inbox stores it: routing fields and the body exactly as signed."""

    name: str
    action: str | None
    delivery_id: str
    installation_id: int | None
    repo: str | None
    body: str  # the JSON text GitHub sent (valid UTF-8, a JSON object)


def load_payload(text: str | bytes) -> dict[str, Any]:
    """A stored body (or an already trimmed one) as the payload handlers see: trimmed.

    Intake admits only bodies that are a JSON object; anything else here is a damaged row.
    """
    payload = json.loads(text)
    if not isinstance(payload, dict):
        raise ValueError("a stored webhook body must be a JSON object")
    return trim_payload(payload)


def trim_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The minimal envelope kept for handlers: whitelisted top-level keys, without URL templates."""
    return {key: _strip_urls(value, 1) for key, value in payload.items() if key in ENVELOPE_KEYS}


def _strip_urls(value: Any, depth: int) -> Any:
    if depth > _MAX_TRIM_DEPTH:  # no recursion error on hostile nesting: deeper values stay as they are
        return value
    if isinstance(value, dict):
        return {
            k: _strip_urls(v, depth + 1) for k, v in value.items() if not (k.endswith("_url") and k not in _KEPT_URLS)
        }
    if isinstance(value, list):
        return [_strip_urls(item, depth + 1) for item in value]
    return value
