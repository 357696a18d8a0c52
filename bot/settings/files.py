"""The files settings come from besides the environment, all next to the SQLite database: the embedded
store's default location, a generated webhook secret, and the App credentials that /setup stored.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from bot.errors import ConfigurationError

log = logging.getLogger(__name__)

SECRET_FILE_NAME = "webhook-secret"  # noqa: S105 (a file name, not a secret)
DB_FILE_NAME = "ptm-triage.db"
CREDENTIALS_FILE_NAME = "github-app.env"
KEYS = ("APP_ID", "WEBHOOK_SECRET", "PRIVATE_KEY")  # what the credentials file may set
_CREDENTIAL_VARS = ("APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH")


def default_database_url(env: Mapping[str, str]) -> str:
    """The embedded store: $XDG_DATA_HOME/ptm-triage/ptm-triage.db (~/.local/share/ptm-triage/ by default)."""
    data_home = (env.get("XDG_DATA_HOME") or "").strip() or None
    if data_home is None:
        home = (env.get("HOME") or "").strip() or None
        base = Path(home) if home else Path.home()
        data_home = str(base / ".local" / "share")
    return f"sqlite:///{Path(data_home) / 'ptm-triage' / DB_FILE_NAME}"


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a sqlite URL, or None for other databases and in-memory SQLite."""
    if not database_url.startswith("sqlite"):
        return None
    _, _, rest = database_url.partition(":///")
    if not rest or rest == ":memory:" or rest.startswith("file:"):
        return None
    return Path(rest.split("?", 1)[0])


def local_secret_path(database_url: str) -> Path | None:
    """Where a generated webhook secret lives: next to the SQLite database file."""
    db = sqlite_path(database_url)
    return None if db is None else db.parent / SECRET_FILE_NAME


def credentials_path(database_url: str) -> Path | None:
    """Where the file lives: beside the SQLite database (None for PostgreSQL or in-memory SQLite)."""
    db = sqlite_path(database_url)
    return None if db is None else db.parent / CREDENTIALS_FILE_NAME


def read_secret_file(path: Path) -> str:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise ConfigurationError(
            f"Cannot read the secret file {path}; delete it or set WEBHOOK_SECRET."
        ) from None
    if not value:
        raise ConfigurationError(f"The webhook secret file {path} is empty; delete it or set WEBHOOK_SECRET.")
    return value


def create_secret_file(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return read_secret_file(path)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


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
