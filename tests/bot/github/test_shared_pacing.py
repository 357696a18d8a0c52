"""Write pacing shared by every process of an installation: 4 worker processes write through the real
adapter to the HTTP double, which counts the content-creating requests it receives per installation in
every window. With the windows in the store or in Redis the count never exceeds the limit; with each
process pacing alone (the control case) it does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.store.engine import create_schema, make_engine
from tests.support.github_fixtures import GitHubDoubleHandle

pytestmark = pytest.mark.slow  # several processes against the double

PROCESSES = 4
THREADS = 2
WRITES = 3  # per thread: 24 writes, over two installations
PER_WINDOW = 4  # writes per installation per window: the 12 writes of each need three windows at least
WINDOW = 2.0  # seconds
OTHER_INSTALLATION = 1002
OTHER_REPO = "octo-two/models"
REPO_ROOT = Path(__file__).resolve().parents[3]


def run_workers(gh: GitHubDoubleHandle, tmp_path: Path, database_url: str, redis_url: str | None,
                shared: bool) -> None:
    engine = make_engine(database_url)
    create_schema(engine)  # once, before the processes start (as a deployment's first start does)
    engine.dispose()
    key_file = tmp_path / "app.pem"
    key_file.write_text(gh.private_key_pem)
    issue = gh.add_issue(gh.repo, "CUDA out of memory", "body", user="alice")["number"]
    gh.add_installation(OTHER_INSTALLATION, "octo-two")
    gh.add_repo(OTHER_REPO, OTHER_INSTALLATION)
    other = gh.add_issue(OTHER_REPO, "whisper download fails", "body", user="bob")["number"]
    config = {
        "api_url": gh.url, "app_id": gh.app_id, "key_file": str(key_file), "database_url": database_url,
        "redis_url": redis_url, "shared": shared, "per_window": PER_WINDOW, "window": WINDOW,
        "threads": THREADS, "writes": WRITES,
        "targets": [[gh.installation_id, gh.repo, issue], [OTHER_INSTALLATION, OTHER_REPO, other]],
    }
    workers = [
        subprocess.Popen([sys.executable, "-m", "tests.bot.github.pacing_worker", json.dumps(config)],
                         cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)
    ]
    try:
        for worker in workers:  # start together, once every process has its imports and engine ready
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        assert [worker.wait(timeout=120) for worker in workers] == [0] * PROCESSES
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()


def labels_written(gh: GitHubDoubleHandle) -> int:
    return len(gh.api_calls("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels"))


def check_shared(gh: GitHubDoubleHandle, tmp_path: Path, database_url: str, redis_url: str | None) -> None:
    run_workers(gh, tmp_path, database_url, redis_url, shared=True)
    assert labels_written(gh) == PROCESSES * THREADS * WRITES
    most = gh.most_writes_in_window(WINDOW)
    assert most == {gh.installation_id: PER_WINDOW, OTHER_INSTALLATION: PER_WINDOW}


def test_processes_sharing_the_store_never_exceed_the_limit(
    github_double: GitHubDoubleHandle, tmp_path: Path, database_url: str
) -> None:
    check_shared(github_double, tmp_path, database_url, None)


@pytest.mark.redis
def test_processes_sharing_redis_never_exceed_the_limit(
    github_double: GitHubDoubleHandle, tmp_path: Path, sqlite_url: str, redis_url: str
) -> None:
    check_shared(github_double, tmp_path, sqlite_url, redis_url)


def test_processes_pacing_alone_exceed_the_limit(
    github_double: GitHubDoubleHandle, tmp_path: Path, sqlite_url: str
) -> None:
    """The control case: the double would catch per-process pacing."""
    run_workers(github_double, tmp_path, sqlite_url, None, shared=False)
    assert max(github_double.most_writes_in_window(WINDOW).values()) > PER_WINDOW
