"""Gunicorn in this process tree, for `ptm-triage serve`: one worker process, gthread web threads.

What the worker process loads (the web app, and the job threads beside it) is given by the caller,
the composition root `bot.runtime`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication

from bot.settings import Settings


def run_gunicorn(
    settings: Settings, bind: str, *, load: Callable[[], Flask], on_exit: Callable[[], None], grace: float
) -> int:
    """Serve `load()` on `bind` until SIGTERM; `on_exit` runs in the worker process as it stops.

    `grace`: seconds gunicorn gives the worker to stop before killing it.
    """

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": bind,
                "workers": 1,
                "worker_class": "gthread",
                "threads": settings.web_threads,
                "timeout": 60,
                "graceful_timeout": int(grace),
                "loglevel": settings.log_level.lower(),
                "accesslog": None,
                "worker_exit": lambda _server, _worker: on_exit(),
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return load()

    _Server().run()
    return 0
