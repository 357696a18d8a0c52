"""GitHub's limits, as pure rules plus one thread-safe limiter.

- `throttle_delay` reads a 403/429 answer the way GitHub documents it: Retry-After first, then
  X-RateLimit-Reset when the remaining quota is 0, else at least a minute for a secondary limit.
- `backoff_delay` is exponential backoff with full jitter for 5xx answers and timeouts.
- `WriteLimiter` paces content-creating requests (POST/PATCH/PUT/DELETE) per installation below GitHub's
  documented secondary limits (80 per minute, 500 per hour), and remembers when GitHub told an
  installation to wait so that no job spends a request to hear it again. Its windows live in a
  `PacingState`: in memory here, or shared by every process of an installation (a store row or a Redis
  key, bot/store/pacing_state.py). The 403/429 answers above stay the backstop.

A write holds its slot from the moment it is sent until `window` seconds after its answer came back, so
the requests GitHub receives in any window never exceed the limit, however long one took on the way.
"""

from __future__ import annotations

import functools
import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypeVar

from bot.errors import Throttled

SECONDARY_LIMIT_WAIT = 60.0  # seconds; GitHub: "wait for at least one minute" when no header says more
MINUTE = 60.0  # seconds
HOUR = 3600.0  # seconds
STALE_IN_FLIGHT = 300.0  # seconds after which a write never settled (its process died) counts from when it was sent
_R = TypeVar("_R")


@dataclass(frozen=True)
class WriteLimits:
    """How many content-creating requests one installation may make. Defaults stay below GitHub's 80/500."""

    per_minute: int = 70
    per_hour: int = 450
    max_inline_wait: float = 2.0  # seconds a job may sleep for a slot; longer waits raise Throttled
    window: float = MINUTE  # seconds over which `per_minute` counts (tests shorten it)

    def __post_init__(self) -> None:
        if self.per_minute < 1 or self.per_hour < 1 or self.max_inline_wait < 0 or not 0 < self.window <= HOUR:
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


def backoff_delay(
    attempt: int, base: float, cap: float, rng: Callable[[], float] = random.random
) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2**attempt)]."""
    return rng() * min(cap, base * 2.0**attempt)


class PacingState(Protocol):
    """Where the windows live: one JSON document per key, changed atomically."""

    def read(self, key: str) -> str | None: ...

    def update(self, key: str, change: Callable[[str | None], tuple[str, _R]]) -> _R:
        """Run `change` on the key's document (None when there is none) and store what it returns,
        with no other update of that key in between (across threads and, when shared, processes)."""
        ...


class MemoryPacingState:
    """Windows of this process only (tests, and the fallback when nothing shared is configured)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._documents: dict[str, str] = {}

    def read(self, key: str) -> str | None:
        with self._lock:
            return self._documents.get(key)

    def update(self, key: str, change: Callable[[str | None], tuple[str, _R]]) -> _R:
        with self._lock:
            document, result = change(self._documents.get(key))
            self._documents[key] = document
            return result


@dataclass
class _Window:
    """One key's writes as [id, sent, settled or None] and the time GitHub asked us to wait until."""

    slots: list[list[Any]] = field(default_factory=list)
    blocked_until: float = 0.0

    @classmethod
    def load(cls, document: str | None) -> _Window:
        if not document:
            return cls()
        data = json.loads(document)
        return cls(slots=list(data.get("s", [])), blocked_until=float(data.get("b", 0.0)))

    def dump(self) -> str:
        return json.dumps({"s": self.slots, "b": self.blocked_until}, separators=(",", ":"))

    def times(self, now: float) -> list[float]:
        """When each write counts from: its answer; now while it is in flight; its sending when stale."""
        return [
            float(done) if done is not None else (now if sent > now - STALE_IN_FLIGHT else float(sent))
            for _id, sent, done in self.slots
        ]

    def wait(self, now: float, limits: WriteLimits, write: bool) -> float:
        """Seconds until a request may go out (0 = go); drops writes older than every window."""
        times = self.times(now)
        self.slots = [slot for slot, at in zip(self.slots, times, strict=True) if at > now - HOUR]
        wait = max(0.0, self.blocked_until - now)
        if not write:
            return wait
        for limit, span in ((limits.per_minute, limits.window), (limits.per_hour, HOUR)):
            inside = sorted(at for at in times if at > now - span)
            if len(inside) >= limit:  # the oldest write that must leave the window for one slot to free
                wait = max(wait, inside[len(inside) - limit] + span - now)
        return wait


@dataclass(frozen=True)
class Slot:
    key: str
    id: str


class WriteLimiter:
    """Sliding-window pacing of writes per key (an installation), safe to share between threads; shared
    between processes when its `state` is."""

    def __init__(
        self,
        limits: WriteLimits | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        state: PacingState | None = None,
    ) -> None:
        self.limits = limits or WriteLimits()
        self.state: PacingState = state if state is not None else MemoryPacingState()
        self._clock = clock
        self._sleep = sleep

    def _take(self, document: str | None, slot_id: str, in_flight: bool) -> tuple[str, float]:
        window = _Window.load(document)
        now = self._clock()
        wait = window.wait(now, self.limits, write=True)
        if wait <= 0:
            window.slots.append([slot_id, now, None if in_flight else now])
        return window.dump(), wait

    def acquire(self, key: Hashable, write: bool, in_flight: bool = False) -> Slot | None:
        """Let one request for `key` go out: a write takes a slot. Sleeps up to max_inline_wait for it,
        raises Throttled(wait) when the wait would be longer (the job is rescheduled, no attempt used).

        `in_flight`: the slot counts as "now" until `settle` says the answer came back."""
        name = str(key)
        while True:
            if write:
                slot_id = uuid.uuid4().hex[:12]
                wait = self.state.update(name, functools.partial(self._take, slot_id=slot_id, in_flight=in_flight))
            else:
                wait = _Window.load(self.state.read(name)).wait(self._clock(), self.limits, write=False)
            if wait <= 0:
                return Slot(name, slot_id) if write else None
            if wait > self.limits.max_inline_wait:
                raise Throttled(f"pacing GitHub requests for installation {key}", delay=wait)
            self._sleep(wait)

    def settle(self, slot: Slot) -> None:
        """The answer to the slot's request came back (or never will): its window starts now."""

        def change(document: str | None) -> tuple[str, None]:
            window = _Window.load(document)
            now = self._clock()
            for entry in window.slots:
                if entry[0] == slot.id:
                    entry[2] = now
            return window.dump(), None

        self.state.update(slot.key, change)

    @contextmanager
    def sending(self, key: Hashable, write: bool) -> Iterator[None]:
        """Hold a slot while one request is sent and answered."""
        slot = self.acquire(key, write, in_flight=True)
        try:
            yield
        finally:
            if slot is not None:
                self.settle(slot)

    def block(self, key: Hashable, until: float) -> None:
        """GitHub told us to wait until `until` (epoch seconds): hold every request for `key` until then."""

        def change(document: str | None) -> tuple[str, None]:
            window = _Window.load(document)
            window.blocked_until = max(window.blocked_until, until)
            return window.dump(), None

        self.state.update(str(key), change)
