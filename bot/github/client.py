"""The only module that talks to GitHub: installation-scoped clients implementing `GitHubPort`.

What may happen twice is decided here. GETs, adding labels, creating a label (a repeat answers 422
already_exists), edits and deletes are idempotent and are retried briefly on 5xx/timeouts. Creating a
comment or a check run is not: after an unclear answer the client first looks for what it tried to create
(the comment's hidden marker) and only posts again when it is not there, so a 502 sent after the write
never yields a second comment. Transport, retries and limits: bot/github/http.py and bot/github/pacing.py;
App JWT and installation tokens: bot/github/auth.py.
"""

from __future__ import annotations

import base64
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import requests

from bot.errors import PermanentFailure, RetryLater
from bot.github.auth import AccessToken, AppCredentialsError, AppJwt, InstallationTokens
from bot.github.http import PER_PAGE, Answer, Http, RequestPolicy, Unsure, quiet_pygithub
from bot.github.pacing import PacingState, WriteLimiter, WriteLimits
from bot.github.port import Comment, FileContent, GitHubClientFactory, GitHubPort, LabelEvent
from bot.settings import Settings
from classifier.taxonomy import LabelSpec

__all__ = ["AppClientFactory", "InstallationClient", "RequestPolicy", "WriteLimits"]

MAX_PAGES = 30  # pages of a listing we read at most (3,000 comments, labels or events)
APP_KEY = "app"  # pacing/limit key of requests made as the App itself (JWT)
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_MARKER = re.compile(r"<!--.*?-->", re.DOTALL)
_T = TypeVar("_T")

log = logging.getLogger(__name__)


class AppClientFactory:
    """Builds installation-scoped clients that share one connection pool, token cache and limiter."""

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
        policy = policy or RequestPolicy(read_timeout=settings.github_timeout)
        limiter = WriteLimiter(limits, clock=clock, sleep=sleep, state=pacing)
        self._http = Http(settings.github_api_url, limiter, policy, clock, sleep, rng)
        self.tokens = InstallationTokens(
            AppJwt.from_settings(settings.app_id, settings.private_key), self._fetch_token, clock=clock
        )
        self._clients: dict[int, InstallationClient] = {}
        self._lock = threading.Lock()

    @property
    def limiter(self) -> WriteLimiter:
        return self._http.limiter

    def for_installation(self, installation_id: int) -> GitHubPort:
        with self._lock:
            client = self._clients.get(installation_id)
            if client is None:
                client = InstallationClient(self._http, self.tokens, installation_id)
                self._clients[installation_id] = client
            return client

    def close(self) -> None:
        self._http.close()

    def _fetch_token(self, installation_id: int, app_jwt: str) -> AccessToken:
        op = "create_access_token"
        try:
            answer = self._http.call(
                op, "POST", f"/app/installations/{installation_id}/access_tokens",
                key=APP_KEY, token=lambda: app_jwt, paced=False,
            )
        except PermanentFailure as exc:
            raise PermanentFailure(
                f"{op}: installation {installation_id} is unusable ({exc}); it may be uninstalled or "
                "suspended, or APP_ID/the private key/the server clock is wrong"
            ) from None
        data = answer.json()
        expires = datetime.fromisoformat(str(data["expires_at"]).replace("Z", "+00:00")).timestamp()
        return AccessToken(token=str(data["token"]), expires_at=expires)


def _repo_path(repo: str) -> str:
    if not _REPO.fullmatch(repo) or any(part in (".", "..") for part in repo.split("/")):
        raise PermanentFailure(f"not a repository name: {repo[:100]!r} (expected owner/name)")
    return f"/repos/{repo}"


def _marker(body: str) -> str:
    """What identifies a comment we created: its hidden HTML marker, else the whole body."""
    found = _MARKER.search(body)
    return found.group(0) if found else body


def _login(user: Any) -> tuple[str, bool]:
    if not isinstance(user, dict):
        return "ghost", False
    login = str(user.get("login", "ghost"))
    return login, user.get("type") == "Bot" or login.endswith("[bot]")


def _comment(data: Mapping[str, Any]) -> Comment:
    return Comment(id=int(data["id"]), body=str(data.get("body") or ""), author=_login(data.get("user"))[0])


class InstallationClient:
    """GitHubPort for one installation. Calls per method (warm token, one page): one, except
    add_labels with no names (one GET), and create_comment/create_check_run after an unclear answer
    (one GET to look before each further POST)."""

    def __init__(self, http: Http, tokens: InstallationTokens, installation_id: int) -> None:
        self._http = http
        self._tokens = tokens
        self.installation_id = installation_id

    def _call(self, op: str, verb: str, url: str, **kwargs: Any) -> Answer:
        return self._http.call(
            op, verb, url, key=self.installation_id,
            token=lambda: self._tokens.token(self.installation_id),
            refused=lambda token: self._tokens.invalidate(self.installation_id, token),
            **kwargs,
        )

    def _pages(self, op: str, url: str) -> Iterator[Any]:
        next_url: str | None = f"{url}?per_page={PER_PAGE}"
        pages = 0
        while next_url is not None and pages < MAX_PAGES:
            answer = self._call(op, "GET", next_url)
            pages += 1
            items = answer.json()
            yield from items if isinstance(items, list) else ()
            links = requests.utils.parse_header_links(answer.headers.get("link", ""))
            next_url = next((link["url"] for link in links if link.get("rel") == "next"), None)

    def repo_labels(self, repo: str) -> frozenset[str]:
        items = self._pages("repo_labels", f"{_repo_path(repo)}/labels")
        return frozenset(str(item["name"]) for item in items)

    def create_label(self, repo: str, spec: LabelSpec) -> None:
        # Retrying is safe: a label that a lost answer did create comes back as 422 already_exists.
        answer = self._call(
            "create_label", "POST", f"{_repo_path(repo)}/labels", ok=(422,),
            body={"name": spec.name, "color": spec.color.lstrip("#"), "description": spec.description[:100]},
        )
        if answer.status == 422:
            errors = (answer.json() or {}).get("errors") or []
            if not any(isinstance(e, dict) and e.get("code") == "already_exists" for e in errors):
                raise PermanentFailure(f"create_label: GitHub refused label {spec.name!r}: {answer.message}")

    def add_labels(self, repo: str, number: int, names: Sequence[str]) -> tuple[str, ...]:
        url = f"{_repo_path(repo)}/issues/{int(number)}/labels"
        if not names:
            return tuple(str(item["name"]) for item in self._pages("add_labels", url))
        answer = self._call("add_labels", "POST", url, body={"labels": list(names)})
        return tuple(str(item["name"]) for item in answer.json() or ())

    def find_comment(self, repo: str, number: int, marker: str) -> Comment | None:
        url = f"{_repo_path(repo)}/issues/{int(number)}/comments"
        for item in self._pages("find_comment", url):
            if marker in str(item.get("body") or ""):
                return _comment(item)
        return None

    def create_comment(self, repo: str, number: int, body: str) -> Comment:
        url = f"{_repo_path(repo)}/issues/{int(number)}/comments"
        return self._create(
            "create_comment",
            made=lambda: _comment(self._call("create_comment", "POST", url, body={"body": body}, safe=False)
                                  .json()),
            look=lambda: self.find_comment(repo, number, _marker(body)),
        )

    def edit_comment(self, repo: str, comment_id: int, body: str) -> None:
        self._call("edit_comment", "PATCH", f"{_repo_path(repo)}/issues/comments/{int(comment_id)}",
                   body={"body": body})

    def delete_comment(self, repo: str, comment_id: int) -> None:
        # 404: already deleted (by a maintainer, or by our earlier attempt whose answer was lost).
        self._call("delete_comment", "DELETE", f"{_repo_path(repo)}/issues/comments/{int(comment_id)}",
                   ok=(404,))

    def label_events(self, repo: str, number: int) -> tuple[LabelEvent, ...]:
        events = []
        for item in self._pages("label_events", f"{_repo_path(repo)}/issues/{int(number)}/events"):
            if item.get("event") in ("labeled", "unlabeled") and isinstance(item.get("label"), dict):
                actor, actor_is_bot = _login(item.get("actor"))
                events.append(LabelEvent(
                    action=item["event"], label=str(item["label"].get("name", "")), actor=actor,
                    actor_is_bot=actor_is_bot, created_at=str(item.get("created_at", "")),
                ))
        return tuple(events)

    def read_file(self, repo: str, path: str, etag: str | None = None) -> FileContent:
        parts = path.strip("/").split("/")
        if not path.strip("/") or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"not a file path in a repository: {path[:200]!r}")
        url = f"{_repo_path(repo)}/contents/{quote('/'.join(parts), safe='/')}"
        answer = self._call("read_file", "GET", url, ok=(304, 404),
                            headers={"If-None-Match": etag} if etag else None)
        if answer.status == 304:
            return FileContent(text=None, etag=etag, not_modified=True)
        data = answer.json() if answer.status == 200 else None
        if not isinstance(data, dict) or data.get("type") != "file":
            return FileContent(text=None, etag=None)
        if data.get("encoding") != "base64":
            raise PermanentFailure(f"read_file: {path} is too large for the contents API")
        raw = base64.b64decode(str(data.get("content", "")))
        return FileContent(text=raw.decode("utf-8", errors="replace"), etag=answer.headers.get("etag"))

    def create_check_run(
        self, repo: str, head_sha: str, name: str, conclusion: str, title: str, summary: str
    ) -> None:
        base = _repo_path(repo)
        title = title[:1000]
        body = {"name": name, "head_sha": head_sha, "status": "completed", "conclusion": conclusion,
                "output": {"title": title, "summary": summary[:65000]}}

        def look() -> bool | None:
            url = f"{base}/commits/{quote(head_sha, safe='')}/check-runs?check_name={quote(name, safe='')}"
            runs = (self._call("create_check_run", "GET", url).json() or {}).get("check_runs") or []
            same = any(run.get("conclusion") == conclusion and (run.get("output") or {}).get("title") == title
                       for run in runs)
            return True if same else None

        def post() -> bool:
            self._call("create_check_run", "POST", f"{base}/check-runs", body=body, safe=False)
            return True

        self._create("create_check_run", made=post, look=look)

    def _create(self, op: str, made: Callable[[], _T], look: Callable[[], _T | None]) -> _T:
        """A non-idempotent create: after an unclear answer, look for the result before posting again,
        so a 502 that GitHub sent after writing never leads to a second copy. After a timeout the write
        may still be in flight, so a miss is retried later (the job looks again first), not now."""
        policy = self._http.policy
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
                                     delay=self._http.later()) from None
                self._http.backoff(attempt)
        raise AssertionError("unreachable")  # the loop returns or raises


if TYPE_CHECKING:  # mypy checks that the client and its factory implement the ports

    def _conforms(
        factory: AppClientFactory, client: InstallationClient
    ) -> tuple[GitHubClientFactory, GitHubPort]:
        return factory, client
