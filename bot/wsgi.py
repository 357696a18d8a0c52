"""Gunicorn entry points.

`gunicorn 'bot.wsgi:create()'` (the Procfile's web line) builds a web-only app in each gunicorn worker;
`serve()` runs gunicorn in-process for `ptm-triage serve`, with job threads beside the web threads.
Nothing happens at import: settings are read and the store is opened when gunicorn loads the app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask

from bot.logs import configure_logging
from bot.settings import Settings, load_settings
from bot.web import create_app

log = logging.getLogger(__name__)
SHUTDOWN_TIMEOUT = 25.0  # seconds in-flight jobs get on SIGTERM; gunicorn waits a little longer


def create() -> Flask:
    """The web app for a web-only process (workers run elsewhere: `ptm-triage worker`)."""
    settings = load_settings()
    configure_logging(settings)
    for notice in settings.notices:
        log.warning(notice)
    return create_app(settings)


class _Embedded:
    """What one `serve` worker process runs beside the web app: workers (or the RQ sweeper)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stop_callbacks: list[Callable[[], object]] = []

    def build(self) -> Flask:
        from bot.inbox import open_inbox
        from bot.runtime import build_runtime

        settings = self.settings
        inbox = open_inbox(settings.database_url, settings.max_attempts)
        if settings.redis_url:  # RQ workers (`ptm-triage worker`) run the jobs; we only hand them over
            from bot.queue import Sweeper, connect, make_queue

            sweeper = Sweeper(inbox, make_queue(connect(settings.redis_url)))
            sweeper.start()
            self.stop_callbacks.append(sweeper.stop)
            return create_app(settings, inbox=inbox)
        from bot.worker import WorkerPool

        runtime = build_runtime(settings, engine=inbox.engine)
        pool = WorkerPool(
            inbox,
            runtime.handle,
            threads=max(1, settings.worker_threads),
            lease_seconds=settings.lease_seconds,
        )
        pool.start()
        self.stop_callbacks += [lambda: pool.stop(SHUTDOWN_TIMEOUT), runtime.close]
        return create_app(settings, inbox=inbox, ready=runtime.ready, on_accepted=pool.wake)

    def stop(self) -> None:
        for callback in self.stop_callbacks:
            try:
                callback()
            except Exception:  # keep stopping the rest
                log.exception("error during shutdown")


def serve(settings: Settings, bind: str) -> int:
    """Run gunicorn (gthread) in this process tree: one worker process with web threads + job threads."""
    from gunicorn.app.base import BaseApplication

    embedded = _Embedded(settings)

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": bind,
                "workers": 1,
                "worker_class": "gthread",
                "threads": settings.web_threads,
                "timeout": 60,
                "graceful_timeout": int(SHUTDOWN_TIMEOUT) + 5,
                "loglevel": settings.log_level.lower(),
                "accesslog": None,
                "worker_exit": lambda _server, _worker: embedded.stop(),
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return embedded.build()

    _Server().run()
    return 0
