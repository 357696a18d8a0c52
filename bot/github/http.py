"""Calling GitHub through PyGithub's public API, one call at a time: timeouts, retries, limits, counting.

PyGithub builds the URLs, carries the bytes and parses the answers: `Github(...)` and `GithubIntegration(...)`
with our `base_url` (which keeps GitHub Enterprise's `/api/v3` prefix), `timeout`, `per_page`, API version
and these two choices made through its public constructor options:

- `retry=Observer()`: PyGithub's default retries a POST after a 5xx, so it retries nothing here; the
  wrapper below retries a call that is safe to repeat a few times (short, jittered), and raises `Unsure`
  at once for one that is not, so the caller can look before writing again.
- `seconds_between_requests=None`, `seconds_between_writes=None`: pacing is per installation and shared
  between processes (`WriteLimiter`, bot/github/pacing.py), so the wrapper holds a slot around each write.

GitHub's refusals arrive as `GithubException` (status, headers, data) and leave as our typed errors:
Throttled, PermanentFailure, RetryLater. Every answer is counted in GITHUB_CALLS.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import requests
from github import Auth, Github, GithubException, GithubIntegration
from github.Requester import Requester
from urllib3.util.retry import Retry

from bot.errors import PermanentFailure, RetryLater, Throttled
from bot.github.pacing import WriteLimiter, backoff_delay, throttle_delay
from bot.observability import GITHUB_CALLS

API_VERSION = "2022-11-28"
USER_AGENT = "ptm-triage"
TIMEOUT = 15  # seconds to connect, and again to read the answer; with 3 attempts a call gives up in a minute
PER_PAGE = 100  # GitHub's maximum page size
MAX_IDLE = 16  # idle PyGithub clients kept, over all installations (each keeps one connection alive)

_T = TypeVar("_T")
_OP: contextvars.ContextVar[str] = contextvars.ContextVar("github_op", default="other")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestPolicy:
    """Timeouts and short in-process retries; after them the worker retries the job later."""

    timeout: int = TIMEOUT  # seconds; PyGithub takes whole seconds
    attempts: int = 3
    base_delay: float = 0.5  # seconds, doubled per attempt, full jitter
    max_delay: float = 4.0  # seconds
    later: float = 30.0  # seconds suggested to the worker when in-process attempts are spent

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.timeout < 1:
            raise ValueError("a request needs at least one attempt and a timeout of at least a second")


class Unsure(Exception):
    """A write got no clear answer (5xx or timeout): it may or may not have been applied. `in_flight`:
    no answer came at all, so GitHub may still be applying it (do not post again right away)."""

    def __init__(self, message: str, in_flight: bool) -> None:
        super().__init__(message)
        self.in_flight = in_flight


class Observer(Retry):
    """A urllib3 retry policy for PyGithub's `retry` option that retries nothing. urllib3 asks it about
    every answer (`is_retry`), which is where each answer is counted under the operation being run."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("total", 0)
        kwargs.setdefault("read", False)  # a read timeout surfaces as requests' ReadTimeout, as without retries
        super().__init__(**kwargs)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        GITHUB_CALLS.labels(method=_OP.get(), status=str(status_code)).inc()
        return False


class TokenAuth(Auth.Auth):
    """An installation token from our own cache (bot/github/auth.py), read afresh for every request.

    PyGithub's AppInstallationAuth renews a token only seconds before it expires, lets concurrent threads
    each fetch their own, and cannot drop a token GitHub refused; InstallationTokens does all three."""

    def __init__(self, source: Callable[[], str]) -> None:
        self._source = source
        self.last = ""  # the token the latest request carried (this object serves one thread at a time)

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        self.last = self._source()
        return self.last


class _Closable(Protocol):
    def close(self) -> None: ...


_C = TypeVar("_C", bound=_Closable)
_K = TypeVar("_K", Github, GithubIntegration)


class Pool(Generic[_C]):
    """Idle PyGithub clients per key. PyGithub's Requester keeps the request it is about to send on its
    connection object between `request()` and `getresponse()`, so one client must not serve two threads
    at once: each call borrows one and gives it back. At most MAX_IDLE wait in all, the oldest goes first."""

    def __init__(self, make: Callable[[Hashable], _C]) -> None:
        self._make = make
        self._idle: list[tuple[Hashable, _C]] = []  # oldest first
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self, key: Hashable) -> Iterator[_C]:
        with self._lock:
            index = next((i for i in range(len(self._idle) - 1, -1, -1) if self._idle[i][0] == key), None)
            client = self._idle.pop(index)[1] if index is not None else None
        if client is None:
            client = self._make(key)
        try:
            yield client
        finally:
            with self._lock:
                self._idle.append((key, client))
                surplus = self._idle[:-MAX_IDLE]
                del self._idle[:-MAX_IDLE]
            for _key, old in surplus:
                old.close()

    def close(self) -> None:
        with self._lock:
            clients = [client for _key, client in self._idle]
            self._idle.clear()
        for client in clients:
            client.close()


def client_options(base_url: str, policy: RequestPolicy) -> dict[str, Any]:
    """The constructor options every PyGithub client of the bot gets."""
    return {
        "base_url": base_url.rstrip("/"), "timeout": policy.timeout, "user_agent": USER_AGENT,
        "per_page": PER_PAGE, "retry": Observer(), "seconds_between_requests": None,
        "seconds_between_writes": None, "lazy": True, "api_version": API_VERSION,
    }


def installation_client(base_url: str, policy: RequestPolicy, token: Callable[[], str]) -> Github:
    return Github(auth=TokenAuth(token), **client_options(base_url, policy))


def app_client(base_url: str, policy: RequestPolicy, app_id: str, app_jwt: Callable[[], str]) -> GithubIntegration:
    """Acts as the App itself. `app_jwt` signs the JWT (bot/github/auth.py: backdated against clock drift,
    with an injectable clock) in place of AppAuth's own claims."""
    options = client_options(base_url, policy)
    options.pop("lazy")  # GithubIntegration builds no lazy objects
    return GithubIntegration(auth=Auth.AppAuth(app_id, sign_func=lambda _claims: app_jwt()), **options)


def _message(exc: GithubException) -> str:
    data = exc.data
    return str(data.get("message", ""))[:200] if isinstance(data, dict) else ""


class Calls:
    """Runs public PyGithub calls: each counted, paced, timed out, retried when safe and classified."""

    def __init__(
        self,
        limiter: WriteLimiter,
        policy: RequestPolicy,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        rng: Callable[[], float],
    ) -> None:
        self.limiter = limiter
        self.policy = policy
        self.clock = clock
        self.sleep = sleep
        self._rng = rng

    def run(
        self,
        op: str,
        pool: Pool[_K],
        call: Callable[[_K], _T],
        *,
        key: Hashable,
        write: bool = False,
        safe: bool = True,
        refused: Callable[[_K], None] | None = None,
    ) -> _T:
        """Run `call` with a client borrowed from `pool` for `key` until it gives a clear answer.

        Rate limits raise Throttled, other 4xx PermanentFailure (the call itself catches the refusals it
        expects). 5xx/timeouts are retried when `safe`, else raise Unsure at once. A 401 makes
        `refused(client)` drop the token that client sent, and the call runs once more with a fresh one.
        `write`: the call sends one content-creating request (paced)."""
        failure = "no answer"
        reauthorised = False
        attempt = 0
        label = _OP.set(op)
        try:
            while attempt < (self.policy.attempts if safe else 1):
                if attempt:
                    self.backoff(attempt - 1)
                attempt += 1
                try:
                    with pool.borrow(key) as client:
                        try:
                            with self.limiter.sending(key, write=write):
                                result = call(client)
                        except GithubException as exc:
                            if exc.status == 401 and refused is not None and not reauthorised:
                                refused(client)  # drops the token this client sent
                            raise
                        self._note_quota(key, client.requester)
                        return result
                except requests.RequestException as exc:
                    timed_out = isinstance(exc, requests.Timeout)
                    GITHUB_CALLS.labels(method=op, status="timeout" if timed_out else "error").inc()
                    failure = "timed out" if timed_out else "connection failed"
                    if not safe:
                        # A connect timeout never reached GitHub; anything later may still be processed.
                        raise Unsure(failure, in_flight=not isinstance(exc, requests.ConnectTimeout)) from None
                    log.info("GitHub %s on %s (attempt %d of %d)", failure, op, attempt, self.policy.attempts)
                    continue
                except GithubException as exc:
                    status = exc.status
                    now = self.clock()
                    headers = {str(k).lower(): str(v) for k, v in (exc.headers or {}).items()}
                    delay = throttle_delay(status, headers, _message(exc), now)
                    if delay is not None:
                        self.limiter.block(key, now + delay)
                        log.warning("GitHub rate limit (HTTP %d) on %s: holding installation %s for %.0fs",
                                    status, op, key, delay)
                        raise Throttled(f"{op}: GitHub rate limit (HTTP {status}), waiting {delay:.0f}s",
                                        delay=delay) from None
                    if status == 401 and refused is not None and not reauthorised:
                        reauthorised = True
                        attempt -= 1  # not applied, not GitHub's fault: one free retry with a fresh token
                        continue
                    if status >= 500:
                        failure = f"HTTP {status}"
                        if not safe:
                            raise Unsure(failure, in_flight=False) from None
                        log.info("GitHub %s on %s (attempt %d of %d)", failure, op, attempt, self.policy.attempts)
                        continue
                    if status in (404, 410):
                        raise PermanentFailure(f"{op}: not found (HTTP {status}); the repository, issue or "
                                               "installation is gone or the App cannot see it") from None
                    raise PermanentFailure(
                        f"{op}: GitHub refused the request (HTTP {status}): {_message(exc)}"
                    ) from None
        finally:
            _OP.reset(label)
        raise RetryLater(f"{op}: GitHub {failure} after {attempt} attempt(s)", delay=self.later())

    def _note_quota(self, key: Hashable, requester: Requester) -> None:
        """After a successful call: when GitHub said the primary quota is used up, hold `key` until the reset
        (PyGithub keeps the last answer's X-RateLimit-* in the public `rate_limiting` attributes)."""
        remaining, _limit = requester.rate_limiting
        if remaining == 0 and requester.rate_limiting_resettime:
            self.limiter.block(key, float(requester.rate_limiting_resettime))

    def later(self) -> float:
        return self.policy.later * (0.5 + self._rng())

    def backoff(self, attempt: int) -> None:
        self.sleep(backoff_delay(attempt, self.policy.base_delay, self.policy.max_delay, self._rng))


def quiet_pygithub() -> None:
    """PyGithub logs whole responses at DEBUG, e.g. the access-token answer: never let that through."""
    logger = logging.getLogger("github")
    if logger.level < logging.INFO:  # NOTSET (0) would inherit the root's level, maybe DEBUG
        logger.setLevel(logging.INFO)
