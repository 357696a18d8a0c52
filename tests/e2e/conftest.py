"""Fixtures of the end-to-end tests: the real App in its own process, pointed at the GitHub double."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import AppServer
from tests.support.github_fixtures import GitHubDoubleHandle


@pytest.fixture
def app_server(tmp_path: Path, github_double: GitHubDoubleHandle, webhook_secret: str) -> Iterator[AppServer]:
    server = AppServer(tmp_path, {
        "APP_ID": str(github_double.app_id),
        "PRIVATE_KEY": github_double.private_key_pem,
        "WEBHOOK_SECRET": webhook_secret,
        "GITHUB_API_URL": github_double.url,
    }).start()
    try:
        yield server
    finally:
        server.stop()
