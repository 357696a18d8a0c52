"""The end of GitHub's App manifest flow on the GitHub side: converting the one-time code into the new App.

PyGithub has no method for `POST /app-manifests/{code}/conversions`, so it goes through the public
`Requester.requestJsonAndCheck` of an unauthenticated `Github` client built like every other client of
the bot (base URL with GitHub Enterprise's prefix, API version, no retries: the code works once).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests
from github import Github, GithubException

from bot.github.http import RequestPolicy, client_options


class ConversionFailed(Exception):
    """GitHub did not convert the code: `status` is its answer, None when it could not be reached."""

    def __init__(self, status: int | None) -> None:
        super().__init__(f"manifest conversion: {'GitHub unreachable' if status is None else f'HTTP {status}'}")
        self.status = status


def convert_manifest_code(api_url: str, code: str, timeout: int) -> dict[str, Any]:
    """The new App as GitHub describes it (id, slug, name, html_url, webhook_secret, pem, ...)."""
    github = Github(**client_options(api_url, RequestPolicy(timeout=max(1, timeout))))
    try:
        _headers, data = github.requester.requestJsonAndCheck(
            "POST", f"/app-manifests/{quote(code, safe='')}/conversions")
    except requests.RequestException:
        raise ConversionFailed(None) from None
    except GithubException as exc:
        raise ConversionFailed(exc.status) from None
    finally:
        github.close()
    if not isinstance(data, dict):
        raise ConversionFailed(200)
    return data
