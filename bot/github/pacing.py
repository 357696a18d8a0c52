"""GitHub's limits, as pure rules plus one thread-safe limiter.

- `throttle_delay` reads a 403/429 answer the way GitHub documents it: Retry-After first, then
  X-RateLimit-Reset when the remaining quota is 0, else at least a minute for a secondary limit.
- `backoff_delay` is exponential backoff with full jitter for 5xx answers and timeouts.
- `WriteLimiter` paces content-creating requests (POST/PATCH/PUT/DELETE) per installation below GitHub's
  documented secondary limits (80 per minute, 500 per hour), and remembers when GitHub told an
  installation to wait so that no job spends a request to hear it again. It is per process: with several
  worker processes the 403/429 answers above stay the backstop.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from bot.errors import Throttled

SECONDARY_LIMIT_WAIT = 60.0  # seconds; GitHub: "wait for at least one minute" when no header says more
MINUTE = 60.0  # seconds
HOUR = 3600.0  # seconds


@dataclass(frozen=True)
class WriteLimits:
    """How many content-creating requests one installation may make. Defaults stay below GitHub's 80/500."""

    per_minute: int = 70
    per_hour: int = 450
    max_inline_wait: float = 2.0  # seconds a job may sleep for a slot; longer waits raise Throttled

    def __post_init__(self) -> None:
        if self.per_minute < 1 or self.per_hour < 1 or self.max_inline_wait < 0:
            raise ValueError("write limits must be positive")


def _seconds(value: str, now: float) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date."""
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return float(parsedate_to_datetime(value).timestamp()) - now
    except (TypeError, ValueError, IndexError):
        return None


def is_rate_limit_message(message: str) -> bool:
    text = message.lower()
    return "rate limit" in text or "abuse detection" in text


def throttle_delay(status: int, headers: Mapping[str, str], message: str, now: float) -> float | None:
    """Seconds GitHub wants us to wait, or None when the answer is not a rate limit.

    `headers` must have lower-case names. A 403 without limit headers and without a rate-limit message
    is a permission problem, not a limit.
    """
    if status not in (403, 429):
        return None
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        delay = _seconds(retry_after, now)
        if delay is not None:
            return max(1.0, delay)
    if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
        try:
            return max(1.0, float(headers["x-ratelimit-reset"]) - now + 1.0)
        except ValueError:
            return SECONDARY_LIMIT_WAIT
    if status == 429 or is_rate_limit_message(message):
        return SECONDARY_LIMIT_WAIT
    return None


def exhausted_until(headers: Mapping[str, str]) -> float | None:
    """When a successful answer says the primary quota is used up, the epoch second it comes back."""
    if headers.get("x-ratelimit-remaining") != "0":
        return None
    try:
        return float(headers["x-ratelimit-reset"])
    except (KeyError, ValueError):
        return None


def backoff_delay(
    attempt: int, base: float, cap: float, rng: Callable[[], float] = random.random
) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2**attempt)]."""
    return rng() * min(cap, base * 2.0**attempt)


@dataclass
class _Window:
    minute: deque[float] = field(default_factory=deque)
    hour: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0


class WriteLimiter:
    """Sliding-window pacing of writes per key (an installation), safe to share between threads."""

    def __init__(
        self,
        limits: WriteLimits | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits = limits or WriteLimits()
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._windows: dict[Hashable, _Window] = {}

    def _window(self, key: Hashable) -> _Window:
        return self._windows.setdefault(key, _Window())

    def _wait(self, window: _Window, now: float, write: bool) -> float:
        """Seconds until a request may go out now (0 = go). Caller holds the lock."""
        while window.minute and window.minute[0] <= now - MINUTE:
            window.minute.popleft()
        while window.hour and window.hour[0] <= now - HOUR:
            window.hour.popleft()
        wait = max(0.0, window.blocked_until - now)
        if write:
            if len(window.minute) >= self.limits.per_minute:
                wait = max(wait, window.minute[0] + MINUTE - now)
            if len(window.hour) >= self.limits.per_hour:
                wait = max(wait, window.hour[0] + HOUR - now)
        return wait

    def acquire(self, key: Hashable, write: bool) -> None:
        """Let one request for `key` go out: a write takes a slot. Sleeps up to max_inline_wait for it,
        raises Throttled(wait) when the wait would be longer (the job is rescheduled, no attempt used)."""
        while True:
            with self._lock:
                window = self._window(key)
                now = self._clock()
                wait = self._wait(window, now, write)
                if wait <= 0:
                    if write:
                        window.minute.append(now)
                        window.hour.append(now)
                    return
            if wait > self.limits.max_inline_wait:
                raise Throttled(f"pacing GitHub requests for installation {key}", delay=wait)
            self._sleep(wait)

    def block(self, key: Hashable, until: float) -> None:
        """GitHub told us to wait until `until` (epoch seconds): hold every request for `key` until then."""
        with self._lock:
            window = self._window(key)
            window.blocked_until = max(window.blocked_until, until)
