"""Deployment settings, read from the environment in this one place (Probot-compatible names).

`load_settings(env)` returns a frozen `Settings` or raises `ConfigurationError` with a message that says
which variable to fix. No secret has a default. The one convenience for newcomers: `ptm-triage serve`
without any App credentials runs in dry-run mode and, if WEBHOOK_SECRET is unset too, generates a secret
once into a 0600 file next to the SQLite database (`local_fallback=True`).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import ConfigurationError
from bot.settings.files import (
    create_secret_file,
    default_database_url,
    local_secret_path,
    read_secret_file,
    stored_credentials_env,
)

log = logging.getLogger(__name__)

DEFAULT_GITHUB_API_URL = "https://api.github.com"
DEFAULT_PORT = 3000
DEFAULT_MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
DEFAULT_WORKER_THREADS = 2
DEFAULT_WEB_THREADS = 8
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_LEASE_SECONDS = 60.0  # renewed while a job runs; a crashed worker's jobs return this soon
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Settings:
    app_id: int | None  # None: no App credentials (dry run without GitHub)
    private_key: str | None = field(repr=False)  # PEM text
    webhook_secret: str | None = field(repr=False)
    github_api_url: str = DEFAULT_GITHUB_API_URL
    database_url: str = ""
    redis_url: str | None = None
    port: int = DEFAULT_PORT
    log_level: str = "INFO"
    log_format: str = "auto"  # auto (json unless a TTY), json, text
    dry_run: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    worker_threads: int = DEFAULT_WORKER_THREADS
    web_threads: int = DEFAULT_WEB_THREADS
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    # Pacing of content-creating requests per installation; the defaults stay below github.com's
    # secondary limits (80/minute, 500/hour). GitHub Enterprise Server administrators may set others.
    github_writes_per_minute: int = 70
    github_writes_per_hour: int = 450
    github_timeout: float = 15.0  # seconds to wait for an answer from the GitHub API
    # STATUS_TOKEN: when set, the status, decisions and playground pages ask for it (bearer token, or the
    # password of basic auth); they show repository names and issue titles.
    status_token: str | None = field(default=None, repr=False)
    secret_file: Path | None = None  # set when the secret came from (or was written to) the local file
    notices: tuple[str, ...] = ()  # things start-up should tell the operator (never secret values)

    @property
    def has_app_credentials(self) -> bool:
        return self.app_id is not None and self.private_key is not None


def load_settings(
    env: Mapping[str, str] = os.environ,
    *,
    require_app: bool = True,
    require_secret: bool = True,
    local_fallback: bool = False,
) -> Settings:
    """Read and validate the environment.

    require_app: APP_ID and a private key must be set (DRY_RUN=1 also accepts none at all).
    require_secret: WEBHOOK_SECRET must be known (web processes).
    local_fallback: `ptm-triage serve` for newcomers: no credentials -> dry run; no secret -> generated file.
    Partial or malformed credentials are refused in every mode.
    """
    notices: list[str] = []
    dry_run = _bool(env, "DRY_RUN", False)
    database_url = _get(env, "DATABASE_URL") or default_database_url(env)
    env, stored = stored_credentials_env(env, database_url)
    if stored is not None:
        notices.append(f"Using the GitHub App credentials stored in {stored}.")
    app_id, private_key = _app_credentials(env)
    if app_id is None and require_app and not local_fallback and not dry_run:
        raise ConfigurationError(
            "APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are not set. Copy them from your GitHub App's "
            "settings page, or set DRY_RUN=1 to run without talking to GitHub."
        )
    if app_id is None and (local_fallback or dry_run):
        dry_run = True
        notices.append("No GitHub App credentials (APP_ID, PRIVATE_KEY): dry-run mode, no GitHub calls.")

    secret = _get(env, "WEBHOOK_SECRET")
    secret_file: Path | None = None
    if secret is None and app_id is None:
        secret_file = local_secret_path(database_url)
        if secret_file is not None and secret_file.exists():
            secret = read_secret_file(secret_file)
            notices.append(f"Using the webhook secret stored in {secret_file}.")
        elif secret_file is not None and local_fallback:
            secret = create_secret_file(secret_file)
            notices.append(
                f"WEBHOOK_SECRET is not set: generated one and stored it in {secret_file} "
                "(`ptm-triage replay` signs with it)."
            )
        else:
            secret_file = None
    if secret is None and (require_secret or local_fallback):
        raise ConfigurationError(
            "WEBHOOK_SECRET is not set. Use the same value as the 'Webhook secret' of your GitHub App "
            "(generate one with: python -c 'import secrets; print(secrets.token_hex(32))')."
        )

    return Settings(
        app_id=app_id,
        private_key=private_key,
        webhook_secret=secret,
        github_api_url=_api_url(env),
        database_url=database_url,
        redis_url=_get(env, "REDIS_URL"),
        port=_int(env, "PORT", DEFAULT_PORT, low=1, high=65535),
        log_level=_choice(env, "LOG_LEVEL", "INFO", _LOG_LEVELS),
        log_format=_choice(env, "LOG_FORMAT", "AUTO", ("AUTO", "JSON", "TEXT")).lower(),
        dry_run=dry_run,
        max_body_bytes=_int(env, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, low=1024, high=1 << 31),
        worker_threads=_int(env, "WORKER_THREADS", DEFAULT_WORKER_THREADS, low=0, high=256),
        web_threads=_int(env, "WEB_THREADS", DEFAULT_WEB_THREADS, low=1, high=1024),
        max_attempts=_int(env, "MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, low=1, high=1000),
        lease_seconds=float(_int(env, "LEASE_SECONDS", int(DEFAULT_LEASE_SECONDS), low=5, high=86400)),
        github_writes_per_minute=_int(env, "GITHUB_WRITES_PER_MINUTE", 70, low=1, high=1_000_000),
        github_writes_per_hour=_int(env, "GITHUB_WRITES_PER_HOUR", 450, low=1, high=10_000_000),
        github_timeout=float(_int(env, "GITHUB_TIMEOUT", 15, low=1, high=300)),
        status_token=_get(env, "STATUS_TOKEN"),
        secret_file=secret_file,
        notices=tuple(notices),
    )


def _app_credentials(env: Mapping[str, str]) -> tuple[int | None, str | None]:
    raw_id = _get(env, "APP_ID")
    key_text = _get(env, "PRIVATE_KEY")
    key_path = _get(env, "PRIVATE_KEY_PATH")
    if raw_id is None and key_text is None and key_path is None:
        return None, None
    if raw_id is None:
        raise ConfigurationError("A private key is set but APP_ID is not: set APP_ID to the GitHub App's ID.")
    if not raw_id.isdigit() or int(raw_id) <= 0:
        raise ConfigurationError("APP_ID must be the GitHub App's numeric ID (a positive integer).")
    if key_text is not None and key_path is not None:
        raise ConfigurationError("Both PRIVATE_KEY and PRIVATE_KEY_PATH are set: keep only one of them.")
    if key_text is None and key_path is None:
        raise ConfigurationError(
            "APP_ID is set but no private key: set PRIVATE_KEY_PATH to the .pem file downloaded from the "
            "App's settings page (or PRIVATE_KEY to its contents)."
        )
    if key_path is not None:
        pem = _read_key_file(Path(key_path))
        where = "PRIVATE_KEY_PATH"
    else:
        assert key_text is not None
        pem = _normalise_pem(key_text)
        where = "PRIVATE_KEY"
    _check_pem(pem, where)
    return int(raw_id), pem


def _read_key_file(path: Path) -> str:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"PRIVATE_KEY_PATH: cannot read {path} ({exc.strerror}).") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"PRIVATE_KEY_PATH: {path} is not a PEM text file.") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("Private key file %s is readable by other users; run: chmod 600 %s", path, path)
    return text


def _normalise_pem(value: str) -> str:
    """Accept the PEM itself, a PEM with literal \\n (one-line env files), or base64 of the PEM."""
    text = value.strip()
    if "-----BEGIN" not in text:
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8").strip()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return text
    return text.replace("\\n", "\n")


def _check_pem(pem: str, where: str) -> None:
    fix = f"{where} must be the GitHub App private key (.pem) downloaded from the App's settings page"
    if "-----BEGIN" not in pem or "PRIVATE KEY-----" not in pem:
        raise ConfigurationError(f"{fix}; the value is not a PEM private key.")
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        load_pem_private_key(pem.encode("utf-8"), password=None)
    except (ValueError, TypeError):
        raise ConfigurationError(f"{fix}; the PEM could not be parsed (truncated or encrypted?).") from None


def _api_url(env: Mapping[str, str]) -> str:
    url = (_get(env, "GITHUB_API_URL") or DEFAULT_GITHUB_API_URL).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            "GITHUB_API_URL must be an http(s) URL: https://api.github.com, or https://HOST/api/v3 for "
            "GitHub Enterprise Server."
        )
    return url


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def _int(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = _get(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}.") from None
    if not low <= value <= high:
        raise ConfigurationError(f"{name} must be between {low} and {high}, got {value}.")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be 1/0, true/false, yes/no or on/off, got {raw!r}.")


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = (_get(env, name) or default).upper()
    if raw not in allowed:
        raise ConfigurationError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}.")
    return raw
