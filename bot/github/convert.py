"""Plain values from PyGithub's objects, and the checks GitHub names must pass before a call."""

from __future__ import annotations

import re
from typing import Any

from github.ContentFile import ContentFile
from github.IssueComment import IssueComment
from github.NamedUser import NamedUser
from github.Organization import Organization

from bot.errors import PermanentFailure
from bot.github.port import Comment, FileContent

_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_MARKER = re.compile(r"<!--.*?-->", re.DOTALL)


def checked_repo(repo: str) -> str:
    if not _REPO.fullmatch(repo) or any(part in (".", "..") for part in repo.split("/")):
        raise PermanentFailure(f"not a repository name: {repo[:100]!r} (expected owner/name)")
    return repo


def marker_of(body: str) -> str:
    """What identifies a comment we created: its hidden HTML marker, else the whole body."""
    found = _MARKER.search(body)
    return found.group(0) if found else body


def login_of(user: NamedUser | Organization | None) -> tuple[str, bool]:
    if user is None:
        return "ghost", False
    login = user.login or "ghost"
    return login, user.type == "Bot" or login.endswith("[bot]")


def comment_of(item: IssueComment) -> Comment:
    return Comment(id=item.id, body=item.body or "", author=login_of(item.user)[0])


def file_content(path: str, found: ContentFile | list[ContentFile]) -> FileContent:
    if isinstance(found, list) or found.type != "file":
        return FileContent(text=None, etag=None)
    if found.encoding != "base64":
        raise PermanentFailure(f"read_file: {path} is too large for the contents API")
    return FileContent(found.decoded_content.decode("utf-8", errors="replace"), found.etag)


def iso(when: Any) -> str:
    return when.isoformat().replace("+00:00", "Z") if when is not None else ""
