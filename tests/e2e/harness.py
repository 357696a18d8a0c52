"""Run the real App (`ptm-triage serve`: gunicorn + embedded workers) against the HTTP GitHub double.

Used by the end-to-end tests and by the benchmarks: the App runs in its own process, talks HTTP to the
double, and receives signed webhook deliveries over HTTP, exactly as in production.
"""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from bot.store.inbox import open_inbox
from tests.support.github_fixtures import GitHubDoubleHandle
from tests.support.webhook_examples import Delivery, examples, signed_delivery

WEBHOOK_PATH = "/api/github/webhooks"
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")

PTM_TITLE = "CUDA out of memory when loading the whisper large-v3 model"
PTM_BODY = (
    "When I run transcription with the large-v3 checkpoint on my RTX 3060 (12 GB) I get\n\n"
    "```\ntorch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB "
    "(GPU 0; 11.76 GiB total capacity)\n```\n\nThe medium model works. Is there a way to run "
    "large-v3 with less VRAM, e.g. fp16 or int8?"
)
PLAIN_TITLE = "Add a dark mode toggle to the settings page"
PLAIN_BODY = "The settings page is very bright at night. A dark theme switch in the UI would be great."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppServer:
    """`ptm-triage serve` in a child process, configured through its environment like a deployment."""

    def __init__(self, workdir: Path, env: Mapping[str, str]) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"sqlite:///{workdir / 'ptm-triage.db'}"
        self.log_path = workdir / "server.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DATABASE_", "REDIS_"))},
            "PORT": str(self.port),
            "DATABASE_URL": self.database_url,
            "LOG_LEVEL": "INFO",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> AppServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve", "--bind", f"127.0.0.1:{self.port}"],
                cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.logs()[-3000:]}")
            try:
                if requests.get(self.url + "/readyz", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout}s:\n{self.logs()[-3000:]}")

    def stop(self, timeout: float = 30.0) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def post(self, delivery: Delivery, body: bytes | None = None) -> requests.Response:
        return requests.post(self.url + WEBHOOK_PATH, data=body if body is not None else delivery.body,
                             headers=delivery.headers, timeout=10)

    def inbox_counts(self) -> dict[str, int]:
        inbox = open_inbox(self.database_url)
        try:
            return inbox.stats().counts
        finally:
            inbox.engine.dispose()

    def wait_idle(self, timeout: float = 60.0) -> dict[str, int]:
        """Wait until no accepted delivery is pending or running; returns the inbox counts."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = self.inbox_counts()
            if counts.get("pending", 0) == 0 and counts.get("running", 0) == 0:
                return counts
            time.sleep(0.05)
        raise AssertionError(f"inbox not drained after {timeout}s: {self.inbox_counts()}\n{self.logs()[-3000:]}")


def issues_payload(action: str, repo: str, installation_id: int, number: int, title: str, body: str,
                   user: str = "reporter", labels: tuple[str, ...] = ()) -> dict[str, Any]:
    """A real `issues.<action>` example from @octokit/webhooks-examples, re-addressed to our repo/issue."""
    recorded = [payload for act, payload in examples("issues") if act == action]
    if not recorded:
        recorded = [payload for act, payload in examples("issues") if act == "opened"]
    payload = copy.deepcopy(recorded[0])
    payload["action"] = action
    owner, name = repo.split("/")
    payload["repository"].update(full_name=repo, name=name)
    payload["repository"]["owner"]["login"] = owner
    payload["repository"]["default_branch"] = "main"
    payload["installation"] = {"id": installation_id, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}
    issue = payload["issue"]
    issue.update(number=number, title=title, body=body, state="open", comments=0,
                 html_url=f"https://github.com/{repo}/issues/{number}")
    issue.pop("pull_request", None)
    issue["user"] = {**issue["user"], "login": user, "type": "User"}
    issue["labels"] = [{**(issue["labels"][0] if issue.get("labels") else {}), "name": n} for n in labels]
    payload["sender"] = {**payload["sender"], "login": user, "type": "User"}
    return payload


def deliver(server: AppServer, secret: str, event: str, payload: dict[str, Any] | bytes,
            delivery_id: str | None = None) -> tuple[Delivery, requests.Response]:
    delivery = signed_delivery(event, payload, secret, delivery_id)
    return delivery, server.post(delivery)


def writes(gh: GitHubDoubleHandle) -> list[dict[str, Any]]:
    """Every content-changing API call the double received (token requests excluded)."""
    return [r for r in gh.api_calls() if r["method"] in WRITE_METHODS and "access_tokens" not in str(r["path"])]


def bot_comments(gh: GitHubDoubleHandle, number: int) -> list[dict[str, Any]]:
    return [c for c in gh.comments(gh.repo, number) if c["user"] == gh.bot_login]
