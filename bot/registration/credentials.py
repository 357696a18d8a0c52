"""The local credentials file that the setup flow (/setup) writes (`bot.settings.files` reads it).

After GitHub registers the App from the manifest, its id, webhook secret and private key are stored in
`github-app.env`, a 0600 .env-style file next to the SQLite database, so that a restarted
`ptm-triage serve` runs as the App. Variables set in the environment always win over the file; the file
is only consulted when none of APP_ID, PRIVATE_KEY and PRIVATE_KEY_PATH is set.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

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
