"""The end of GitHub's manifest flow: converting the one-time code into the new App's credentials.

The /setup pages (`bot.web.setup`) call it once GitHub sends the browser back with the code.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import requests

from bot.registration.credentials import AppCredentials

log = logging.getLogger(__name__)

_API_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": "ptm-triage-setup",
}

class RegistrationError(Exception):
    """The code could not be converted; `status` is what the setup page answers."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def exchange_code(api_url: str, code: str, timeout: float) -> AppCredentials:
    """Convert a manifest code into the new App's credentials (one POST, unauthenticated, as documented)."""
    url = f"{api_url.rstrip('/')}/app-manifests/{quote(code, safe='')}/conversions"
    try:
        response = requests.post(url, headers=_API_HEADERS, timeout=timeout)
    except requests.RequestException as exc:
        log.warning("manifest conversion: GitHub unreachable (%s)", type(exc).__name__)
        raise RegistrationError(
            502, f"Cannot reach GitHub at {api_url}. Check the network and GITHUB_API_URL, then start again."
        ) from None
    if response.status_code in (404, 422):
        raise RegistrationError(
            400,
            "GitHub does not know this registration code: a code works once and expires after an hour. "
            "Start again.",
        )
    if response.status_code != 201:
        log.warning("manifest conversion: GitHub answered %d", response.status_code)
        raise RegistrationError(502, f"GitHub answered {response.status_code}; try again in a moment.")
    try:
        data: Any = response.json()
        creds = AppCredentials(
            app_id=int(data["id"]),
            slug=str(data["slug"]),
            name=str(data["name"]),
            html_url=str(data["html_url"]),
            webhook_secret=data["webhook_secret"] or "",
            private_key=str(data["pem"]),
        )
    except (ValueError, KeyError, TypeError):
        raise RegistrationError(502, "GitHub's answer did not hold the App's credentials.") from None
    if not creds.webhook_secret:
        raise RegistrationError(
            502, "GitHub registered the App without a webhook secret. Set one in the App's settings and "
            "configure APP_ID, PRIVATE_KEY_PATH and WEBHOOK_SECRET by hand.",
        )
    return creds
