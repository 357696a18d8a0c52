"""Reading a repository's existing issues as the App: which installation holds the repository, then the
issue listing one page at a time (for `ptm-triage backfill`).

Requests go through the same calls as every other (bot/github/http.py: retries, rate limits, pacing shared
with the installation's clients). Pages are listed oldest first, so new issues opened while a backfill runs
land on later pages and a finished page stays finished.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from github import Github

from bot.errors import PermanentFailure
from bot.github.client import APP_KEY, AppClientFactory
from bot.github.convert import checked_repo
from bot.github.http import PER_PAGE
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


def _links(headers: Mapping[str, Any], current: int) -> tuple[bool, int | None]:
    """(whether a next page exists, the number of the last page when the Link header says)."""
    links = requests.utils.parse_header_links(str(headers.get("link") or ""))
    by_rel = {link.get("rel"): link.get("url", "") for link in links}
    if "next" not in by_rel:
        return False, current
    pages = parse_qs(urlsplit(by_rel.get("last", "")).query).get("page")
    return True, int(pages[0]) if pages and pages[0].isdigit() else None


class IssueLister:
    """The App's view of one repository's issues. Raises what bot/github/http.py raises: Throttled
    (wait and call again), RetryLater (GitHub failing), PermanentFailure (no access)."""

    def __init__(self, factory: AppClientFactory) -> None:
        self._factory = factory

    @classmethod
    def for_app(cls, settings: Settings, factory: AppClientFactory) -> IssueLister:
        """Shares the factory's tokens, pacing and PyGithub clients (`settings`: kept for the callers)."""
        del settings
        return cls(factory)

    def close(self) -> None:
        """Nothing of its own to release: the factory's clients are closed with the factory."""

    def installation_for(self, repo: str) -> int:
        """The installation of the App that holds `repo` (GET /repos/{owner}/{repo}/installation, as the App)."""
        owner, name = checked_repo(repo).split("/")
        try:
            return self._factory.calls.run("find_installation", self._factory.app,
                                           lambda app: app.get_repo_installation(owner, name).id, key=APP_KEY)
        except PermanentFailure:
            raise PermanentFailure(
                f"the App is not installed on {repo} (or cannot see it): install it on the repository from "
                "the App's page on GitHub, then run this again"
            ) from None

    def page(self, installation_id: int, repo: str, number: int, *, state: str, since: str | None) -> IssuePage:
        """One page (100 items) of the repository's issues, oldest first."""
        query: dict[str, Any] = {"state": state, "sort": "created", "direction": "asc", "per_page": PER_PAGE,
                                 "page": number}
        if since:
            query["since"] = since

        def call(gh: Github) -> tuple[dict[str, Any], Any]:
            # Repository.get_issues(...).get_page(n) drops the Link header (is there a next page, how many
            # pages) and gives Issue objects that would each be fetched again for their raw data; the
            # same request through the public Requester keeps both.
            return gh.requester.requestJsonAndCheck(
                "GET", f"{gh.get_repo(checked_repo(repo)).url}/issues", parameters=query)

        client = self._factory.client(installation_id)
        headers, items = client.run("list_issues", call)
        items = items if isinstance(items, list) else []
        issues = tuple(listed_issue(repo, item) for item in items if item.get("pull_request") is None)
        return IssuePage(number, issues, len(items) - len(issues), *_links(headers, number))
