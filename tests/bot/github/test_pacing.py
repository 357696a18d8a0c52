"""GitHub's limits: reading 403/429 answers, backoff, and the per-installation write limiter."""

from __future__ import annotations

import threading
from email.utils import formatdate

import pytest

from bot.errors import Throttled
from bot.github.pacing import (
    SECONDARY_LIMIT_WAIT,
    WriteLimiter,
    WriteLimits,
    backoff_delay,
    throttle_delay,
)

NOW = 1_700_000_000.0


class FakeClock:
    """Time that only moves when the code under test sleeps (or the test says so)."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(
    ("status", "headers", "message", "expected"),
    [
        (403, {"retry-after": "30"}, "You have exceeded a secondary rate limit", 30.0),
        (429, {"retry-after": "7"}, "", 7.0),
        (429, {"retry-after": formatdate(NOW + 90, usegmt=True)}, "", 90.0),
        (
            403,
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 120)},
            "API rate limit exceeded for installation",
            121.0,
        ),
        (429, {}, "", SECONDARY_LIMIT_WAIT),
        (403, {}, "You have exceeded a secondary rate limit. Please wait", SECONDARY_LIMIT_WAIT),
        (403, {"retry-after": "0"}, "", 1.0),  # never "retry immediately"
        (403, {"x-ratelimit-remaining": "12"}, "Resource not accessible by integration", None),
        (404, {"retry-after": "30"}, "", None),
        (502, {}, "", None),
    ],
)
def test_throttle_delay_follows_githubs_documented_order(
    status: int, headers: dict[str, str], message: str, expected: float | None
) -> None:
    assert throttle_delay(status, headers, message, NOW) == expected


def test_retry_after_wins_over_the_reset_header() -> None:
    headers = {"retry-after": "5", "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 3000)}
    assert throttle_delay(403, headers, "", NOW) == 5.0


def test_backoff_is_jittered_exponential_and_capped() -> None:
    assert backoff_delay(0, 0.5, 4.0, rng=lambda: 1.0) == 0.5
    assert backoff_delay(2, 0.5, 4.0, rng=lambda: 1.0) == 2.0
    assert backoff_delay(10, 0.5, 4.0, rng=lambda: 1.0) == 4.0
    assert backoff_delay(3, 0.5, 4.0, rng=lambda: 0.25) == 1.0
    assert backoff_delay(3, 0.5, 4.0, rng=lambda: 0.0) == 0.0


def test_writes_beyond_the_minute_budget_are_throttled_with_the_wait() -> None:
    clock = FakeClock()
    limiter = WriteLimiter(WriteLimits(per_minute=3, per_hour=100, max_inline_wait=1.0), clock, clock.sleep)
    for _ in range(3):
        limiter.acquire(42, write=True)
        clock.now += 10
    with pytest.raises(Throttled) as caught:
        limiter.acquire(42, write=True)
    assert caught.value.delay == pytest.approx(30.0)  # the first write leaves the window at NOW + 60
    assert clock.slept == []
    limiter.acquire(42, write=False)  # reads are not content-creating
    limiter.acquire(7, write=True)  # another installation has its own budget
    clock.now += 30
    limiter.acquire(42, write=True)


def test_a_short_wait_is_slept_inline_instead_of_rescheduling() -> None:
    clock = FakeClock()
    limiter = WriteLimiter(WriteLimits(per_minute=2, per_hour=100, max_inline_wait=2.0), clock, clock.sleep)
    limiter.acquire(1, write=True)
    clock.now += 59
    limiter.acquire(1, write=True)
    limiter.acquire(1, write=True)  # the first slot frees after one more second
    assert clock.slept == [pytest.approx(1.0)]


def test_the_hour_budget_applies_too() -> None:
    clock = FakeClock()
    limiter = WriteLimiter(WriteLimits(per_minute=10, per_hour=15, max_inline_wait=0), clock, clock.sleep)
    for _ in range(15):
        limiter.acquire(1, write=True)
        clock.now += 61
    with pytest.raises(Throttled) as caught:
        limiter.acquire(1, write=True)
    assert caught.value.delay == pytest.approx(3600 - 15 * 61)


def test_default_limits_stay_below_githubs_secondary_limits() -> None:
    limits = WriteLimits()
    assert limits.per_minute < 80 and limits.per_hour < 500


def test_a_block_from_github_holds_reads_and_writes_of_that_installation() -> None:
    clock = FakeClock()
    limiter = WriteLimiter(WriteLimits(max_inline_wait=1.0), clock, clock.sleep)
    limiter.block(5, NOW + 45)
    for write in (False, True):
        with pytest.raises(Throttled) as caught:
            limiter.acquire(5, write=write)
        assert caught.value.delay == pytest.approx(45)
    limiter.acquire(6, write=True)
    clock.now += 45
    limiter.acquire(5, write=True)


def test_concurrent_writers_never_exceed_the_budget() -> None:
    clock = FakeClock()
    limiter = WriteLimiter(WriteLimits(per_minute=25, per_hour=100, max_inline_wait=0), clock, clock.sleep)
    passed: list[int] = []
    throttled: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            try:
                limiter.acquire(1, write=True)
                with lock:
                    passed.append(1)
            except Throttled as exc:
                with lock:
                    throttled.append(exc.delay)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == 25 and len(throttled) == 55
    assert all(delay == pytest.approx(60) for delay in throttled)


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        WriteLimits(per_minute=0)


def test_a_write_in_flight_holds_its_slot_until_a_window_after_its_answer() -> None:
    clock = FakeClock()
    limiter = WriteLimiter(WriteLimits(per_minute=1, per_hour=100, max_inline_wait=0, window=10.0),
                           clock, clock.sleep)
    with limiter.sending(1, write=True):
        clock.now += 30  # a slow answer: the window has not started yet
        with pytest.raises(Throttled) as caught:
            limiter.acquire(1, write=True)
        assert caught.value.delay == pytest.approx(10.0)
    clock.now += 9.9
    with pytest.raises(Throttled):
        limiter.acquire(1, write=True)
    clock.now += 0.1
    limiter.acquire(1, write=True)


def test_reads_take_no_slot() -> None:
    clock = FakeClock()
    limiter = WriteLimiter(WriteLimits(per_minute=1, per_hour=100, max_inline_wait=0), clock, clock.sleep)
    for _ in range(5):
        with limiter.sending(1, write=False):
            pass
    limiter.acquire(1, write=True)
