"""The web process: webhook intake, health, metrics and the maintainers' pages (Flask app factory).

The webhook request does the least that makes a 202 honest: bounded read, signature check, parse,
durable commit (group-committed with concurrent requests). No GitHub call, no inference. It is served by
`bot.web.webhook.WebhookEndpoint` in front of Flask's own dispatch (`app.wsgi_app`), so it pays none of
Flask's per-request cost; the other pages are plain Flask views (status, decisions and playground in
bot/web/pages.py, /setup in bot/web/setup.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError

from bot.handlers.context import Predictor
from bot.handlers.routing import handles as route_handles
from bot.handlers.routing import knows_event
from bot.observability import INBOX_DEPTH, INBOX_OLDEST_AGE, exposition
from bot.settings import ConfigurationError, Settings
from bot.store.inbox import Inbox, open_inbox
from bot.store.rejections import RejectionStore
from bot.web.pages import Calibration, pages_blueprint
from bot.web.rejections import RejectionRecorder
from bot.web.setup import setup_blueprint
from bot.web.webhook import WEBHOOK_PATH, GroupCommit, Handles, WebhookEndpoint

__all__ = ["WEBHOOK_PATH", "GroupCommit", "Handles", "create_app"]

log = logging.getLogger(__name__)

_JSON = "application/json"


def create_app(
    settings: Settings,
    *,
    inbox: Inbox | None = None,
    handles: Handles | None = None,
    ready: Callable[[], bool] | None = None,
    on_accepted: Callable[[], None] | None = None,
    predictor: Callable[[], Predictor] | None = None,
    calibration: Calibration | None = None,
) -> Flask:
    """Build the app. `handles(event, action)` says which deliveries are worth a job (default:
    bot.handlers.routing.handles); `ready()` adds to /readyz (e.g. model loaded); `on_accepted()` runs after
    each new delivery is committed (e.g. wake an in-process worker); `predictor()` gives the playground its
    model (called on first use); `calibration(repo)` a repository's calibration estimate for the status page."""
    if not settings.webhook_secret:
        raise ConfigurationError("WEBHOOK_SECRET is not set: the webhook endpoint cannot verify deliveries.")
    if inbox is None:
        inbox = open_inbox(settings.database_url, settings.max_attempts)
    if handles is None:
        handles = route_handles
    store: Inbox = inbox
    wants: Handles = handles
    wants("ping", None)  # build the routing table now, not during the first delivery
    secret = settings.webhook_secret.encode("utf-8")
    max_body = settings.max_body_bytes

    app = Flask(__name__)
    # Werkzeug refuses a larger Content-Length up front on the Flask pages too.
    app.config["MAX_CONTENT_LENGTH"] = max_body
    app.wsgi_app = WebhookEndpoint(  # type: ignore[method-assign]
        app.wsgi_app,
        GroupCommit(store),
        secret=secret,
        max_body_bytes=max_body,
        handles=wants,
        on_accepted=on_accepted,
        knows_event=knows_event,
        on_rejected=RejectionRecorder(lambda: RejectionStore(store.engine)).note,
    )

    @app.get("/healthz")
    def healthz() -> Response:
        return _answer(200, "ok")

    @app.get("/readyz")
    def readyz() -> Response:
        checks = {"store": store.ping(), "runtime": True if ready is None else _safe(ready)}
        ok = all(checks.values())
        body = _json({"status": "ready" if ok else "not ready", "checks": checks})
        return Response(body, 200 if ok else 503, mimetype=_JSON)

    @app.get("/metrics")
    def metrics() -> Response:
        try:
            stats = store.stats()
        except SQLAlchemyError:
            log.warning("inbox unreachable while rendering /metrics")
        else:
            for state, count in stats.counts.items():
                INBOX_DEPTH.labels(state).set(count)
            INBOX_OLDEST_AGE.set(stats.oldest_age or 0.0)
        return Response(exposition(), mimetype=CONTENT_TYPE_LATEST)

    app.register_blueprint(setup_blueprint(settings))  # /setup: register the App (only without credentials)

    # Status (/), decisions and playground; they may sit behind STATUS_TOKEN.
    app.register_blueprint(pages_blueprint(settings, store, predictor=predictor, calibration=calibration))

    return app


def _answer(status: int, word: str, detail: str | None = None) -> Response:
    body = f'{{"status":"{word}"}}' if detail is None else _json({"status": word, "detail": detail})
    return Response(body, status, mimetype=_JSON)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _safe(check: Callable[[], bool]) -> bool:
    try:
        return bool(check())
    except Exception:  # a failing readiness probe means "not ready", never a 500
        log.exception("readiness check failed")
        return False
