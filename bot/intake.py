"""Webhook intake, sans-I/O: (headers, raw body) in, a verified and trimmed `Event` out.

The signature is checked over the raw bytes before anything is parsed. Each rejection is a typed error
that carries its HTTP status, so the web layer only translates.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any

from bot.events import Event

SIGNATURE_HEADER = "X-Hub-Signature-256"
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"
_SIGNATURE_PREFIX = "sha256="
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_DELIVERY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")

# Top-level payload keys handlers may need; everything else (hundreds of API URLs) is dropped.
ENVELOPE_KEYS = frozenset(
    {
        "action", "issue", "comment", "repository", "installation", "organization", "sender", "changes",
        "label", "assignee", "ref", "before", "after", "commits", "head_commit", "pusher", "repositories",
        "repositories_added", "repositories_removed", "requester", "hook_id", "zen",
    }
)  # fmt: skip
# API-link keys kept inside objects; other "*_url" keys are templates nobody reads.
_KEPT_URLS = frozenset({"url", "html_url"})


class IntakeError(Exception):
    """A delivery that is refused; `status` is the HTTP answer, `outcome` the metrics label."""

    status = 400
    outcome = "bad_request"


class SignatureError(IntakeError):
    status = 401
    outcome = "rejected_signature"


class BadRequest(IntakeError):
    status = 400
    outcome = "bad_request"


class TooLarge(IntakeError):
    status = 413
    outcome = "too_large"


def sign(secret: str | bytes, body: bytes) -> str:
    """The X-Hub-Signature-256 value GitHub sends for `body`."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return _SIGNATURE_PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_signature(secret: str | bytes, body: bytes, signature: str | None) -> None:
    """Raise SignatureError unless `signature` is the HMAC-SHA256 of `body` (constant-time compare)."""
    if not secret:
        raise SignatureError("no webhook secret is configured")  # never verify against an empty key
    if not signature:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    expected = sign(secret, body)
    if not hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8", "replace")):
        raise SignatureError(f"{SIGNATURE_HEADER} does not match the body")


def parse_delivery(
    headers: Mapping[str, str], body: bytes, *, secret: str | bytes, max_body_bytes: int
) -> Event:
    """Verify, then parse one delivery into an Event with a trimmed payload."""
    if len(body) > max_body_bytes:
        raise TooLarge(f"body larger than {max_body_bytes} bytes")
    verify_signature(secret, body, _header(headers, SIGNATURE_HEADER))
    name = _header(headers, EVENT_HEADER)
    if name is None or not _NAME.fullmatch(name):
        raise BadRequest(f"missing or malformed {EVENT_HEADER} header")
    delivery_id = _header(headers, DELIVERY_HEADER)
    if delivery_id is None or not _DELIVERY.fullmatch(delivery_id):
        raise BadRequest(f"missing or malformed {DELIVERY_HEADER} header")
    payload = _load_json(body)
    action = payload.get("action")
    if action is not None and not isinstance(action, str):
        raise BadRequest("payload 'action' must be a string")
    installation_id = _installation_id(payload)
    try:
        trimmed = trim_payload(payload)
    except RecursionError:
        raise BadRequest("payload is nested too deeply") from None
    return Event(name, action, delivery_id, installation_id, trimmed)


def trim_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The minimal envelope kept for handlers: whitelisted top-level keys, without URL templates."""
    return {key: _strip_urls(value) for key, value in payload.items() if key in ENVELOPE_KEYS}


def _strip_urls(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _strip_urls(v) for k, v in value.items() if not (k.endswith("_url") and k not in _KEPT_URLS)
        }
    if isinstance(value, list):
        return [_strip_urls(item) for item in value]
    return value


def _load_json(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # ValueError covers bad UTF-8 and bad JSON
        raise BadRequest("body is not JSON; set the webhook's content type to application/json") from None
    if not isinstance(payload, dict):
        raise BadRequest("payload must be a JSON object")
    return payload


def _installation_id(payload: Mapping[str, Any]) -> int | None:
    installation = payload.get("installation")
    if installation is None:
        return None
    if not isinstance(installation, dict):
        raise BadRequest("payload 'installation' must be an object")
    value = installation.get("id")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise BadRequest("payload 'installation.id' must be a positive integer")
    return value


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value
