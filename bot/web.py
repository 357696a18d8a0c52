"""The web process: webhook intake, health, metrics and a small status page (Flask app factory).

The webhook request does the least that makes a 202 honest: bounded read, signature check, parse,
durable commit (group-committed with concurrent requests). No GitHub call, no inference.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, render_template_string, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from bot import intake
from bot.events import Event
from bot.inbox import DEAD, Accepted, Inbox, open_inbox
from bot.metrics import DELIVERIES, INBOX_DEPTH, INBOX_OLDEST_AGE
from bot.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/api/github/webhooks"
Handles = Callable[[str, str | None], bool]
_JSON = "application/json"
_HEADERS = (intake.SIGNATURE_HEADER, intake.EVENT_HEADER, intake.DELIVERY_HEADER)


def create_app(
    settings: Settings,
    *,
    inbox: Inbox | None = None,
    handles: Handles | None = None,
    ready: Callable[[], bool] | None = None,
    on_accepted: Callable[[], None] | None = None,
) -> Flask:
    """Build the app. `handles(event, action)` says which deliveries are worth a job (default:
    bot.routing.handles); `ready()` adds to /readyz (e.g. model loaded); `on_accepted()` runs after
    each new delivery is committed (e.g. wake an in-process worker)."""
    if not settings.webhook_secret:
        raise ConfigurationError("WEBHOOK_SECRET is not set: the webhook endpoint cannot verify deliveries.")
    if inbox is None:
        inbox = open_inbox(settings.database_url, settings.max_attempts)
    if handles is None:
        from bot.routing import handles as route_handles

        handles = route_handles
    store: Inbox = inbox
    wants: Handles = handles
    wants("ping", None)  # build the routing table now, not during the first delivery
    acceptor = GroupCommit(store)
    secret = settings.webhook_secret.encode("utf-8")
    max_body = settings.max_body_bytes

    app = Flask(__name__)
    # Werkzeug refuses a larger Content-Length up front and stops reading a chunked body at the limit.
    app.config["MAX_CONTENT_LENGTH"] = max_body

    @app.post(WEBHOOK_PATH)
    def webhook() -> Response:
        try:
            body = _read_body(max_body)
            headers = {name: value for name in _HEADERS if (value := request.headers.get(name)) is not None}
            event = intake.parse_delivery(headers, body, secret=secret, max_body_bytes=max_body)
        except intake.IntakeError as exc:
            DELIVERIES.labels(exc.outcome).inc()
            return _answer(exc.status, "rejected", str(exc))
        if event.name == "ping":
            DELIVERIES.labels("ping").inc()
            return _answer(200, "pong")
        if not wants(event.name, event.action):
            DELIVERIES.labels("ignored").inc()
            return _answer(200, "ignored")
        try:
            outcome = acceptor.accept(event)
        except Exception:  # not committed: answer 503 so the delivery shows as failed on GitHub
            log.exception("could not commit a delivery", extra={"delivery_id": event.delivery_id})
            DELIVERIES.labels("unavailable").inc()
            return _answer(503, "unavailable", "the inbox is not reachable; redeliver later")
        DELIVERIES.labels(outcome).inc()
        if outcome == "accepted":
            if on_accepted is not None:
                on_accepted()
            return _answer(202, "accepted")
        return _answer(200, "duplicate")

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
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    @app.get("/")
    def status_page() -> str:
        stats = store.stats()
        return render_template_string(
            _STATUS_TEMPLATE,
            stats=stats,
            dead=store.dead_letters(limit=20),
            recent=store.recent(limit=20),
            dead_state=DEAD,
            dry_run=settings.dry_run,
            mode="RQ workers" if settings.redis_url else "embedded workers",
            when=_when,
        )

    return app


def _read_body(limit: int) -> bytes:
    """The raw body, refusing (413) before more than `limit` bytes are buffered."""
    too_large = intake.TooLarge(f"body larger than {limit} bytes")
    length = request.content_length
    if length is not None:
        if length > limit:
            raise too_large
        try:
            return request.get_data(cache=False)
        except RequestEntityTooLarge:
            raise too_large from None
    if not request.environ.get("wsgi.input_terminated"):
        return b""  # neither a length nor a terminated (chunked) stream: nothing can be read safely
    # Chunked upload: Werkzeug would silently truncate at the limit, so read it ourselves, bounded.
    stream, chunks, total = request.environ["wsgi.input"], [], 0
    while chunk := stream.read(min(64 * 1024, limit + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise too_large
    return b"".join(chunks)


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


class GroupCommit:
    """Group commit for request threads: concurrent `accept` calls share one transaction (one fsync).

    The first caller becomes the leader and commits everything queued so far; callers that arrive
    meanwhile wait, and the oldest of them leads the next batch. No background thread, so it is
    safe to create before gunicorn forks.
    """

    def __init__(self, inbox: Inbox, max_batch: int = 256) -> None:
        self._inbox = inbox
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Slot] = []
        self._busy = False

    def accept(self, event: Event) -> Accepted:
        slot = _Slot(event)
        with self._lock:
            self._queue.append(slot)
            lead = not self._busy
            self._busy = True
        if not lead:
            slot.ready.wait()
            lead = slot.lead
        if lead:
            self._commit_batch()
        if slot.error is not None:
            raise slot.error
        assert slot.result is not None
        return slot.result

    def _commit_batch(self) -> None:
        with self._lock:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
        try:
            results = self._inbox.accept_many([slot.event for slot in batch])
        except Exception as exc:  # every waiter of the batch sees the failure (-> 503, GitHub retries)
            for slot in batch:
                slot.error = exc
        else:
            for slot, result in zip(batch, results, strict=True):
                slot.result = result
        for slot in batch:
            slot.ready.set()
        with self._lock:
            if self._queue:
                successor = self._queue[0]
                successor.lead = True
                successor.ready.set()
            else:
                self._busy = False


class _Slot:
    __slots__ = ("error", "event", "lead", "ready", "result")

    def __init__(self, event: Event) -> None:
        self.event = event
        self.ready = threading.Event()
        self.lead = False
        self.result: Accepted | None = None
        self.error: Exception | None = None


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
