"""What handlers need from GitHub, as a Protocol.

`bot/github/client.py` implements it with PyGithub over HTTP; tests use the in-memory fake in
`tests/support/fake_github.py`. All repository arguments are "owner/name".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from classifier.taxonomy import LabelSpec


@dataclass(frozen=True)
class IssueSnapshot:
    repo: str
    number: int
    title: str
    body: str
    author: str
    author_is_bot: bool
    labels: tuple[str, ...]
    is_pull_request: bool
    state: str  # "open" | "closed"
    created_at: str  # ISO 8601, as GitHub sends it


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    author: str


@dataclass(frozen=True)
class LabelEvent:
    """A labeled/unlabeled event from an issue's timeline."""

    action: Literal["labeled", "unlabeled"]
    label: str
    actor: str
    actor_is_bot: bool
    created_at: str


@dataclass(frozen=True)
class FileContent:
    """A file read through the contents API. `text` is None when the file does not exist."""

    text: str | None
    etag: str | None
    not_modified: bool = False  # the server answered 304 to our If-None-Match


class GitHubPort(Protocol):
    """An installation-scoped GitHub client: every call acts as the App on one installation."""

    def repo_labels(self, repo: str) -> frozenset[str]: ...

    def create_label(self, repo: str, spec: LabelSpec) -> None:
        """Create a repository label; one that already exists counts as success."""
        ...

    def add_labels(self, repo: str, number: int, names: Sequence[str]) -> tuple[str, ...]:
        """Add labels to an issue (never removes any); returns the issue's labels afterwards."""
        ...

    def find_comment(self, repo: str, number: int, marker: str) -> Comment | None:
        """The first comment on the issue whose body contains `marker`, if any."""
        ...

    def create_comment(self, repo: str, number: int, body: str) -> Comment: ...

    def edit_comment(self, repo: str, number: int, comment_id: int, body: str) -> None: ...

    def delete_comment(self, repo: str, number: int, comment_id: int) -> None:
        """Delete a comment of issue `number`; one that is already gone counts as success."""
        ...

    def label_events(self, repo: str, number: int) -> tuple[LabelEvent, ...]: ...

    def read_file(self, repo: str, path: str, etag: str | None = None) -> FileContent:
        """Read a file from the default branch; with `etag`, a 304 answer gives not_modified=True."""
        ...

    def create_check_run(
        self, repo: str, head_sha: str, name: str, conclusion: str, title: str, summary: str
    ) -> None: ...


class GitHubClientFactory(Protocol):
    def for_installation(self, installation_id: int) -> GitHubPort: ...
