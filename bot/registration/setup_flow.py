"""The end of GitHub's manifest flow: converting the one-time code into the new App's credentials.

The /setup pages (`bot.web.setup`) call it once GitHub sends the browser back with the code.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.github.app_manifest import ConversionFailed, convert_manifest_code
from bot.registration.credentials import AppCredentials

log = logging.getLogger(__name__)


class RegistrationError(Exception):
    """The code could not be converted; `status` is what the setup page answers."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def exchange_code(api_url: str, code: str, timeout: float) -> AppCredentials:
    """Convert a manifest code into the new App's credentials (one POST, unauthenticated, as documented)."""
    try:
        data: Any = convert_manifest_code(api_url, code, round(timeout))
    except ConversionFailed as exc:
        if exc.status is None:
            log.warning("manifest conversion: GitHub unreachable")
            raise RegistrationError(
                502, f"Cannot reach GitHub at {api_url}. Check the network and GITHUB_API_URL, then start again."
            ) from None
        if exc.status in (404, 422):
            raise RegistrationError(
                400,
                "GitHub does not know this registration code: a code works once and expires after an hour. "
                "Start again.",
            ) from None
        log.warning("manifest conversion: GitHub answered %d", exc.status)
        raise RegistrationError(502, f"GitHub answered {exc.status}; try again in a moment.") from None
    try:
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
