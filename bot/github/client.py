"""The only module that talks to GitHub for handlers: installation-scoped clients implementing `GitHubPort`,
each method a few public PyGithub calls (`get_repo`, `get_issue`, `create_comment`, `get_labels`, ...).

What may happen twice is decided here. GETs, adding labels, creating a label (a repeat answers 422
already_exists), edits and deletes are idempotent and are retried briefly on 5xx/timeouts. Creating a
comment or a check run is not: after an unclear answer the client first looks for what it tried to create
(the comment's hidden marker) and only posts again when it is not there, so a 502 sent after the write
never yields a second comment. Calls, retries and limits: bot/github/http.py and bot/github/pacing.py;
App JWT and installation tokens: bot/github/auth.py.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import quote

from github import Github, GithubException, GithubIntegration, UnknownObjectException
from github.ContentFile import ContentFile
from github.IssueComment import IssueComment

from bot.errors import PermanentFailure, RetryLater
from bot.github.auth import AccessToken, AppCredentialsError, AppJwt, InstallationTokens
from bot.github.convert import checked_repo, comment_of, file_content, iso, login_of, marker_of
from bot.github.http import (
    PER_PAGE,
    Calls,
    Pool,
    RequestPolicy,
    TokenAuth,
    Unsure,
    app_client,
    installation_client,
    quiet_pygithub,
)
from bot.github.pacing import PacingState, WriteLimiter, WriteLimits
from bot.github.port import Comment, FileContent, GitHubClientFactory, GitHubPort, LabelEvent
from bot.settings import Settings
from classifier.taxonomy import LabelSpec

__all__ = ["AppClientFactory", "InstallationClient", "RequestPolicy", "WriteLimits"]

MAX_PAGES = 30  # pages of a listing we read at most (3,000 comments, labels or events)
MAX_ITEMS = MAX_PAGES * PER_PAGE
APP_KEY = "app"  # pacing/limit key of requests made as the App itself (JWT)
_T = TypeVar("_T")

log = logging.getLogger(__name__)


class AppClientFactory:
    """Builds installation-scoped clients that share one token cache, limiter and pool of PyGithub clients."""

    def __init__(
        self,
        settings: Settings,
        *,
        limits: WriteLimits | None = None,
        policy: RequestPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        pacing: PacingState | None = None,
    ) -> None:
        """`pacing`: where the write windows live (shared by processes); this process's memory if None."""
        if settings.app_id is None or settings.private_key is None:
            raise AppCredentialsError("APP_ID and PRIVATE_KEY are needed to talk to GitHub")
        quiet_pygithub()
        limits = limits or WriteLimits(settings.github_writes_per_minute, settings.github_writes_per_hour)
        policy = policy or RequestPolicy(timeout=max(1, round(settings.github_timeout)))
        self.calls = Calls(WriteLimiter(limits, clock=clock, sleep=sleep, state=pacing), policy, clock, sleep, rng)
        app_jwt = AppJwt.from_settings(settings.app_id, settings.private_key)
        self.tokens = InstallationTokens(app_jwt, self._fetch_token, clock=clock)
        url = settings.github_api_url
        self.app: Pool[GithubIntegration] = Pool(
            lambda _key: app_client(url, policy, app_jwt.app_id, self.tokens.app_jwt))
        self.installations: Pool[Github] = Pool(
            lambda key: installation_client(url, policy, lambda: self.tokens.token(int(str(key)))))
        self._clients: dict[int, InstallationClient] = {}
        self._lock = threading.Lock()

    @property
    def limiter(self) -> WriteLimiter:
        return self.calls.limiter

    def for_installation(self, installation_id: int) -> GitHubPort:
        return self.client(installation_id)

    def client(self, installation_id: int) -> InstallationClient:
        with self._lock:
            client = self._clients.get(installation_id)
            if client is None:
                client = InstallationClient(self, installation_id)
                self._clients[installation_id] = client
            return client

    def close(self) -> None:
        self.app.close()
        self.installations.close()

    def _fetch_token(self, installation_id: int, _app_jwt: str) -> AccessToken:
        op = "create_access_token"
        try:
            auth = self.calls.run(op, self.app, lambda app: app.get_access_token(installation_id), key=APP_KEY)
        except PermanentFailure as exc:
            raise PermanentFailure(
                f"{op}: installation {installation_id} is unusable ({exc}); it may be uninstalled or "
                "suspended, or APP_ID/the private key/the server clock is wrong"
            ) from None
        return AccessToken(token=auth.token, expires_at=auth.expires_at.timestamp())


class InstallationClient:
    """GitHubPort for one installation. Requests per method (warm token, one page): one, except
    add_labels with no names (one GET), and create_comment/create_check_run after an unclear answer
    (one GET to look before each further POST). Objects are lazy: `get_repo`/`get_issue` send nothing."""

    def __init__(self, factory: AppClientFactory, installation_id: int) -> None:
        self._factory = factory
        self._calls = factory.calls
        self.installation_id = installation_id

    def run(self, op: str, call: Callable[[Github], _T], **kwargs: Any) -> _T:
        """Run public PyGithub calls as this installation (bot/github/http.py: Calls.run)."""
        def refused(github: Github) -> None:
            auth = github.requester.auth
            self._factory.tokens.invalidate(self.installation_id, auth.last if isinstance(auth, TokenAuth) else None)

        key: Hashable = self.installation_id
        return self._calls.run(op, self._factory.installations, call, key=key, refused=refused, **kwargs)

    def repo_labels(self, repo: str) -> frozenset[str]:
        def call(gh: Github) -> frozenset[str]:
            return frozenset(label.name for label in islice(gh.get_repo(checked_repo(repo)).get_labels(), MAX_ITEMS))

        return self.run("repo_labels", call)

    def create_label(self, repo: str, spec: LabelSpec) -> None:
        # Retrying is safe: a label that a lost answer did create comes back as 422 already_exists.
        def call(gh: Github) -> None:
            try:
                gh.get_repo(checked_repo(repo)).create_label(
                    spec.name, spec.color.lstrip("#"), spec.description[:100])
            except GithubException as exc:
                errors = (exc.data or {}).get("errors") if isinstance(exc.data, dict) else None
                if exc.status != 422 or not any(
                        isinstance(e, dict) and e.get("code") == "already_exists" for e in errors or ()):
                    raise

        self.run("create_label", call, write=True)

    def add_labels(self, repo: str, number: int, names: Sequence[str]) -> tuple[str, ...]:
        def call(gh: Github) -> tuple[str, ...]:
            issue = gh.get_repo(checked_repo(repo)).get_issue(int(number))
            if not names:
                return tuple(label.name for label in islice(issue.get_labels(), MAX_ITEMS))
            # Issue.add_to_labels drops GitHub's answer, the issue's labels afterwards; the same request
            # through the public Requester keeps it and saves a second request to read them.
            _headers, data = gh.requester.requestJsonAndCheck(
                "POST", f"{issue.url}/labels", input={"labels": list(names)})
            return tuple(str(item["name"]) for item in data or ())

        return self.run("add_labels", call, write=bool(names))

    def find_comment(self, repo: str, number: int, marker: str) -> Comment | None:
        def call(gh: Github) -> Comment | None:
            return self._find(gh, repo, number, marker)

        return self.run("find_comment", call)

    @staticmethod
    def _find(gh: Github, repo: str, number: int, marker: str) -> Comment | None:
        comments: Iterable[IssueComment] = gh.get_repo(checked_repo(repo)).get_issue(int(number)).get_comments()
        return next((comment_of(c) for c in islice(comments, MAX_ITEMS) if marker in (c.body or "")), None)

    def create_comment(self, repo: str, number: int, body: str) -> Comment:
        def post(gh: Github) -> Comment:
            return comment_of(gh.get_repo(checked_repo(repo)).get_issue(int(number)).create_comment(body))

        return self._create(
            "create_comment",
            made=lambda: self.run("create_comment", post, write=True, safe=False),
            look=lambda: self.run("create_comment", lambda gh: self._find(gh, repo, number, marker_of(body))),
        )

    def edit_comment(self, repo: str, number: int, comment_id: int, body: str) -> None:
        def call(gh: Github) -> None:
            gh.get_repo(checked_repo(repo)).get_issue(int(number)).get_comment(int(comment_id)).edit(body)

        self.run("edit_comment", call, write=True)

    def delete_comment(self, repo: str, number: int, comment_id: int) -> None:
        def call(gh: Github) -> None:
            # Already deleted (by a maintainer, or by our earlier attempt whose answer was lost) is done.
            with contextlib.suppress(UnknownObjectException):
                gh.get_repo(checked_repo(repo)).get_issue(int(number)).get_comment(int(comment_id)).delete()

        self.run("delete_comment", call, write=True)

    def label_events(self, repo: str, number: int) -> tuple[LabelEvent, ...]:
        def call(gh: Github) -> tuple[LabelEvent, ...]:
            events = []
            for item in islice(gh.get_repo(checked_repo(repo)).get_issue(int(number)).get_events(), MAX_ITEMS):
                # `event` first: reading `label` of another kind of event would fetch the event again.
                if item.event in ("labeled", "unlabeled") and item.label is not None:
                    actor, actor_is_bot = login_of(item.actor)
                    action: Literal["labeled", "unlabeled"] = "labeled" if item.event == "labeled" else "unlabeled"
                    events.append(LabelEvent(action=action, label=item.label.name, actor=actor,
                                             actor_is_bot=actor_is_bot, created_at=iso(item.created_at)))
            return tuple(events)

        return self.run("label_events", call)

    def read_file(self, repo: str, path: str, etag: str | None = None) -> FileContent:
        parts = path.strip("/").split("/")
        if not path.strip("/") or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"not a file path in a repository: {path[:200]!r}")

        def call(gh: Github) -> FileContent:
            contents = gh.get_repo(checked_repo(repo))
            try:
                if etag is None:
                    return file_content(path, contents.get_contents("/".join(parts)))
                # Repository.get_contents sends no If-None-Match, so the conditional read (a 304 costs no
                # rate limit) goes through the public Requester; a 304 answers with no body.
                url = f"{contents.url}/contents/{quote('/'.join(parts), safe='/')}"
                headers, data = gh.requester.requestJsonAndCheck("GET", url, headers={"If-None-Match": etag})
            except UnknownObjectException:
                return FileContent(text=None, etag=None)
            if data is None:
                return FileContent(text=None, etag=etag, not_modified=True)
            if not isinstance(data, dict):  # a directory
                return FileContent(text=None, etag=None)
            return file_content(path, ContentFile(gh.requester, headers, data, completed=True))

        return self.run("read_file", call)

    def create_check_run(
        self, repo: str, head_sha: str, name: str, conclusion: str, title: str, summary: str
    ) -> None:
        title = title[:1000]

        def look(gh: Github) -> bool | None:
            runs = gh.get_repo(checked_repo(repo)).get_commit(head_sha).get_check_runs(check_name=name)
            same = any(run.conclusion == conclusion and run.output.title == title
                       for run in islice(runs, MAX_ITEMS))
            return True if same else None

        def post(gh: Github) -> bool:
            gh.get_repo(checked_repo(repo)).create_check_run(
                name, head_sha, status="completed", conclusion=conclusion,
                output={"title": title, "summary": summary[:65000]})
            return True

        self._create(
            "create_check_run",
            made=lambda: self.run("create_check_run", post, write=True, safe=False),
            look=lambda: self.run("create_check_run", look),
        )

    def _create(self, op: str, made: Callable[[], _T], look: Callable[[], _T | None]) -> _T:
        """A non-idempotent create: after an unclear answer, look for the result before posting again,
        so a 502 that GitHub sent after writing never leads to a second copy. After a timeout the write
        may still be in flight, so a miss is retried later (the job looks again first), not now."""
        policy = self._calls.policy
        for attempt in range(policy.attempts):
            try:
                return made()
            except Unsure as exc:
                found = look()
                if found is not None:
                    log.warning("%s: GitHub answered %s, but the write had happened: not repeating", op, exc)
                    return found
                if exc.in_flight or attempt + 1 == policy.attempts:
                    raise RetryLater(f"{op}: GitHub {exc} ({attempt + 1} attempt(s)), nothing created yet",
                                     delay=self._calls.later()) from None
                self._calls.backoff(attempt)
        raise AssertionError("unreachable")  # the loop returns or raises


if TYPE_CHECKING:  # mypy checks that the client and its factory implement the ports

    def _conforms(
        factory: AppClientFactory, client: InstallationClient
    ) -> tuple[GitHubClientFactory, GitHubPort]:
        return factory, client
