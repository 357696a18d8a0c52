"""GitHub App registration from a manifest: `POST /app-manifests/{code}/conversions`.

On github.com the user posts a manifest to the "new GitHub App" page, GitHub creates the App and redirects
to the manifest's redirect_url with a one-time `code` (valid one hour). The double has no web pages, so a
test plays GitHub's part with `offer_code(world, manifest)`, which checks the manifest as GitHub's form
does and returns the code to put in the callback URL. Converting the code (no authentication, as GitHub
documents) creates the App in the world, with a fresh key pair, and answers its id, `pem` and
`webhook_secret`; a code works once. `issued(world)` lists what was handed out, for assertions.
"""

from __future__ import annotations

import re
import secrets
import time
import weakref
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.github_double import render
from tests.support.github_double.api import Call, Reply, not_found, route
from tests.support.github_double.state import World

CODE_LIFETIME = 3600  # seconds, as GitHub's manifest codes
MAX_NAME = 34  # GitHub's limit on App names
FIRST_APP_ID = 90_001
_LEVELS = {"read", "write", "admin"}


@dataclass(frozen=True)
class Pending:
    manifest: dict[str, Any]
    owner: str
    expires_at: float  # epoch seconds


@dataclass(frozen=True)
class Issued:
    """What one conversion handed out."""

    app_id: int
    slug: str
    webhook_secret: str
    pem: str
    manifest: dict[str, Any]


@dataclass
class _Ledger:
    pending: dict[str, Pending]
    issued: list[Issued]


_LEDGERS: dict[int, _Ledger] = {}  # id(world) -> ledger; dropped when the world is collected


def _ledger(world: World) -> _Ledger:
    key = id(world)
    if key not in _LEDGERS:
        _LEDGERS[key] = _Ledger({}, [])
        weakref.finalize(world, _LEDGERS.pop, key, None)
    return _LEDGERS[key]


def manifest_problems(manifest: Any) -> list[str]:
    """What GitHub's registration page would refuse in a manifest (empty: acceptable)."""
    if not isinstance(manifest, dict):
        return ["the manifest is not a JSON object"]
    problems = []
    name = manifest.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        problems.append(f"name must be 1..{MAX_NAME} characters")
    for key in ("url", "redirect_url"):
        if not _http_url(manifest.get(key)):
            problems.append(f"{key} must be an http(s) URL")
    hooks = manifest.get("hook_attributes")
    if hooks is not None and (not isinstance(hooks, dict) or not _http_url(hooks.get("url"))):
        problems.append('hook_attributes needs a "url" (an http(s) URL)')
    events = manifest.get("default_events", [])
    if not isinstance(events, list) or not all(isinstance(e, str) and e for e in events):
        problems.append("default_events must be a list of event names")
    permissions = manifest.get("default_permissions", {})
    if not isinstance(permissions, dict) or any(v not in _LEVELS for v in permissions.values()):
        problems.append("default_permissions must map permission names to read, write or admin")
    if not isinstance(manifest.get("public", False), bool):
        problems.append("public must be a boolean")
    return problems


def offer_code(world: World, manifest: dict[str, Any], owner: str = "octo-org", lifetime: float = CODE_LIFETIME
               ) -> str:
    """GitHub's part of the browser flow: accept `manifest` and return the one-time code (ValueError if
    GitHub would refuse the manifest)."""
    problems = manifest_problems(manifest)
    if problems:
        raise ValueError("GitHub would refuse this manifest: " + "; ".join(problems))
    code = secrets.token_hex(10)
    with world.lock:
        _ledger(world).pending[code] = Pending(manifest, owner, time.time() + lifetime)
    return code


def issued(world: World) -> list[Issued]:
    with world.lock:
        return list(_ledger(world).issued)


@route("POST /app-manifests/{code}/conversions", auth="none")
def convert(call: Call) -> Reply:
    ledger = _ledger(call.world)
    pending = ledger.pending.pop(call.params["code"], None)
    if pending is None or pending.expires_at <= time.time():
        raise not_found()
    manifest = pending.manifest
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()).decode()  # GitHub hands out PKCS#1 PEMs
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    app_id = FIRST_APP_ID + len(ledger.issued)
    slug = re.sub(r"[^a-z0-9]+", "-", manifest["name"].lower()).strip("-")
    app = call.world.set_app(app_id, slug, public, name=manifest["name"], owner=pending.owner)
    secret = secrets.token_hex(20)
    ledger.issued.append(Issued(app_id, slug, secret, pem, manifest))
    body = render.app(call.api, app) | {
        "description": manifest.get("description", ""),
        "external_url": manifest["url"],
        "permissions": dict(manifest.get("default_permissions", {})),
        "events": list(manifest.get("default_events", [])),
        "client_secret": secrets.token_hex(20),
        "webhook_secret": secret,
        "pem": pem,
    }
    return Reply(201, body, applied=True)


def _http_url(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"https?://[^\s/]+(/\S*)?", value) is not None
