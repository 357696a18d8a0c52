"""Fixtures for handler tests: Records on SQLite and PostgreSQL, and the in-memory GitHub."""

from __future__ import annotations

import pytest

from tests.support.fake_github import FakeGitHub


@pytest.fixture
def github() -> FakeGitHub:
    return FakeGitHub()
