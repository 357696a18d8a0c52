"""CLI tests run commands in this process: a command that sets up logging (serve, worker, backfill) must
not leave its levels and handlers to the tests that follow."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

NOISY = ("urllib3", "github", "github.Requester")  # loggers configure_logging quiets


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in NOISY}
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)
