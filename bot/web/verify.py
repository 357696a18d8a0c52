"""Webhook intake, sans-I/O: (headers, raw body) in, a verified `Envelope` out.

The signature is checked over the raw bytes before anything is parsed. Each rejection is a typed error
that carries its HTTP status, so the web layer only translates. The inbox stores the verified body as
received (parsing once, to validate it and read the routing fields, is all the request pays for);
`bot.events.load_payload` trims it when a worker picks it up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any

from bot.events import Envelope

SIGNATURE_HEADER = "X-Hub-Signature-256"
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"
_SIGNATURE_PREFIX = "sha256="
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_DELIVERY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")

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


def well_formed_delivery_id(value: str | None) -> str | None:
    """The X-GitHub-Delivery value when it has the shape of one (safe to log and show), else None."""
    return value if value is not None and _DELIVERY.fullmatch(value) else None


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


def verify(
    body: bytes,
    *,
    signature: str | None,
    event: str | None,
    delivery_id: str | None,
    secret: str | bytes,
    max_body_bytes: int,
) -> Envelope:
    """Check size and signature, then the headers, then parse once: the webhook hot path."""
    return _verify(body, signature, event, delivery_id, secret, max_body_bytes)[0]


def _verify(
    body: bytes,
    signature: str | None,
    name: str | None,
    delivery_id: str | None,
    secret: str | bytes,
    max_body_bytes: int,
) -> tuple[Envelope, dict[str, Any]]:
    if len(body) > max_body_bytes:
        raise TooLarge(f"body larger than {max_body_bytes} bytes")
    verify_signature(secret, body, signature)
    if name is None or not _NAME.fullmatch(name):
        raise BadRequest(f"missing or malformed {EVENT_HEADER} header")
    if delivery_id is None or not _DELIVERY.fullmatch(delivery_id):
        raise BadRequest(f"missing or malformed {DELIVERY_HEADER} header")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("body is not UTF-8 JSON") from None
    payload = _load_json(text)
    action = payload.get("action")
    if action is not None and not isinstance(action, str):
        raise BadRequest("payload 'action' must be a string")
    envelope = Envelope(name, action, delivery_id, _installation_id(payload), _repo(payload), text)
    return envelope, payload


def _load_json(text: str | bytes) -> dict[str, Any]:
    try:
        payload = json.loads(text)
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


def _repo(payload: Mapping[str, Any]) -> str | None:
    repository = payload.get("repository")
    if isinstance(repository, dict):
        full_name = repository.get("full_name")
        if isinstance(full_name, str):
            return full_name
    return None
