"""The App's definition (app.yml, Probot's format) and the GitHub App manifest made from it.

GitHub's "register a GitHub App from a manifest" flow takes a JSON manifest posted from the browser.
`build_manifest` fills in the deployment's address: the webhook URL (BASE/api/github/webhooks), the
redirect URL of the setup flow (BASE/setup/callback) and, when app.yml still holds a placeholder
(example.com), the App's home page. Nothing here does network I/O; `load_definition` reads one file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

WEBHOOK_PATH = "/api/github/webhooks"  # Probot's default path (bot.web.webhook serves it)
CALLBACK_PATH = "/setup/callback"
MAX_NAME_LENGTH = 34  # GitHub refuses longer App names
_PLACEHOLDER_HOSTS = ("example.com", "example.org", "example.net")  # RFC 2606 names, never a real App
_PERMISSION_LEVELS = ("read", "write", "admin")
_ORG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")  # GitHub login rules
_SOURCE_APP_YML = Path(__file__).resolve().parent.parent / "app.yml"


class ManifestError(ValueError):
    """app.yml or a URL cannot make a valid manifest; the message says what to fix."""


@dataclass(frozen=True)
class AppDefinition:
    """app.yml, validated."""

    name: str
    description: str
    url: str
    hook_url: str
    public: bool
    default_events: tuple[str, ...]
    default_permissions: tuple[tuple[str, str], ...]  # (permission, level), in app.yml's order


def app_yml_text() -> tuple[str, str]:
    """(where it came from, text) of app.yml: the checkout's top-level file, else the packaged copy."""
    if _SOURCE_APP_YML.is_file():
        return str(_SOURCE_APP_YML), _SOURCE_APP_YML.read_text(encoding="utf-8")
    try:
        return "bot/app.yml (packaged)", resources.files("bot").joinpath("app.yml").read_text(encoding="utf-8")
    except OSError:
        raise ManifestError("app.yml is missing: neither the source checkout's nor the packaged copy exists.") from None


def load_definition(path: Path | None = None) -> AppDefinition:
    """Read and validate app.yml (`path`, or the one that ships with ptm-triage)."""
    if path is None:
        where, text = app_yml_text()
    else:
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ManifestError(f"cannot read {path}: {exc}") from None
    return parse_definition(text, where)


def parse_definition(text: str, where: str = "app.yml") -> AppDefinition:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ManifestError(f"{where} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{where} must be a mapping of keys (name, url, hook_attributes, ...).")
    name = _text(data, "name", where)
    if len(name) > MAX_NAME_LENGTH:
        raise ManifestError(f"{where}: name must be at most {MAX_NAME_LENGTH} characters (GitHub's limit).")
    hooks = data.get("hook_attributes")
    if not isinstance(hooks, dict):
        raise ManifestError(f"{where}: hook_attributes must be a mapping with a url.")
    public = data.get("public", False)
    if not isinstance(public, bool):
        raise ManifestError(f"{where}: public must be true or false.")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ManifestError(f"{where}: description must be text.")
    return AppDefinition(
        name=name,
        description=description.strip(),
        url=_url(_text(data, "url", where), f"{where}: url"),
        hook_url=_url(_text(hooks, "url", where, "hook_attributes.url"), f"{where}: hook_attributes.url"),
        public=public,
        default_events=_events(data.get("default_events"), where),
        default_permissions=_permissions(data.get("default_permissions"), where),
    )


def build_manifest(
    definition: AppDefinition, base_url: str | None = None, *, webhook_url: str | None = None
) -> dict[str, Any]:
    """GitHub's manifest JSON for a deployment at `base_url` (None: app.yml's URLs as written, and no
    redirect, e.g. to paste by hand). `webhook_url` overrides BASE/api/github/webhooks, for a deployment
    whose webhooks arrive elsewhere (a tunnel, a proxy)."""
    url, hook_url = definition.url, definition.hook_url
    redirect: str | None = None
    if base_url is not None:
        base = normalise_base_url(base_url)
        hook_url = base + WEBHOOK_PATH
        redirect = base + CALLBACK_PATH
        if is_placeholder(url):
            url = base
    if webhook_url is not None:
        hook_url = _url(webhook_url, "webhook URL")
    manifest: dict[str, Any] = {
        "name": definition.name,
        "url": url,
        "hook_attributes": {"url": hook_url, "active": True},
        "public": definition.public,
        "default_events": list(definition.default_events),
        "default_permissions": dict(definition.default_permissions),
    }
    if definition.description:
        manifest["description"] = definition.description
    if redirect is not None:
        manifest["redirect_url"] = redirect
    return manifest


def manifest_json(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False)


def normalise_base_url(value: str) -> str:
    """`https://host[:port][/prefix]` without a trailing slash; anything else is refused."""
    base = _url(value.strip(), "base URL").rstrip("/")
    parts = urlsplit(base)
    if parts.query or parts.fragment:
        raise ManifestError("base URL must not have a query or fragment, e.g. https://triage.example.org")
    return base


def is_placeholder(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == p or host.endswith("." + p) for p in _PLACEHOLDER_HOSTS)


def web_url(github_api_url: str) -> str:
    """GitHub's web address for an API root: api.github.com -> github.com, https://HOST/api/v3 -> https://HOST
    (GitHub Enterprise Server), api.SUB.ghe.com -> SUB.ghe.com."""
    parts = urlsplit(github_api_url.rstrip("/"))
    host, path = parts.netloc, parts.path
    if path.endswith("/api/v3"):
        path = path[: -len("/api/v3")]
    elif host.lower().startswith("api.") and not path:
        host = host[len("api."):]
    return f"{parts.scheme}://{host}{path}"


def new_app_url(github_web_url: str, org: str | None = None) -> str:
    """Where the browser posts the manifest: the user's or an organisation's "new GitHub App" page."""
    if org is None:
        return f"{github_web_url}/settings/apps/new"
    if not _ORG.fullmatch(org):
        raise ManifestError("organisation must be a GitHub login: letters, digits and single hyphens.")
    return f"{github_web_url}/organizations/{quote(org, safe='')}/settings/apps/new"


def _text(data: dict[Any, Any], key: str, where: str, label: str | None = None) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ManifestError(f"{where}: {label or key} is required and must be text.")
    return value.strip()


def _url(value: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise ManifestError(f"{what} must be an http(s) URL, got {value[:200]!r}.")
    return value


def _events(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(e, str) and e for e in value):
        raise ManifestError(f"{where}: default_events must be a non-empty list of event names.")
    if len(set(value)) != len(value):
        raise ManifestError(f"{where}: default_events lists an event twice.")
    return tuple(value)


def _permissions(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not value:
        raise ManifestError(f"{where}: default_permissions must map permission names to read/write/admin.")
    out = []
    for name, level in value.items():
        if not isinstance(name, str) or level not in _PERMISSION_LEVELS:
            raise ManifestError(
                f"{where}: default_permissions.{name} must be one of {', '.join(_PERMISSION_LEVELS)}."
            )
        out.append((name, level))
    return tuple(out)
