"""Logging, set up once: JSON lines in production, readable text on a terminal.

Job log lines carry delivery_id, event, action, repo and installation_id (`job_logger`). Secrets never
reach the output: callers never pass them, and a filter masks the configured secrets and anything shaped
like a GitHub token, a JWT or a PEM block as a second line of defence.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterable, MutableMapping
from typing import IO, Any

from bot.events import Event
from bot.settings import Settings

JOB_FIELDS = ("delivery_id", "event", "action", "repo", "installation_id")
# Extra fields a log line may carry; anything else passed as `extra` is not rendered.
CONTEXT_FIELDS = (*JOB_FIELDS, "worker", "attempt", "outcome", "duration_ms", "delay", "state", "error")
MASK = "[redacted]"
_TOKEN_PATTERNS = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
    r"|\bgh[pousr]_[A-Za-z0-9]{20,}"
    r"|\bgithub_pat_[A-Za-z0-9_]{20,}"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"
    r"|(?i:\b(?:bearer|token)\s+)[A-Za-z0-9._~+/=-]{16,}",
    re.DOTALL,
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask token-shaped strings and the given secret values in `text`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return _TOKEN_PATTERNS.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and exception text) with secrets masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s and len(s) >= 4)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self._secrets)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._secrets)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the known context fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`12:00:01 INFO bot.jobs.worker: job done [delivery_id=... repo=...]` for humans at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = [f"{name}={record.__dict__[name]}" for name in CONTEXT_FIELDS if record.__dict__.get(name)]
        if not context:
            return line
        head, sep, tail = line.partition("\n")
        return f"{head} [{' '.join(context)}]{sep}{tail}"


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """Install one handler on the root logger (replacing earlier ones from this function)."""
    stream = stream if stream is not None else sys.stderr
    use_json = settings.log_format == "json" or (settings.log_format == "auto" and not _is_tty(stream))
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    handler.addFilter(RedactingFilter(_secret_values(settings)))
    handler.set_name("ptm-triage")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "ptm-triage"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for noisy in ("urllib3", "github.Requester"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    return handler


class JobLogger(logging.LoggerAdapter[logging.Logger]):
    """Adds the job's context to every line; per-call `extra` is merged on top."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        context: dict[str, Any] = dict(self.extra or {})
        context.update(kwargs.get("extra") or {})
        kwargs["extra"] = context
        return msg, kwargs


def job_logger(event: Event, logger: logging.Logger | None = None, **fields: Any) -> JobLogger:
    """A logger for one job: every line carries the delivery's identifiers (never its payload)."""
    context: dict[str, Any] = {
        "delivery_id": event.delivery_id,
        "event": event.name,
        "action": event.action,
        "repo": event.repo,
        "installation_id": event.installation_id,
    }
    context.update(fields)
    return JobLogger(logger or logging.getLogger("bot.jobs"), context)


def _secret_values(settings: Settings) -> list[str]:
    values = [settings.webhook_secret or ""]
    if settings.private_key:
        values.extend(line for line in settings.private_key.splitlines() if len(line) >= 16)
    return values


def _is_tty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
