"""Fixtures of the ConfigLoader tests: a fake GitHub, a settable clock and a loader that uses it."""

from __future__ import annotations

import pytest

from bot.repo_config.loader import ConfigLoader
from tests.bot.repo_config.loader_support import Clock
from tests.support.fake_github import FakeGitHub


@pytest.fixture
def github() -> FakeGitHub:
    return FakeGitHub()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def loader(clock: Clock) -> ConfigLoader:
    return ConfigLoader(fresh_for=60, clock=clock)
