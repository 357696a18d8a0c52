"""Durability of the deployed web process: a 202 means the delivery is committed, even if the whole
server is killed with SIGKILL right after answering."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from bot.store.inbox import open_inbox
from bot.web.app import WEBHOOK_PATH
from bot.web.verify import sign
from tests.e2e.harness import free_port
from tests.support.github_fixtures import generate_app_key

SECRET = "durability-test-secret"
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "issue-opened.json"


@pytest.mark.slow
def test_kill_9_of_the_server_right_after_202s_loses_no_acknowledged_delivery(tmp_path: Path) -> None:
    """gunicorn (2 processes x 8 threads, as deployed) under concurrent load, killed with SIGKILL mid-load:
    every delivery that got a 202 is in the inbox afterwards."""
    port = free_port()
    database_url = f"sqlite:///{tmp_path / 'inbox.db'}"
    env = {
        **os.environ,
        "WEBHOOK_SECRET": SECRET,
        "APP_ID": "1",
        "PRIVATE_KEY": generate_app_key().private_key_pem,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "--worker-class", "gthread", "--workers", "2", "--threads", "8",
         "--bind", f"127.0.0.1:{port}", "bot.wsgi:create()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    body = SAMPLE.read_bytes()

    def sender(n: int) -> None:
        session = requests.Session()
        for i in range(10_000):
            if stop.is_set():
                return
            delivery = f"k9-{n}-{i}"
            headers = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": delivery,
                       "X-Hub-Signature-256": sign(SECRET, body)}  # fmt: skip
            try:
                status = session.post(url, data=body, headers=headers, timeout=5).status_code
            except requests.RequestException:
                return  # the server is gone
            if status == 202:
                with lock:
                    acked.append(delivery)

    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(url.replace(WEBHOOK_PATH, "/healthz"), timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        senders = [threading.Thread(target=sender, args=(n,)) for n in range(12)]
        for thread in senders:
            thread.start()
        while len(acked) < 300 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-load
        server.wait(10)
        stop.set()
        for thread in senders:
            thread.join(10)
    finally:
        stop.set()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)

    assert len(acked) >= 300
    inbox = open_inbox(database_url)
    try:
        missing = [delivery for delivery in acked if inbox.get(delivery) is None]
    finally:
        inbox.engine.dispose()
    assert missing == []
