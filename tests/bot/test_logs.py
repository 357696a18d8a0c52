"""Log output: JSON lines with job context in production, text locally, and no secrets ever."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.events import Event
from bot.logs import configure_logging, job_logger, redact
from bot.settings import Settings

SECRET = "hook-secret-value-123"
PEM = (
    "-----BEGIN RSA " "PRIVATE KEY-----\nMIIEowIBAAKCAQEAx1yqzLongKeyMaterialLine\n-----END RSA PRIVATE KEY-----"
)


def settings(log_format: str = "json") -> Settings:
    return Settings(app_id=1, private_key=PEM, webhook_secret=SECRET, log_format=log_format)


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    yield out
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "ptm-triage"]:
        root.removeHandler(handler)


def event() -> Event:
    payload = {
        "action": "opened",
        "repository": {"full_name": "octo/repo"},
        "issue": {"body": "private text"},
    }
    return Event("issues", "opened", "d-42", 77, payload)


def test_json_lines_carry_the_job_context(stream: io.StringIO) -> None:
    configure_logging(settings("json"), stream)
    job_logger(event()).info("done", extra={"outcome": "done"})
    line = json.loads(stream.getvalue().strip())
    assert line["message"] == "done" and line["level"] == "info"
    assert {k: line[k] for k in ("delivery_id", "event", "action", "repo", "installation_id", "outcome")} == {
        "delivery_id": "d-42",
        "event": "issues",
        "action": "opened",
        "repo": "octo/repo",
        "installation_id": 77,
        "outcome": "done",
    }
    assert "private text" not in stream.getvalue()


def test_text_format_for_terminals(stream: io.StringIO) -> None:
    configure_logging(settings("text"), stream)
    job_logger(event()).warning("retrying")
    text = stream.getvalue()
    assert "WARNING" in text and "retrying" in text and "delivery_id=d-42" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def test_auto_format_is_json_when_not_a_tty(stream: io.StringIO) -> None:
    configure_logging(settings("auto"), stream)
    logging.getLogger("bot.test").info("hello")
    assert json.loads(stream.getvalue())["message"] == "hello"


def test_secrets_are_masked_even_if_someone_logs_them(stream: io.StringIO) -> None:
    configure_logging(settings("json"), stream)
    log = logging.getLogger("bot.test")
    log.info("secret is %s", SECRET)
    log.info("key %s", PEM)
    log.info(
        "token ghs_" "0123456789abcdefghijABCDEFGHIJ and jwt eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2lnbmF0dXJl"
    )
    try:
        raise RuntimeError(f"Authorization: Bearer {SECRET}")
    except RuntimeError:
        log.exception("failed")
    output = stream.getvalue()
    for leaked in (
        SECRET,
        "MIIEowIBAAKCAQEAx1yqzLongKeyMaterialLine",
        "ghs_0123456789",
        "eyJhbGciOiJSUzI1NiJ9",
    ):
        assert leaked not in output
    assert output.count("[redacted]") >= 4


def test_redact_leaves_ordinary_text_alone() -> None:
    assert (
        redact("labels added to octo/repo#12 (model-usage)") == "labels added to octo/repo#12 (model-usage)"
    )
