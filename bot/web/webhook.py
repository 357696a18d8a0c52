"""The webhook endpoint as a plain WSGI callable in front of the Flask app, and its group commit.

A 202 is sent only after the delivery's row is committed. The request does the least that makes that
honest: a bounded read, the signature check over the raw bytes, one JSON parse to validate the body and
read its routing fields, and a commit shared with the deliveries that arrived meanwhile. It skips Flask's
per-request machinery (request context, URL map, Response objects), which would cost more than the
work itself; every other path goes to Flask.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from bot.events import Envelope
from bot.observability import DELIVERIES
from bot.store.inbox import Accepted
from bot.web import verify as intake

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/api/github/webhooks"  # Probot's default
Handles = Callable[[str, str | None], bool]
Rejected = Callable[[str, str, str | None], None]  # (outcome, reason, well-formed delivery id or None)
_READ_CHUNK = 64 * 1024  # bytes per read of a chunked (length-less) body
_STATUS = {
    200: "200 OK", 202: "202 Accepted", 400: "400 Bad Request", 401: "401 Unauthorized",
    405: "405 Method Not Allowed", 413: "413 Content Too Large", 503: "503 Service Unavailable",
}  # fmt: skip
_OUTCOMES = (
    "accepted", "duplicate", "ping", "ignored", "unavailable", "rejected_signature", "bad_request", "too_large",
)  # fmt: skip


class Store(Protocol):
    def accept_many(self, events: Sequence[Envelope]) -> list[Accepted]: ...


class WebhookEndpoint:
    """POST WEBHOOK_PATH: verify, commit, answer. Every other request goes to `fallback` (Flask)."""

    def __init__(
        self,
        fallback: WSGIApplication,
        commit: GroupCommit,
        *,
        secret: bytes,
        max_body_bytes: int,
        handles: Handles,
        on_accepted: Callable[[], None] | None = None,
        knows_event: Callable[[str], bool] | None = None,
        on_rejected: Rejected | None = None,
    ) -> None:
        """`knows_event(name)`: whether any handler takes this event (an unknown one is a setup problem,
        e.g. the App subscribes to more than app.yml asks for); `on_rejected` hears of every refusal."""
        self._fallback = fallback
        self._commit = commit
        self._secret = secret
        self._max_body = max_body_bytes
        self._handles = handles
        self._on_accepted = on_accepted
        self._knows_event = knows_event
        self._on_rejected = on_rejected
        self._counters = {outcome: DELIVERIES.labels(outcome) for outcome in _OUTCOMES}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != WEBHOOK_PATH:
            return self._fallback(environ, start_response)
        status, body = self.handle(environ)
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        if status == 405:
            headers.append(("Allow", "POST"))
        start_response(_STATUS[status], headers)
        return [body]

    def handle(self, environ: WSGIEnvironment) -> tuple[int, bytes]:
        """(HTTP status, JSON body) for one request to the webhook path."""
        if environ.get("REQUEST_METHOD") != "POST":
            return 405, _answer("rejected", "webhooks are delivered with POST")
        try:
            body = read_body(environ, self._max_body)
            envelope = intake.verify(
                body,
                signature=environ.get("HTTP_X_HUB_SIGNATURE_256"),
                event=environ.get("HTTP_X_GITHUB_EVENT"),
                delivery_id=environ.get("HTTP_X_GITHUB_DELIVERY"),
                secret=self._secret,
                max_body_bytes=self._max_body,
            )
        except intake.IntakeError as exc:
            self._counters[exc.outcome].inc()
            self._refused(environ, exc.outcome, str(exc))
            return exc.status, _answer("rejected", str(exc))
        if envelope.name == "ping":
            self._counters["ping"].inc()
            return 200, _answer("pong")
        if not self._handles(envelope.name, envelope.action):
            self._counters["ignored"].inc()
            if self._knows_event is not None and not self._knows_event(envelope.name):
                self._refused(environ, "unknown_event", f"no handler for {envelope.name} events")
            return 200, _answer("ignored")
        try:
            outcome = self._commit.accept(envelope)
        except Exception:  # not committed: answer 503 so the delivery shows as failed on GitHub
            log.exception("could not commit a delivery", extra={"delivery_id": envelope.delivery_id})
            self._counters["unavailable"].inc()
            return 503, _answer("unavailable", "the inbox is not reachable; redeliver later")
        self._counters[outcome].inc()
        if outcome == "duplicate":
            return 200, _answer("duplicate")
        if self._on_accepted is not None:
            self._on_accepted()
        return 202, _answer("accepted")


    def _refused(self, environ: WSGIEnvironment, outcome: str, reason: str) -> None:
        """Log a refusal (never the body or the signature) and pass it on to the status page."""
        delivery_id = intake.well_formed_delivery_id(environ.get("HTTP_X_GITHUB_DELIVERY"))
        log.warning(
            "webhook request refused (%s): %s; delivery %s",
            outcome, reason, delivery_id or "without a well-formed X-GitHub-Delivery",
            extra={"delivery_id": delivery_id or "-"},
        )
        if self._on_rejected is not None:
            self._on_rejected(outcome, reason, delivery_id)


def read_body(environ: WSGIEnvironment, limit: int) -> bytes:
    """The raw body, refusing (413) before more than `limit` bytes are buffered."""
    stream: Any = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        try:
            expected = int(length)
        except ValueError:
            raise intake.BadRequest("malformed Content-Length header") from None
        if expected > limit:
            raise intake.TooLarge(f"body larger than {limit} bytes")
        body: bytes = stream.read(expected) if expected > 0 else b""
        if len(body) != expected:
            raise intake.BadRequest("body shorter than its Content-Length")
        return body
    if not environ.get("wsgi.input_terminated"):
        return b""  # neither a length nor a terminated (chunked) stream: nothing can be read safely
    chunks, total = [], 0
    while chunk := stream.read(min(_READ_CHUNK, limit + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise intake.TooLarge(f"body larger than {limit} bytes")
    return b"".join(chunks)


def _answer(word: str, detail: str | None = None) -> bytes:
    if detail is None:
        return b'{"status":"%s"}' % word.encode()
    return json.dumps({"status": word, "detail": detail}, separators=(",", ":")).encode()


class GroupCommit:
    """Group commit for request threads: concurrent `accept` calls share one transaction (one fsync).

    The first caller becomes the leader and commits everything queued so far; callers that arrive
    meanwhile wait, and the oldest of them leads the next batch. Each caller returns only once its own
    row is committed (or the commit failed). No background thread, so it is safe to create before
    gunicorn forks.
    """

    def __init__(self, store: Store, max_batch: int = 256) -> None:
        self._store = store
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Slot] = []
        self._busy = False

    def accept(self, event: Envelope) -> Accepted:
        slot = _Slot(event)
        with self._lock:
            self._queue.append(slot)
            lead = not self._busy
            self._busy = True
        if not lead:
            slot.wake.acquire()  # released once our batch is committed, or when it is our turn to lead
            lead = slot.lead
        if lead:
            self._commit_batch(slot)
        if slot.error is not None:
            raise slot.error
        assert slot.result is not None
        return slot.result

    def _commit_batch(self, own: _Slot) -> None:
        with self._lock:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
        try:
            results = self._store.accept_many([slot.event for slot in batch])
        except Exception as exc:  # every waiter of the batch sees the failure (-> 503, GitHub retries)
            for slot in batch:
                slot.error = exc
        else:
            for slot, result in zip(batch, results, strict=True):
                slot.result = result
        with self._lock:
            if self._queue:
                successor = self._queue[0]
                successor.lead = True
                successor.wake.release()
            else:
                self._busy = False
        for slot in batch:
            if slot is not own:
                slot.wake.release()


class _Slot:
    __slots__ = ("error", "event", "lead", "result", "wake")

    def __init__(self, event: Envelope) -> None:
        self.event = event
        self.wake = threading.Lock()
        self.wake.acquire()
        self.lead = False
        self.result: Accepted | None = None
        self.error: Exception | None = None
