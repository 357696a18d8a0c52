"""Reading a repository's existing issues as the App: which installation holds the repository, then the
issue listing one page at a time (for `ptm-triage backfill`).

Requests go through the same transport as every other call (bot/github/http.py: retries, rate limits,
pacing shared with the installation's clients). Pages are listed oldest first, so new issues opened
while a backfill runs land on later pages and a finished page stays finished.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from bot.errors import PermanentFailure
from bot.github.auth import InstallationTokens
from bot.github.client import APP_KEY, AppClientFactory
from bot.github.http import PER_PAGE, Answer, Http, RequestPolicy
from bot.github.port import IssueSnapshot
from bot.settings import Settings


@dataclass(frozen=True)
class ListedIssue:
    """One issue of a listing: the snapshot triage reads, and what the listing adds."""

    snapshot: IssueSnapshot
    html_url: str
    closed_at: str | None
    updated_at: str | None
    payload: Mapping[str, Any]  # the issue object as GitHub listed it (the shape a webhook carries)


@dataclass(frozen=True)
class IssuePage:
    number: int  # 1-based
    issues: tuple[ListedIssue, ...]  # pull requests left out
    pull_requests: int  # how many items of the page were pull requests
    has_next: bool
    last_page: int | None  # from the Link header: how many pages the listing has (None: unknown)


def _login(user: object) -> tuple[str, bool]:
    if not isinstance(user, Mapping):
        return "ghost", False
    login = str(user.get("login") or "ghost")
    return login, user.get("type") == "Bot" or login.casefold().endswith("[bot]")


def listed_issue(repo: str, item: Mapping[str, Any]) -> ListedIssue:
    author, author_is_bot = _login(item.get("user"))
    labels = tuple(str(lb["name"]) for lb in item.get("labels") or () if isinstance(lb, Mapping) and "name" in lb)
    snapshot = IssueSnapshot(
        repo=repo, number=int(item["number"]), title=str(item.get("title") or ""),
        body=str(item.get("body") or ""), author=author, author_is_bot=author_is_bot, labels=labels,
        is_pull_request=item.get("pull_request") is not None, state=str(item.get("state") or "open"),
        created_at=str(item.get("created_at") or ""),
    )
    return ListedIssue(
        snapshot=snapshot, html_url=str(item.get("html_url") or ""),
        closed_at=item.get("closed_at") or None, updated_at=item.get("updated_at") or None, payload=item,
    )


def _links(answer: Answer, current: int) -> tuple[bool, int | None]:
    """(whether a next page exists, the number of the last page when the Link header says)."""
    links = requests.utils.parse_header_links(answer.headers.get("link", ""))
    by_rel = {link.get("rel"): link.get("url", "") for link in links}
    if "next" not in by_rel:
        return False, current
    pages = parse_qs(urlsplit(by_rel.get("last", "")).query).get("page")
    return True, int(pages[0]) if pages and pages[0].isdigit() else None


class IssueLister:
    """The App's view of one repository's issues. Raises what bot/github/http.py raises: Throttled
    (wait and call again), RetryLater (GitHub failing), PermanentFailure (no access)."""

    def __init__(self, http: Http, tokens: InstallationTokens) -> None:
        self._http = http
        self._tokens = tokens

    @classmethod
    def for_app(cls, settings: Settings, factory: AppClientFactory) -> IssueLister:
        """Shares the factory's tokens and pacing; has its own connection pool."""
        http = Http(settings.github_api_url, factory.limiter, RequestPolicy(read_timeout=settings.github_timeout),
                    time.time, time.sleep, random.random)
        return cls(http, factory.tokens)

    def close(self) -> None:
        self._http.close()

    def installation_for(self, repo: str) -> int:
        """The installation of the App that holds `repo` (GET /repos/{owner}/{repo}/installation, as the App)."""
        try:
            answer = self._http.call("find_installation", "GET", f"/repos/{repo}/installation", key=APP_KEY,
                                     token=self._tokens.app_jwt, paced=False)
        except PermanentFailure:
            raise PermanentFailure(
                f"the App is not installed on {repo} (or cannot see it): install it on the repository from "
                "the App's page on GitHub, then run this again"
            ) from None
        return int(answer.json()["id"])

    def page(self, installation_id: int, repo: str, number: int, *, state: str, since: str | None) -> IssuePage:
        """One page (100 items) of the repository's issues, oldest first."""
        query: dict[str, str | int] = {"state": state, "sort": "created", "direction": "asc",
                                       "per_page": PER_PAGE, "page": number}
        if since:
            query["since"] = since
        answer = self._http.call(
            "list_issues", "GET", f"/repos/{repo}/issues?{urlencode(query)}", key=installation_id,
            token=lambda: self._tokens.token(installation_id),
            refused=lambda token: self._tokens.invalidate(installation_id, token),
        )
        items = answer.json()
        items = items if isinstance(items, list) else []
        issues = tuple(listed_issue(repo, item) for item in items if item.get("pull_request") is None)
        return IssuePage(number, issues, len(items) - len(issues), *_links(answer, number))
