"""What the double knows: the App, installations, repositories with their issues, labels, files, and the
comments, label events, check runs and tokens created through the API. Plain data; one lock guards it.

snapshot.py turns a World into JSON and back (the seed format of the control API and `--state-file`).
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

TOKEN_LIFETIME = 3600  # seconds, as GitHub's installation tokens
RATE_LIMIT = 5000  # requests per hour per installation


def now_iso(epoch: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if epoch is None else epoch))


def is_bot(login: str) -> bool:
    return login.endswith("[bot]")


@dataclass
class App:
    id: int
    slug: str
    name: str
    owner: str
    public_key_pem: str

    @property
    def bot_login(self) -> str:
        return f"{self.slug}[bot]"


@dataclass
class Installation:
    id: int
    account: str
    repositories: list[str]  # full names
    suspended: bool = False


@dataclass
class Label:
    id: int
    name: str
    color: str = "ededed"
    description: str | None = None


@dataclass
class Issue:
    number: int
    id: int
    title: str
    body: str | None = None
    user: str = "octocat"
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    pull_request: bool = False
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    closed_at: str | None = None


@dataclass
class Comment:
    id: int
    repo: str
    issue_number: int
    body: str
    user: str
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)


@dataclass
class IssueEvent:
    id: int
    repo: str
    issue_number: int
    event: str  # "labeled" | "unlabeled"
    label: str
    actor: str
    created_at: str = field(default_factory=now_iso)


@dataclass
class File:
    text: str

    @property
    def sha(self) -> str:  # a git blob id, as the contents API reports it
        data = self.text.encode()
        return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()

    @property
    def etag(self) -> str:
        return f'"{self.sha}"'


@dataclass
class CheckRun:
    id: int
    repo: str
    head_sha: str
    name: str
    status: str
    conclusion: str | None
    title: str | None
    summary: str | None
    created_at: str = field(default_factory=now_iso)


@dataclass
class Repo:
    full_name: str
    id: int
    default_branch: str = "main"
    private: bool = False
    labels: list[Label] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    files: dict[str, File] = field(default_factory=dict)  # the default branch's head
    commits: dict[str, dict[str, str]] = field(default_factory=dict)  # commit sha -> {path: text} then

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]

    def label(self, name: str) -> Label | None:
        # GitHub label names are case-insensitive.
        return next((lb for lb in self.labels if lb.name.lower() == name.lower()), None)

    def issue(self, number: int) -> Issue | None:
        return next((i for i in self.issues if i.number == number), None)

    def commit_file(self, path: str, text: str | None) -> str:
        """Write (or with None, delete) a file on the default branch as a new commit; returns its sha."""
        path = path.strip("/")
        if text is None:
            self.files.pop(path, None)
        else:
            self.files[path] = File(text)
        parent = next(reversed(self.commits), "")
        sha = hashlib.sha1(f"{parent}\0{path}\0{text}".encode(), usedforsecurity=False).hexdigest()
        self.commits[sha] = {p: f.text for p, f in self.files.items()}
        return sha

    def files_at(self, ref: str | None) -> dict[str, File] | None:
        """The files at a branch name or commit sha (None: unknown ref)."""
        if ref in (None, self.default_branch, f"refs/heads/{self.default_branch}"):
            return self.files
        if ref in self.commits:
            return {p: File(t) for p, t in self.commits[ref].items()}
        return None


@dataclass
class Token:
    token: str
    installation_id: int
    expires_at: float  # epoch seconds


@dataclass
class World:
    app: App | None = None
    installations: dict[int, Installation] = field(default_factory=dict)
    repos: dict[str, Repo] = field(default_factory=dict)  # key: lower-case full name
    comments: dict[int, Comment] = field(default_factory=dict)
    events: list[IssueEvent] = field(default_factory=list)
    check_runs: list[CheckRun] = field(default_factory=list)
    tokens: dict[str, Token] = field(default_factory=dict)
    rate_remaining: dict[int, int] = field(default_factory=dict)  # installation id -> calls left this hour
    rate_reset: int = field(default_factory=lambda: int(time.time()) + 3600)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000), repr=False)

    def next_id(self) -> int:
        return next(self._ids)

    def skip_ids(self, used: Iterable[int]) -> None:
        """Continue numbering above ids that came from outside (a seed document)."""
        self._ids = itertools.count(max([999, *used]) + 1)

    def repo(self, full_name: str) -> Repo | None:
        return self.repos.get(full_name.lower())

    # ---- seeding -------------------------------------------------------------------------------------
    def set_app(self, id: int, slug: str, public_key_pem: str, name: str = "",
                owner: str = "octo-org") -> App:
        self.app = App(id, slug, name or slug, owner, public_key_pem)
        return self.app

    def add_installation(self, id: int, account: str, repositories: list[str] | None = None) -> Installation:
        inst = Installation(id, account, list(repositories or []))
        self.installations[id] = inst
        self.rate_remaining.setdefault(id, RATE_LIMIT)
        return inst

    def add_repo(self, full_name: str, installation_id: int | None = None, default_branch: str = "main",
                 private: bool = False) -> Repo:
        repo = self.repo(full_name) or Repo(full_name, self.next_id(), default_branch, private)
        self.repos[full_name.lower()] = repo
        inst = self.installations.get(installation_id) if installation_id is not None else None
        if inst is not None and full_name not in inst.repositories:
            inst.repositories.append(full_name)
        return repo

    def add_label(self, repo: Repo, name: str, color: str = "ededed",
                  description: str | None = None) -> Label:
        label = Label(self.next_id(), name, color.lstrip("#").lower(), description)
        repo.labels.append(label)
        return label

    def add_issue(self, repo: Repo, title: str, body: str | None = None, user: str = "octocat",
                  labels: list[str] | None = None, number: int | None = None, state: str = "open",
                  pull_request: bool = False, created_at: str | None = None) -> Issue:
        number = number or max((i.number for i in repo.issues), default=0) + 1
        for name in labels or []:
            if repo.label(name) is None:
                self.add_label(repo, name)
        issue = Issue(number, self.next_id(), title, body, user, list(labels or []), state, pull_request)
        if created_at is not None:
            issue.created_at = issue.updated_at = created_at
        if state == "closed":
            issue.closed_at = issue.updated_at
        repo.issues.append(issue)
        return issue

    def add_comment(self, repo: Repo, issue: Issue, body: str, user: str) -> Comment:
        comment = Comment(self.next_id(), repo.full_name, issue.number, body, user)
        self.comments[comment.id] = comment
        return comment

    def change_label(self, repo: Repo, issue: Issue, action: str, name: str, actor: str) -> None:
        """Apply a labeled/unlabeled change and record it in the issue's timeline."""
        label = repo.label(name) or self.add_label(repo, name)
        present = any(n.lower() == label.name.lower() for n in issue.labels)
        if action == "labeled" and not present:
            issue.labels.append(label.name)
        elif action == "unlabeled" and present:
            issue.labels = [n for n in issue.labels if n.lower() != label.name.lower()]
        else:
            return  # GitHub records no event for a no-op
        issue.updated_at = now_iso()
        event = IssueEvent(self.next_id(), repo.full_name, issue.number, action, label.name, actor)
        self.events.append(event)

    def issue_token(self, installation_id: int) -> Token:
        token = Token("ghs_" + secrets.token_urlsafe(27), installation_id, time.time() + TOKEN_LIFETIME)
        self.tokens[token.token] = token
        return token
