"""Gunicorn's entry point: `gunicorn 'bot.wsgi:create()'` (the Procfile's web line).

Each gunicorn worker builds a web-only app (workers run elsewhere: `ptm-triage worker`). Nothing happens
at import: settings are read and the store is opened when gunicorn loads the app.
"""

from __future__ import annotations

from flask import Flask

from bot import runtime
from bot.settings import load_settings


def create() -> Flask:
    """The web app for a web-only process, wired by `bot.runtime`."""
    settings = load_settings()
    runtime.start_process(settings)
    return runtime.web_app(settings)
