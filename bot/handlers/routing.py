"""Which handlers run for which (event, action), in the manner of gidgethub's Router.

Unlike gidgethub, dispatch runs every handler even when one fails: each failure is logged on its own, and
afterwards one of them is re-raised so the worker retries the job (RetryLater/Throttled first, since those
promise that a retry can succeed). Handlers are idempotent, so re-running the ones that succeeded is safe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache

from bot.errors import PermanentFailure, RetryLater, Throttled
from bot.events import Event
from bot.handlers import config_push, feedback, installation, issue_index, triage
from bot.handlers.context import HandlerContext

Handler = Callable[[Event, HandlerContext], None]


class Router:
    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str | None], list[Handler]] = {}

    def add(self, handler: Handler, event: str, action: str | None = None) -> None:
        """Run `handler` for `event` with `action` (None: for every action of the event)."""
        self._handlers.setdefault((event, action), []).append(handler)

    def handlers_for(self, event: str, action: str | None) -> list[Handler]:
        found = list(self._handlers.get((event, None), ()))
        if action is not None:
            found += self._handlers.get((event, action), ())
        return found

    def handles(self, event: str, action: str | None) -> bool:
        return bool(self.handlers_for(event, action))

    def knows(self, event: str) -> bool:
        """Whether some handler takes `event`, for one action or all."""
        return any(name == event for name, _ in self._handlers)

    def dispatch(self, event: Event, ctx: HandlerContext) -> int:
        """Run every handler for the event; returns how many ran. Re-raises after all have run."""
        handlers = self.handlers_for(event.name, event.action)
        failures: list[Exception] = []
        for handler in handlers:
            try:
                handler(event, ctx)
            except Exception as exc:  # isolate handlers: one failure must not starve the others
                failures.append(exc)
                ctx.log.log(
                    logging.WARNING if isinstance(exc, RetryLater) else logging.ERROR,
                    "handler %s failed: %s: %s",
                    getattr(handler, "__qualname__", repr(handler)),
                    type(exc).__name__,
                    exc,
                    exc_info=not isinstance(exc, RetryLater | PermanentFailure),
                )
        if failures:
            raise _most_urgent(failures)
        return len(handlers)


def _most_urgent(failures: list[Exception]) -> Exception:
    """Throttled, then RetryLater (longest delay), then any other error (retried), then PermanentFailure."""

    def rank(exc: Exception) -> tuple[int, float]:
        if isinstance(exc, Throttled):
            return (0, -exc.delay)
        if isinstance(exc, RetryLater):
            return (1, -exc.delay)
        if isinstance(exc, PermanentFailure):
            return (3, 0.0)
        return (2, 0.0)

    return min(failures, key=rank)


def build_router() -> Router:
    """The application's routes."""
    router = Router()
    router.add(triage.on_issues_opened, "issues", "opened")
    router.add(triage.on_issues_reopened, "issues", "reopened")
    router.add(triage.on_issues_edited, "issues", "edited")
    router.add(issue_index.on_issues_closed, "issues", "closed")
    router.add(issue_index.on_issues_reopened, "issues", "reopened")
    router.add(issue_index.on_issues_edited, "issues", "edited")
    router.add(issue_index.on_issues_deleted, "issues", "deleted")
    router.add(feedback.on_issues_labeled, "issues", "labeled")
    router.add(feedback.on_issues_unlabeled, "issues", "unlabeled")
    router.add(installation.on_installation, "installation")
    router.add(installation.on_installation_repositories, "installation_repositories")
    router.add(config_push.on_push, "push")
    return router


@cache
def default_router() -> Router:
    return build_router()


def handles(name: str, action: str | None) -> bool:
    """Whether the app does anything with this event; the web layer answers "ignored" otherwise."""
    return default_router().handles(name, action)


def knows_event(name: str) -> bool:
    """Whether the app handles `name` events at all (for any action)."""
    return default_router().knows(name)
