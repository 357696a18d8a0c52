"""Fixtures shared by the whole suite live in tests/support/ and are registered here as plugins."""

pytest_plugins = [
    "tests.support.services",
    "tests.support.github_fixtures",
]
