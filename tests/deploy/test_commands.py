"""The commands the bundle runs are real: the Procfile's gunicorn target builds the app and serves the
HEALTHCHECK's URL, the web line starts gunicorn, and the worker line runs the installed console script."""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gunicorn.util import import_app

from tests.deploy.bundle import (
    VENV_BIN,
    compose_command,
    dockerfile,
    expand,
    gunicorn_target,
    healthcheck_argv,
    procfile,
)

START_TIMEOUT = 60.0  # seconds for gunicorn to load the app on a busy machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A web-only process in dry run on a SQLite store: what the bundle runs, minus PostgreSQL and GitHub."""
    env = {k: v for k, v in os.environ.items() if k not in ("APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "REDIS_URL")}
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        DATABASE_URL=f"sqlite:///{tmp_path}/data/ptm-triage.db",
        WEBHOOK_SECRET="deploy-test-" + "s" * 8,
        DRY_RUN="1",
        LOG_FORMAT="text",
        **extra,
    )
    return env


def run_healthcheck(port: int) -> subprocess.CompletedProcess[str]:
    argv = healthcheck_argv(dockerfile())
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PORT": str(port)}
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env)


def test_the_gunicorn_target_builds_the_app_and_serves_the_healthcheck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in app_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    app = import_app(gunicorn_target())  # exactly what gunicorn does with the Procfile's argument
    path = "/" + healthcheck_argv(dockerfile())[-1].split("/", 3)[3].split("'", 1)[0]
    assert path == "/readyz"
    response = app.test_client().get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "ready"


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[int]:
    """The compose web command, run by a shell as the container would, on a free port."""
    port = free_port()
    env = app_env(tmp_path, PORT=str(port), WEB_CONCURRENCY="1", WEB_THREADS="2")
    process = subprocess.Popen(compose_command("web"), env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""


@pytest.mark.slow
def test_the_web_command_serves_and_passes_the_image_healthcheck(web_server: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while (done := run_healthcheck(web_server)).returncode != 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert done.returncode == 0, done.stderr


class _NotReady(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_healthcheck_fails_when_not_ready_or_down() -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _NotReady)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert run_healthcheck(server.server_address[1]).returncode != 0
    finally:
        server.shutdown()
        server.server_close()
    assert run_healthcheck(free_port()).returncode != 0  # nothing listening


def test_the_procfile_web_line_expands_like_a_shell() -> None:
    argv = expand(procfile()["web"], {"PORT": "8080", "WEB_CONCURRENCY": "3"})
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8080"
    assert argv[argv.index("--workers") + 1] == "3"


@pytest.mark.slow  # starts the console script
def test_the_worker_command_is_the_installed_console_script(tmp_path: Path) -> None:
    argv = compose_command("worker")
    assert argv == procfile()["worker"].split()
    env = app_env(tmp_path)
    help_run = subprocess.run([*argv, "--help"], capture_output=True, text=True, timeout=60, env=env)
    assert help_run.returncode == 0, help_run.stderr
    assert "--burst" in help_run.stdout
    # A real run on an empty store: claims nothing and exits.
    burst = subprocess.run([*argv, "--burst"], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert burst.returncode == 0, burst.stderr
