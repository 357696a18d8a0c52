"""One scrape of /metrics counts the deliveries of every gunicorn web process: the Procfile's web line
with 2 processes, deliveries spread over both, then a single scrape."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.deploy.bundle import REPO_ROOT, expand, procfile
from tests.e2e.harness import WEBHOOK_PATH, free_port, issues_payload
from tests.support.webhook_examples import signed_delivery

pytestmark = pytest.mark.slow  # several web processes

DELIVERIES = 400  # at most
BATCH = 10
STALE = "counter_1.db"
ACCEPTED = re.compile(r'^ptm_triage_deliveries_total\{outcome="accepted"\} (\S+)$', re.MULTILINE)


@pytest.fixture
def web(tmp_path: Path, webhook_secret: str) -> Iterator[tuple[str, Path]]:
    """The Procfile's web line with 2 processes; yields its URL and its metrics directory."""
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / STALE).write_bytes(b"")  # a previous start's file: this start must remove it
    env = {**os.environ, "WEB_CONCURRENCY": "2", "WEB_THREADS": "4", "PORT": str(port), "DRY_RUN": "1",
           "WEBHOOK_SECRET": webhook_secret, "DATABASE_URL": f"sqlite:///{tmp_path}/inbox.db",
           "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "LOG_LEVEL": "WARNING"}
    argv = expand(procfile()["web"], env)
    argv[0] = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or argv[0]
    argv[argv.index(f"0.0.0.0:{port}")] = f"127.0.0.1:{port}"
    server = subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _ready(url):
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        yield url, metrics_dir
    finally:
        server.terminate()
        server.wait(30)


def _ready(url: str) -> bool:
    try:
        return requests.get(url + "/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def accepted_by_process(metrics_dir: Path) -> dict[str, float]:
    """Each web process's own count, read from its files alone with prometheus-client's collector."""
    counts: dict[str, float] = {}
    for pid in {path.stem.rsplit("_", 1)[1] for path in metrics_dir.glob("*.db")}:
        alone = metrics_dir.parent / f"alone-{pid}-{time.monotonic_ns()}"
        alone.mkdir()
        for path in metrics_dir.glob(f"*_{pid}.db"):
            shutil.copy(path, alone / path.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        found = ACCEPTED.search(generate_latest(registry).decode())
        counts[pid] = float(found.group(1)) if found else 0.0
    return counts


def test_one_scrape_shows_the_deliveries_of_every_web_process(
    web: tuple[str, Path], webhook_secret: str
) -> None:
    url, metrics_dir = web
    payload = issues_payload("opened", "octo-org/hello-ptm", 1001, 1, "CUDA out of memory", "body")

    def post(_: int) -> int:
        delivery = signed_delivery("issues", payload, webhook_secret)
        headers = {**delivery.headers, "Connection": "close"}  # a new connection: either process may take it
        return requests.post(url + WEBHOOK_PATH, data=delivery.body, headers=headers, timeout=30).status_code

    sent = 0
    with ThreadPoolExecutor(BATCH) as pool:
        # Which process accepts a connection is the kernel's choice: send batches, with pauses that let
        # both processes wait on the socket again, until both have taken deliveries.
        while sent < DELIVERIES and (sent < BATCH * 4 or min(accepted_by_process(metrics_dir).values()) == 0):
            assert set(pool.map(post, range(BATCH))) == {202}
            sent += BATCH
            time.sleep(0.2)

    assert not (metrics_dir / STALE).exists()
    per_process = accepted_by_process(metrics_dir)
    assert len(per_process) == 2 and min(per_process.values()) > 0  # both processes took deliveries
    assert sum(per_process.values()) == sent
    scrape = requests.get(url + "/metrics", timeout=10).text
    found = ACCEPTED.search(scrape)
    assert found is not None and float(found.group(1)) == sent
