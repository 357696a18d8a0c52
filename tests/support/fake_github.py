"""An in-memory GitHub implementing bot.github.port.GitHubPort, for handler tests: the one fake of the suite.

It keeps state (labels, issues, comments, timeline label events, files, check runs), records every call
in `calls` (method name and arguments), and can inject faults: `fail("add_labels", exc)` raises before the
call does anything, `fail("create_comment", exc, after_apply=True)` raises after the write happened (a 502
after a successful POST).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.errors import PermanentFailure
from bot.github.convert import checked_repo
from bot.github.port import Comment, FileContent, IssueSnapshot, LabelEvent
from classifier.taxonomy import LabelSpec

APP_LOGIN = "ptm-triage[bot]"
WRITES = frozenset(
    {"create_label", "add_labels", "create_comment", "edit_comment", "delete_comment", "create_check_run"}
)


@dataclass
class FakeIssue:
    snapshot: IssueSnapshot
    comments: list[Comment] = field(default_factory=list)
    events: list[LabelEvent] = field(default_factory=list)


@dataclass(frozen=True)
class CheckRun:
    repo: str
    head_sha: str
    name: str
    conclusion: str
    title: str
    summary: str


class FakeGitHub:
    def __init__(self, login: str = APP_LOGIN) -> None:
        self.login = login
        self.labels: dict[str, dict[str, LabelSpec]] = {}  # repo -> casefolded name -> spec
        self.issues: dict[tuple[str, int], FakeIssue] = {}
        self.files: dict[tuple[str, str], str] = {}
        self.check_runs: list[CheckRun] = []
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self._faults: dict[str, list[tuple[Exception, bool]]] = {}
        self._next_comment_id = 1000

    # -- test set-up and inspection ----------------------------------------------------------------
    def add_issue(
        self,
        repo: str,
        number: int,
        title: str = "",
        body: str = "",
        author: str = "alice",
        labels: Sequence[str] = (),
        **extra: Any,
    ) -> IssueSnapshot:
        snapshot = IssueSnapshot(
            repo=repo,
            number=number,
            title=title,
            body=body,
            author=author,
            author_is_bot=extra.pop("author_is_bot", author.endswith("[bot]")),
            labels=tuple(labels),
            is_pull_request=extra.pop("is_pull_request", False),
            state=extra.pop("state", "open"),
            created_at=extra.pop("created_at", "2026-01-01T00:00:00Z"),
        )
        assert not extra, f"unknown issue fields {sorted(extra)}"
        self.issues[(repo, number)] = FakeIssue(snapshot)
        for name in labels:
            self.labels.setdefault(repo, {}).setdefault(name.casefold(), LabelSpec(name, "ededed", ""))
        return snapshot

    def add_comment(self, repo: str, number: int, body: str, author: str) -> Comment:
        """A comment someone else wrote (the bot's own go through create_comment)."""
        self._next_comment_id += 1
        comment = Comment(self._next_comment_id, body, author)
        self._issue(repo, number).comments.append(comment)
        return comment

    def add_repo_labels(self, repo: str, *names: str) -> None:
        for name in names:
            self.labels.setdefault(repo, {})[name.casefold()] = LabelSpec(name, "ededed", "")

    def human_unlabels(self, repo: str, number: int, label: str, actor: str = "maintainer") -> None:
        issue = self._issue(repo, number)
        kept = tuple(n for n in issue.snapshot.labels if n.casefold() != label.casefold())
        issue.snapshot = replace(issue.snapshot, labels=kept)
        issue.events.append(LabelEvent("unlabeled", label, actor, False, "2026-01-01T01:00:00Z"))

    def fail(self, method: str, exc: Exception, *, after_apply: bool = False) -> None:
        self._faults.setdefault(method, []).append((exc, after_apply))

    def call_names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def writes(self) -> list[str]:
        return [name for name in self.call_names() if name in WRITES]

    def comments(self, repo: str, number: int) -> list[Comment]:
        return list(self._issue(repo, number).comments)

    def issue_labels(self, repo: str, number: int) -> tuple[str, ...]:
        return self._issue(repo, number).snapshot.labels

    # -- GitHubPort ----------------------------------------------------------------------------------
    def repo_labels(self, repo: str) -> frozenset[str]:
        self._enter("repo_labels", repo)
        self._known(repo)
        return frozenset(spec.name for spec in self.labels.get(repo, {}).values())

    def create_label(self, repo: str, spec: LabelSpec) -> None:
        after = self._enter("create_label", repo, spec)
        self._known(repo)
        # As GitHub stores it: colour without '#' in lower case, description cut at 100 characters.
        stored = LabelSpec(spec.name, spec.color.lstrip("#").lower(), spec.description[:100])
        self.labels.setdefault(repo, {}).setdefault(spec.name.casefold(), stored)
        self._exit("create_label", after)

    def add_labels(self, repo: str, number: int, names: Sequence[str]) -> tuple[str, ...]:
        after = self._enter("add_labels", repo, number, tuple(names))
        issue = self._issue(repo, number)
        labels = list(issue.snapshot.labels)
        for name in names:
            # GitHub creates an unknown label on the fly, grey and without description.
            repo_labels = self.labels.setdefault(repo, {})
            known = repo_labels.setdefault(name.casefold(), LabelSpec(name, "ededed", ""))
            if known.name.casefold() not in (n.casefold() for n in labels):
                labels.append(known.name)
                issue.events.append(
                    LabelEvent("labeled", known.name, self.login, True, "2026-01-01T00:01:00Z")
                )
        issue.snapshot = replace(issue.snapshot, labels=tuple(labels))
        self._exit("add_labels", after)
        return issue.snapshot.labels

    def find_comment(self, repo: str, number: int, marker: str) -> Comment | None:
        self._enter("find_comment", repo, number, marker)
        return next((c for c in self._issue(repo, number).comments if marker in c.body), None)

    def create_comment(self, repo: str, number: int, body: str) -> Comment:
        after = self._enter("create_comment", repo, number, body)
        self._next_comment_id += 1
        comment = Comment(self._next_comment_id, body, self.login)
        self._issue(repo, number).comments.append(comment)
        self._exit("create_comment", after)
        return comment

    def edit_comment(self, repo: str, number: int, comment_id: int, body: str) -> None:
        after = self._enter("edit_comment", repo, number, comment_id, body)
        issue, index = self._comment(repo, comment_id)
        issue.comments[index] = replace(issue.comments[index], body=body)
        self._exit("edit_comment", after)

    def delete_comment(self, repo: str, number: int, comment_id: int) -> None:
        after = self._enter("delete_comment", repo, number, comment_id)
        try:
            issue, index = self._comment(repo, comment_id)
        except PermanentFailure:
            pass  # already deleted counts as done, as GitHub's 404 does for the adapter
        else:
            del issue.comments[index]
        self._exit("delete_comment", after)

    def label_events(self, repo: str, number: int) -> tuple[LabelEvent, ...]:
        self._enter("label_events", repo, number)
        return tuple(self._issue(repo, number).events)

    def read_file(self, repo: str, path: str, etag: str | None = None) -> FileContent:
        self._enter("read_file", repo, path, etag)
        if not path.strip("/") or any(part in ("", ".", "..") for part in path.strip("/").split("/")):
            raise ValueError(f"not a file path in a repository: {path[:200]!r}")
        content = self.files.get((repo, path))
        if content is None:
            return FileContent(None, None)
        current = '"' + hashlib.sha256(content.encode()).hexdigest()[:16] + '"'
        if etag == current:
            return FileContent(None, current, not_modified=True)
        return FileContent(content, current)

    def create_check_run(
        self, repo: str, head_sha: str, name: str, conclusion: str, title: str, summary: str
    ) -> None:
        after = self._enter("create_check_run", repo, head_sha, name, conclusion)
        self.check_runs.append(CheckRun(repo, head_sha, name, conclusion, title, summary))
        self._exit("create_check_run", after)

    # -- internals -----------------------------------------------------------------------------------
    def _enter(self, method: str, *args: Any) -> Exception | None:
        """Record the call; raise a fault queued to fire before it, or return one to fire after it.
        A malformed repository name is refused as the adapter refuses it."""
        self.calls.append((method, args))
        checked_repo(args[0])
        queued = self._faults.get(method)
        if not queued:
            return None
        exc, after_apply = queued.pop(0)
        if not after_apply:
            raise exc
        return exc

    @staticmethod
    def _exit(method: str, after: Exception | None) -> None:
        if after is not None:
            raise after

    def _known(self, repo: str) -> None:
        """A repository the fake has heard of (an issue, a label or a file in it); else GitHub's 404."""
        if repo not in self.labels and all(r != repo for r, _ in self.issues) and all(r != repo for r, _ in self.files):
            raise PermanentFailure(f"not found (HTTP 404): {repo}")

    def _issue(self, repo: str, number: int) -> FakeIssue:
        try:
            return self.issues[(repo, number)]
        except KeyError:
            raise PermanentFailure(f"not found (HTTP 404): {repo}#{number}") from None

    def _comment(self, repo: str, comment_id: int) -> tuple[FakeIssue, int]:
        for (issue_repo, _), issue in self.issues.items():
            if issue_repo != repo:
                continue
            for index, comment in enumerate(issue.comments):
                if comment.id == comment_id:
                    return issue, index
        raise PermanentFailure(f"not found (HTTP 404): {repo} comment {comment_id}")
