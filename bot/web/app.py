"""The web process: webhook intake, health, metrics and a small status page (Flask app factory).

The webhook request does the least that makes a 202 honest: bounded read, signature check, parse,
durable commit (group-committed with concurrent requests). No GitHub call, no inference. It is served by
`bot.web.webhook.WebhookEndpoint` in front of Flask's own dispatch (`app.wsgi_app`), so it pays none of
Flask's per-request cost; the other pages are plain Flask views.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, render_template_string
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError

from bot.handlers.routing import handles as route_handles
from bot.observability import INBOX_DEPTH, INBOX_OLDEST_AGE, exposition
from bot.settings import ConfigurationError, Settings
from bot.store.config_status import ConfigStatusStore
from bot.store.inbox import DEAD, Inbox, open_inbox
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
) -> Flask:
    """Build the app. `handles(event, action)` says which deliveries are worth a job (default:
    bot.handlers.routing.handles); `ready()` adds to /readyz (e.g. model loaded); `on_accepted()` runs after
    each new delivery is committed (e.g. wake an in-process worker)."""
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

    @app.get("/")
    def status_page() -> str:
        stats = store.stats()
        return render_template_string(
            _STATUS_TEMPLATE,
            stats=stats,
            broken_configs=ConfigStatusStore(store.engine).recent(limit=20, failing_only=True),
            dead=store.dead_letters(limit=20),
            recent=store.recent(limit=20),
            dead_state=DEAD,
            dry_run=settings.dry_run,
            mode="RQ workers" if settings.redis_url else "embedded workers",
            when=_when,
        )

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


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


_STATUS_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ptm-triage</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222 }
table { border-collapse: collapse } code { font-size: 12px }
td, th { padding: .2em .8em; border-bottom: 1px solid #ddd; text-align: left }
</style></head>
<body><h1>ptm-triage</h1>
<p>{{ mode }}{% if dry_run %} &middot; <strong>dry run</strong>: nothing is written to GitHub{% endif %}.
Oldest waiting delivery:
{{ "%.0f s"|format(stats.oldest_age) if stats.oldest_age is not none else "none" }}.</p>
<h2>Inbox</h2>
<table><tr>{% for s in stats.counts %}<th>{{ s }}</th>{% endfor %}</tr>
<tr>{% for s, n in stats.counts.items() %}<td>{{ n }}</td>{% endfor %}</tr></table>
<h2>Repository configuration</h2>
{% if broken_configs %}
<p>These repositories have an invalid <code>.github/ptm-triage.yml</code>; the bot uses their last valid
configuration (or the defaults) until it is fixed. Check a file with <code>ptm-triage check-config FILE</code>.</p>
<table><tr><th>repository</th><th>file</th><th>commit</th><th>problem</th><th>since</th></tr>
{% for c in broken_configs %}<tr><td>{{ c.repo }}</td><td><code>{{ c.source }}</code></td>
<td><code>{{ (c.sha or "")[:10] }}</code></td><td><pre>{{ c.error or "" }}</pre></td>
<td>{{ c.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC") }}</td></tr>
{% endfor %}</table>
{% else %}<p>Every configuration read so far is valid.</p>{% endif %}
<h2>Dead letters</h2>
{% if dead %}
<p>Re-run with <code>ptm-triage dead-letters retry ID</code> (or <code>--all</code>).</p>
<table><tr><th>delivery</th><th>event</th><th>repository</th><th>attempts</th><th>last error</th>
<th>at</th></tr>
{% for d in dead %}<tr><td><code>{{ d.delivery_id }}</code></td>
<td>{{ d.event }}{% if d.action %}.{{ d.action }}{% endif %}</td><td>{{ d.repo or "" }}</td>
<td>{{ d.attempts }}</td><td>{{ d.last_error or "" }}</td><td>{{ when(d.updated_at) }}</td></tr>
{% endfor %}</table>
{% else %}<p>None.</p>{% endif %}
<h2>Recent deliveries</h2>
<table><tr><th>delivery</th><th>event</th><th>repository</th><th>state</th><th>attempts</th>
<th>received</th></tr>
{% for d in recent %}<tr><td><code>{{ d.delivery_id }}</code></td>
<td>{{ d.event }}{% if d.action %}.{{ d.action }}{% endif %}</td><td>{{ d.repo or "" }}</td>
<td>{{ d.state }}</td><td>{{ d.attempts }}</td><td>{{ when(d.received_at) }}</td></tr>
{% endfor %}</table>
</body></html>
"""
