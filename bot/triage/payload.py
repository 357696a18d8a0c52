"""Reading webhook payloads once, at the edge, into typed values. Not a handler.

A payload missing what the event promises is a permanent failure: retrying the same bytes cannot help.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.errors import PermanentFailure
from bot.events import Event
from bot.github.port import IssueSnapshot


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PermanentFailure(f"payload has no {what} object")
    return value


def _login(user: object) -> tuple[str, bool]:
    """(login, is_bot) of a user object; a missing user reads as an unknown human."""
    if not isinstance(user, Mapping):
        return "", False
    login = user.get("login")
    login = login if isinstance(login, str) else ""
    return login, user.get("type") == "Bot" or login.casefold().endswith("[bot]")


def repo_name(event: Event) -> str:
    repo = event.repo
    if repo is None:
        raise PermanentFailure("payload has no repository.full_name")
    return repo


def issue_snapshot(event: Event) -> IssueSnapshot:
    """The issue as the payload shows it at the time of the event."""
    issue = _mapping(event.payload.get("issue"), "issue")
    number = issue.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
        raise PermanentFailure("payload issue has no valid number")
    author, author_is_bot = _login(issue.get("user"))
    labels = tuple(
        label["name"]
        for label in issue.get("labels") or ()
        if isinstance(label, Mapping) and isinstance(label.get("name"), str)
    )
    title = issue.get("title")
    body = issue.get("body")
    return IssueSnapshot(
        repo=repo_name(event),
        number=number,
        title=title if isinstance(title, str) else "",
        body=body if isinstance(body, str) else "",
        author=author,
        author_is_bot=author_is_bot,
        labels=labels,
        is_pull_request=issue.get("pull_request") is not None,
        state=str(issue.get("state") or "open"),
        created_at=str(issue.get("created_at") or ""),
    )


def comment_count(event: Event) -> int:
    issue = _mapping(event.payload.get("issue"), "issue")
    count = issue.get("comments")
    return count if isinstance(count, int) and count >= 0 else 1  # unknown: assume some exist


def transferred(event: Event) -> bool:
    """An issue transferred in arrives as `opened` with `changes.old_issue`."""
    changes = event.payload.get("changes")
    return isinstance(changes, Mapping) and changes.get("old_issue") is not None


def minutes_since_open(event: Event) -> float:
    """From the issue's creation to this event (its `updated_at`), from the payload alone: no clock."""
    issue = _mapping(event.payload.get("issue"), "issue")
    created = _timestamp(issue.get("created_at"))
    updated = _timestamp(issue.get("updated_at"))
    if created is None or updated is None:
        return float("inf")  # unknown age: never "within N minutes"
    return max(0.0, (updated - created).total_seconds() / 60)


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def sender(event: Event) -> tuple[str, bool]:
    """(login, is_bot) of whoever caused the event."""
    return _login(event.payload.get("sender"))


def label_name(event: Event) -> str:
    label = _mapping(event.payload.get("label"), "label")
    name = label.get("name")
    if not isinstance(name, str) or not name:
        raise PermanentFailure("payload label has no name")
    return name


def repository_private(event: Event) -> bool:
    """Whether the repository is not public (private or internal); unknown reads as private."""
    repository = event.payload.get("repository")
    if not isinstance(repository, Mapping):
        return True
    visibility = repository.get("visibility")
    if isinstance(visibility, str):
        return visibility != "public"
    return repository.get("private") is not False


def issue_url(event: Event) -> str:
    """The issue's html_url ("" when the payload has none)."""
    url = _mapping(event.payload.get("issue"), "issue").get("html_url")
    return url if isinstance(url, str) else ""


def issue_times(event: Event) -> tuple[datetime | None, datetime | None]:
    """(created_at, closed_at) of the issue, as aware datetimes where the payload has them."""
    issue = _mapping(event.payload.get("issue"), "issue")
    return _timestamp(issue.get("created_at")), _timestamp(issue.get("closed_at"))
