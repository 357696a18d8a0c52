"""The router: which events are handled, and dispatch that isolates handler failures."""

from __future__ import annotations

import logging

import pytest

from bot.errors import PermanentFailure, RetryLater, Throttled
from bot.events import Event
from bot.handlers.context import HandlerContext
from bot.handlers.routing import Router, handles

LOG = logging.LoggerAdapter(logging.getLogger("tests.routing"), {})


def ctx() -> HandlerContext:
    return HandlerContext(
        github=None,
        predictor=None,
        records=None,
        configs=None,  # type: ignore[arg-type]
        dry_run=True,
        log=LOG,
    )


def ev(name: str = "issues", action: str | None = "opened") -> Event:
    return Event(name, action, "d-1", 1, {"action": action})


@pytest.mark.parametrize(
    ("name", "action", "expected"),
    [
        ("issues", "opened", True),
        ("issues", "reopened", True),
        ("issues", "edited", True),
        ("issues", "labeled", True),
        ("issues", "unlabeled", True),
        ("issues", "closed", True),
        ("issues", "deleted", True),
        ("issues", None, False),
        ("installation", "created", True),
        ("installation", "deleted", True),
        ("installation_repositories", "added", True),
        ("push", None, True),
        ("pull_request", "opened", False),
        ("issue_comment", "created", False),
        ("ping", None, False),
    ],
)
def test_handles(name: str, action: str | None, expected: bool) -> None:
    assert handles(name, action) is expected


def test_dispatch_runs_matching_handlers_in_order() -> None:
    seen: list[str] = []
    router = Router()
    router.add(lambda e, c: seen.append("any"), "issues")
    router.add(lambda e, c: seen.append("opened"), "issues", "opened")
    router.add(lambda e, c: seen.append("closed"), "issues", "closed")
    assert router.dispatch(ev(), ctx()) == 2
    assert seen == ["any", "opened"]
    assert router.dispatch(ev("push", None), ctx()) == 0


def raiser(exc: Exception):  # type: ignore[no-untyped-def]
    def handler(event: Event, context: HandlerContext) -> None:
        raise exc

    return handler


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        ([ValueError("boom")], ValueError),
        ([PermanentFailure("gone"), ValueError("boom")], ValueError),
        ([ValueError("boom"), RetryLater("5xx", 3)], RetryLater),
        ([RetryLater("5xx", 3), Throttled("slow down", 60), PermanentFailure("gone")], Throttled),
        ([PermanentFailure("gone")], PermanentFailure),
    ],
)
def test_failures_isolated_then_most_urgent_reraised(
    errors: list[Exception], expected: type[Exception], caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[int] = []
    router = Router()
    for index, exc in enumerate(errors):
        router.add(raiser(exc), "issues", "opened")
        router.add(lambda e, c, i=index: ran.append(i), "issues", "opened")
    with caplog.at_level(logging.WARNING), pytest.raises(expected):
        router.dispatch(ev(), ctx())
    assert ran == list(range(len(errors))), "every handler ran despite the failures"
    assert len([r for r in caplog.records if "failed" in r.getMessage()]) == len(errors)


def test_retry_with_longest_delay_wins() -> None:
    router = Router()
    router.add(raiser(RetryLater("a", 5)), "issues", "opened")
    router.add(raiser(RetryLater("b", 50)), "issues", "opened")
    with pytest.raises(RetryLater) as info:
        router.dispatch(ev(), ctx())
    assert info.value.delay == 50
