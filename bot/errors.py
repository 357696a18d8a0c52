"""The typed errors: what the worker does with a job that did not finish, and settings that cannot start."""

from __future__ import annotations


class RetryLater(Exception):
    """A transient failure (5xx, timeout, rate limit): run the job again, not before `delay` seconds."""

    def __init__(self, message: str, delay: float) -> None:
        super().__init__(message)
        self.delay = delay


class Throttled(RetryLater):
    """GitHub asked us to wait (403/429 with Retry-After or X-RateLimit-Reset). Waiting is not a failure:
    the job keeps its attempt count."""


class PermanentFailure(Exception):
    """Retrying cannot help (e.g. 404 on the repository, an installation that is gone): dead-letter now."""


class ConfigurationError(Exception):
    """The environment cannot start the app; the message names the variable and how to fix it."""
