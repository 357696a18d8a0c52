"""`ptm-triage replay`: a saved payload signed and sent to a running app."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from bot.cli.main import main as run_cli
from bot.store.inbox import Inbox
from bot.web.app import WEBHOOK_PATH, create_app
from tests.bot.web.app_support import SECRET, body_for, handles, make_settings


@pytest.fixture
def app(inbox: Inbox, sqlite_url: str) -> Flask:
    return create_app(make_settings(sqlite_url), inbox=inbox, handles=handles, ready=lambda: True)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{WEBHOOK_PATH}"
    server.shutdown()


def test_replay_signs_and_sends_a_saved_payload(
    live_server: str, inbox: Inbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = tmp_path / "issue.json"
    payload.write_bytes(body_for())
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    argv = ["replay", "--event", "issues", str(payload), "--url", live_server, "--delivery-id", "replayed-1"]
    assert run_cli(argv) == 0
    assert "202" in capsys.readouterr().out
    assert inbox.get("replayed-1") is not None
    monkeypatch.setenv("WEBHOOK_SECRET", "not-the-server-secret")
    assert run_cli([*argv[:-1], "replayed-2"]) == 1
    assert "401" in capsys.readouterr().out
    assert inbox.get("replayed-2") is None


def test_replay_refuses_a_file_that_is_not_one_payload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    for content in (b"[1, 2]", b"not json"):
        path = tmp_path / "bad.json"
        path.write_bytes(content)
        assert run_cli(["replay", "--event", "issues", str(path), "--url", "http://127.0.0.1:9/x"]) == 1
    assert "ptm-triage:" in capsys.readouterr().err
