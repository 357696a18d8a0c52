"""HTTP to GitHub, one request at a time: PyGithub's Requester with our timeouts, retries and limits.

PyGithub carries the bytes (connection pool, base URL and GitHub Enterprise `/api/v3` prefix, API version
header). Its own retries are off, because its default retries a POST after a 5xx. Here a request that is
safe to repeat gets a few short jittered retries; an unsafe one raises `Unsure` at once so the caller can
look before writing again. Every request is counted in GITHUB_CALLS and paced by the WriteLimiter.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from github.Requester import Requester

from bot.errors import PermanentFailure, RetryLater, Throttled
from bot.github.pacing import WriteLimiter, backoff_delay, exhausted_until, throttle_delay
from bot.observability import GITHUB_CALLS

API_VERSION = "2022-11-28"
USER_AGENT = "ptm-triage"
CONNECT_TIMEOUT = 5.0  # seconds
READ_TIMEOUT = 15.0  # seconds; with 3 attempts a call gives up within a minute
POOL_SIZE = 16  # keep-alive connections shared by all installations
PER_PAGE = 100  # GitHub's maximum page size

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestPolicy:
    """Timeouts and short in-process retries; after them the worker retries the job later."""

    connect_timeout: float = CONNECT_TIMEOUT  # seconds
    read_timeout: float = READ_TIMEOUT  # seconds
    attempts: int = 3
    base_delay: float = 0.5  # seconds, doubled per attempt, full jitter
    max_delay: float = 4.0  # seconds
    later: float = 30.0  # seconds suggested to the worker when in-process attempts are spent

    def __post_init__(self) -> None:
        if self.attempts < 1 or min(self.connect_timeout, self.read_timeout) <= 0:
            raise ValueError("a request needs at least one attempt and positive timeouts")


class Unsure(Exception):
    """A write got no clear answer (5xx or timeout): it may or may not have been applied. `in_flight`:
    no answer came at all, so GitHub may still be applying it (do not post again right away)."""

    def __init__(self, message: str, in_flight: bool) -> None:
        super().__init__(message)
        self.in_flight = in_flight


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]  # lower-case names
    text: str

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None

    @property
    def message(self) -> str:
        try:
            data = self.json()
        except ValueError:
            return ""
        return str(data.get("message", ""))[:200] if isinstance(data, dict) else ""


class _Requester(Requester):
    """PyGithub's Requester without its own spacing of requests: pacing is per installation here
    (bot/github/pacing.py), and its spacing bookkeeping (a dict shared by all threads) is not thread-safe."""

    def _Requester__deferRequest(self, verb: str) -> None:
        return None

    def _Requester__recordRequestTime(self, verb: str) -> None:
        return None


class Http:
    """One request at a time through PyGithub, each counted, paced, timed out and classified."""

    def __init__(
        self,
        base_url: str,
        limiter: WriteLimiter,
        policy: RequestPolicy,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        rng: Callable[[], float],
    ) -> None:
        # requests accepts (connect, read); PyGithub's annotation only says int.
        timeout: Any = (policy.connect_timeout, policy.read_timeout)
        self._requester = _Requester(
            auth=None, base_url=base_url, timeout=timeout, user_agent=USER_AGENT, per_page=PER_PAGE,
            verify=True, retry=None, pool_size=POOL_SIZE, seconds_between_requests=None,
            seconds_between_writes=None, api_version=API_VERSION,
        )
        self.limiter = limiter
        self.policy = policy
        self.clock = clock
        self.sleep = sleep
        self._rng = rng

    def close(self) -> None:
        self._requester.close()

    def _send(
        self, op: str, verb: str, url: str, token: str, body: Any, headers: Mapping[str, str]
    ) -> Answer:
        request_headers = {"Accept": "application/vnd.github+json", "Authorization": f"Bearer {token}"}
        request_headers.update(headers)
        try:
            status, response_headers, text = self._requester.requestJson(
                verb, url, headers=request_headers, input=body
            )
        except requests.Timeout:
            GITHUB_CALLS.labels(method=op, status="timeout").inc()
            raise
        except requests.RequestException:
            GITHUB_CALLS.labels(method=op, status="error").inc()
            raise
        GITHUB_CALLS.labels(method=op, status=str(status)).inc()
        return Answer(status, {k.lower(): str(v) for k, v in response_headers.items()}, text)

    def call(
        self,
        op: str,
        verb: str,
        url: str,
        *,
        key: int | str,
        token: Callable[[], str],
        refused: Callable[[str], None] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        ok: Collection[int] = (),
        safe: bool = True,
        paced: bool = True,
    ) -> Answer:
        """Send until a clear answer: 2xx or a status in `ok` is returned; rate limits raise Throttled,
        other 4xx PermanentFailure. 5xx/timeouts are retried when `safe`, else raise Unsure at once.
        A 401 makes `refused(token)` drop the token, and the request goes once more with a fresh one."""
        failure = "no answer"
        reauthorised = False
        attempt = 0
        while attempt < (self.policy.attempts if safe else 1):
            if attempt:
                self.backoff(attempt - 1)
            attempt += 1
            current = token()
            try:
                with self.limiter.sending(key, write=paced and verb != "GET"):
                    answer = self._send(op, verb, url, current, body, headers or {})
            except requests.RequestException as exc:
                failure = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
                if not safe:
                    # A connect timeout never reached GitHub; anything later may still be processed.
                    raise Unsure(failure, in_flight=not isinstance(exc, requests.ConnectTimeout)) from None
                log.info("GitHub %s on %s (attempt %d of %d)", failure, op, attempt, self.policy.attempts)
                continue
            status = answer.status
            if status < 300 or status in ok:
                reset = exhausted_until(answer.headers)
                if reset is not None:
                    self.limiter.block(key, reset)
                return answer
            now = self.clock()
            delay = throttle_delay(status, answer.headers, answer.message, now)
            if delay is not None:
                self.limiter.block(key, now + delay)
                log.warning("GitHub rate limit (HTTP %d) on %s: holding installation %s for %.0fs",
                            status, op, key, delay)
                raise Throttled(f"{op}: GitHub rate limit (HTTP {status}), waiting {delay:.0f}s", delay=delay)
            if status == 401 and refused is not None and not reauthorised:
                refused(current)
                reauthorised = True
                attempt -= 1  # not applied, not GitHub's fault: one free retry with a fresh token
                continue
            if status >= 500:
                failure = f"HTTP {status}"
                if not safe:
                    raise Unsure(failure, in_flight=False)
                log.info("GitHub %s on %s (attempt %d of %d)", failure, op, attempt, self.policy.attempts)
                continue
            if status in (404, 410):
                raise PermanentFailure(f"{op}: not found (HTTP {status}); the repository, issue or "
                                       "installation is gone or the App cannot see it")
            raise PermanentFailure(f"{op}: GitHub refused the request (HTTP {status}): {answer.message}")
        raise RetryLater(f"{op}: GitHub {failure} after {attempt} attempt(s)", delay=self.later())

    def later(self) -> float:
        return self.policy.later * (0.5 + self._rng())

    def backoff(self, attempt: int) -> None:
        self.sleep(backoff_delay(attempt, self.policy.base_delay, self.policy.max_delay, self._rng))


def quiet_pygithub() -> None:
    """PyGithub logs whole responses at DEBUG, e.g. the access-token answer: never let that through."""
    logger = logging.getLogger("github")
    if logger.level < logging.INFO:  # NOTSET (0) would inherit the root's level, maybe DEBUG
        logger.setLevel(logging.INFO)
