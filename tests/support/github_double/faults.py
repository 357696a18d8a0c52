"""Injected faults: what GitHub does on a bad day.

A fault matches a method and an OpenAPI path template (or "*"; method "WRITE" = POST/PUT/PATCH/DELETE),
lets the first `after` matching requests through, then fires at most `count` times (None = unlimited)
with `probability` drawn from its own seeded generator, and is one of:

- "error": answer `status` (default 502) with GitHub's error body;
- "timeout": hold the answer `hold` seconds (longer than the client's timeout), then answer normally;
- "secondary_rate_limit": 403 with Retry-After and GitHub's secondary-rate-limit message;
- "too_many_requests": 429 with Retry-After;
- "primary_rate_limit": 403 with X-RateLimit-Remaining: 0 and X-RateLimit-Reset.

`after_apply=True` performs the request first (a write really happens), then answers with the fault:
GitHub's "502 after the write succeeded".
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

FaultKind = Literal["error", "timeout", "secondary_rate_limit", "too_many_requests", "primary_rate_limit"]
KINDS: tuple[str, ...] = get_args(FaultKind)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECONDARY_MESSAGE = ("You have exceeded a secondary rate limit. Please wait a few minutes before you try "
                     "again. If you reach out to GitHub Support for help, please include the request ID.")


@dataclass
class Fault:
    kind: FaultKind = "error"
    method: str = "*"
    route: str = "*"
    status: int = 502
    after_apply: bool = False
    count: int | None = 1
    probability: float = 1.0
    seed: int = 0
    retry_after: int = 60  # seconds, for rate-limit faults
    hold: float = 30.0  # seconds, for timeouts
    after: int = 0  # matching requests let through before the fault starts firing
    id: int = 0
    fired: int = 0
    passed: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(KINDS)}")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be within [0, 1]")
        self._rng = random.Random(self.seed)

    def matches(self, method: str, template: str) -> bool:
        method_ok = method in WRITE_METHODS if self.method == "WRITE" else self.method in ("*", method)
        return method_ok and self.route in ("*", template)

    def public(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}

    def answer(self, now: float) -> tuple[int, dict[str, Any], dict[str, str]]:
        """(status, body, headers) of the fault's answer ("timeout" answers normally after holding)."""
        docs = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
        if self.kind == "secondary_rate_limit":
            return 403, {"message": SECONDARY_MESSAGE, "documentation_url": docs}, {
                "Retry-After": str(self.retry_after)}
        if self.kind == "too_many_requests":
            return 429, {"message": SECONDARY_MESSAGE, "documentation_url": docs}, {
                "Retry-After": str(self.retry_after)}
        if self.kind == "primary_rate_limit":
            reset = int(now) + self.retry_after
            return 403, {"message": "API rate limit exceeded for installation.", "documentation_url": docs}, {
                "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
        message = {500: "Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}.get(self.status,
                                                                                          "Server Error")
        return self.status, {"message": message, "documentation_url": "https://docs.github.com/rest"}, {}


class Faults:
    """The configured faults; thread-safe. The first matching fault that fires wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1
        self.latency = 0.0  # seconds added to every API answer

    def add(self, **spec: Any) -> Fault:
        fault = Fault(**{k: v for k, v in spec.items() if k not in ("id", "fired", "passed")})
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.latency = 0.0

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.public() for f in self._faults]

    def pick(self, method: str, template: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.count is not None and fault.fired >= fault.count:
                    continue
                if not fault.matches(method, template):
                    continue
                if fault.passed < fault.after:
                    fault.passed += 1
                    continue
                if fault.probability < 1.0 and fault._rng.random() >= fault.probability:
                    continue
                fault.fired += 1
                return fault
        return None


def sleep_until(deadline: float, stop: threading.Event) -> None:
    """Sleep until `deadline` (time.monotonic) unless the server is stopping."""
    remaining = deadline - time.monotonic()
    if remaining > 0:
        stop.wait(remaining)
