"""The double as a separate process, for end-to-end runs and benchmarks.

    with DoubleProcess(state_file=tmp / "gh.json", latency=0.05) as double:
        double.client.set_app(...)          # control API
        ... point the bot at double.url ...
    # on exit the process is stopped (SIGTERM) and double.exit_code is 1 if a violation occurred
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path
from types import TracebackType

from tests.support.github_double.client import DoubleClient

REPO_ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 60  # seconds; the first run may fetch and index the OpenAPI description
STOP_TIMEOUT = 10  # seconds


class DoubleProcess:
    def __init__(self, state_file: Path | None = None, log_file: Path | None = None, port: int = 0,
                 latency: float = 0.0, validate_responses: bool = True) -> None:
        self.args = [sys.executable, "-m", "tests.support.github_double", "--port", str(port),
                     "--latency", str(latency)]
        if state_file is not None:
            self.args += ["--state-file", str(state_file)]
        if log_file is not None:
            self.args += ["--log-file", str(log_file)]
        if not validate_responses:
            self.args.append("--no-response-validation")
        self.url = ""
        self.exit_code: int | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._client: DoubleClient | None = None

    @property
    def client(self) -> DoubleClient:
        if self._client is None:
            raise RuntimeError("the double is not running")
        return self._client

    def start(self) -> DoubleProcess:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        self._proc = subprocess.Popen(self.args, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], START_TIMEOUT)
        line = self._proc.stdout.readline() if ready else ""  # the line comes once the server listens
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"the GitHub double did not start (exit {self.exit_code})")
        self.url = line.split()[-1]
        self._client = DoubleClient(self.url)
        return self

    def stop(self) -> int | None:
        if self._proc is not None and self.exit_code is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self.exit_code = self._proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self.exit_code = self._proc.wait()
        if self._client is not None:
            self._client.close()
        return self.exit_code

    def __enter__(self) -> DoubleProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
