"""The local credentials file that the setup flow (/setup) writes and `load_settings` reads.

After GitHub registers the App from the manifest, its id, webhook secret and private key are stored in
`github-app.env`, a 0600 .env-style file next to the SQLite database, so that a restarted
`ptm-triage serve` runs as the App. Variables set in the environment always win over the file; the file
is only consulted when none of APP_ID, PRIVATE_KEY and PRIVATE_KEY_PATH is set.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.settings import ConfigurationError, sqlite_path

log = logging.getLogger(__name__)

CREDENTIALS_FILE_NAME = "github-app.env"
KEYS = ("APP_ID", "WEBHOOK_SECRET", "PRIVATE_KEY")  # what the file may set
_CREDENTIAL_VARS = ("APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH")
_UNSAFE = frozenset('"\\\r\n')  # cannot appear in a double-quoted value of this format


@dataclass(frozen=True)
class AppCredentials:
    """What GitHub hands over once, when the manifest code is converted."""

    app_id: int
    slug: str
    name: str
    html_url: str  # the App's public page; installs start at html_url + "/installations/new"
    webhook_secret: str = field(repr=False)
    private_key: str = field(repr=False)  # PEM


def credentials_path(database_url: str) -> Path | None:
    """Where the file lives: beside the SQLite database (None for PostgreSQL or in-memory SQLite)."""
    db = sqlite_path(database_url)
    return None if db is None else db.parent / CREDENTIALS_FILE_NAME


def render_credentials(creds: AppCredentials) -> str:
    """The file's text. The PEM is kept on one line with \\n escapes, which load_settings undoes."""
    pem = creds.private_key.strip().replace("\r\n", "\n")
    for name, value in (("webhook secret", creds.webhook_secret), ("private key", pem.replace("\n", ""))):
        if not value or any(c in _UNSAFE for c in value):
            raise ValueError(f"the {name} GitHub returned has an unexpected form")
    pem = pem.replace("\n", "\\n")
    written = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    return (
        f"# GitHub App {creds.name!r} ({creds.html_url!r}), registered by ptm-triage /setup on {written}.\n"
        "# Secret: keep this file private (mode 0600). Variables set in the environment override it.\n"
        f'APP_ID="{creds.app_id}"\n'
        f'WEBHOOK_SECRET="{creds.webhook_secret}"\n'
        f'PRIVATE_KEY="{pem}"\n'
    )


def write_credentials(path: Path, creds: AppCredentials) -> None:
    """Create the file with mode 0600. Never overwrites: an existing file raises FileExistsError."""
    text = render_credentials(creds)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)  # no half-written credentials
        raise


def parse_credentials(text: str, where: str) -> dict[str, str]:
    """KEY="value" lines (quotes optional), # comments and blank lines; only KEYS are taken."""
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        if not sep or not key:
            raise ConfigurationError(f"{where}, line {number}: expected NAME=value; fix or delete the file.")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if key in KEYS:
            values[key] = value
    return values


def stored_credentials_env(env: Mapping[str, str], database_url: str) -> tuple[Mapping[str, str], Path | None]:
    """`env` completed from the credentials file when the environment has no App credentials, and the
    file that was used (None: `env` unchanged)."""
    if any((env.get(name) or "").strip() for name in _CREDENTIAL_VARS):
        return env, None
    path = credentials_path(database_url)
    if path is None or not path.is_file():
        return env, None
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ConfigurationError(f"Cannot read the App credentials file {path}; fix or delete it.") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("App credentials file %s is readable by other users; run: chmod 600 %s", path, path)
    stored = parse_credentials(text, str(path))
    missing = [key for key in KEYS if not stored.get(key)]
    if missing:
        raise ConfigurationError(
            f"The App credentials file {path} lacks {', '.join(missing)}: delete it and register again "
            "(/setup), or set the variables in the environment."
        )
    merged = dict(env)
    for key, value in stored.items():
        if not (merged.get(key) or "").strip():
            merged[key] = value
    return merged, path
