"""The bounded, persistent configuration cache: the last valid configuration and its files' ETags stay in
the store across a restart (a new runtime on the same database), so the first read after it is a 304 and a
file broken meanwhile still gets the last valid configuration; least recently used repositories go first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.repo_config.loader import ConfigLoader, ConfigResult
from bot.repo_config.lru import LruDict
from bot.repo_config.model import CONFIG_PATH
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.store.config_cache import CachedFile, ConfigCacheStore
from bot.store.engine import create_schema, make_engine
from tests.bot.handlers.factories import FakePredictor
from tests.support.fake_github import FakeGitHub
from tests.support.github_fixtures import GitHubDoubleHandle

CONTENTS = "/repos/{owner}/{repo}/contents/{path}"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        self.now += 100  # every use is a little later: least recently used is well defined
        return self.now


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    create_schema(made)
    yield made
    made.dispose()


def test_the_store_keeps_a_repositorys_files(engine: Engine) -> None:
    cache = ConfigCacheStore(engine)
    files = [CachedFile("octo/app", CONFIG_PATH, None, None), CachedFile("octo/.github", CONFIG_PATH, '"e1"', "a: 1")]
    assert cache.get("octo/app") is None
    cache.put("octo/app", files)
    assert cache.get("octo/app") == tuple(files)
    cache.put("octo/app", files[1:])  # a newer valid configuration replaces the row
    assert cache.get("octo/app") == tuple(files[1:])


def test_beyond_capacity_the_least_recently_used_repository_goes(engine: Engine) -> None:
    cache = ConfigCacheStore(engine, capacity=3, clock=Clock())
    one = [CachedFile("x", CONFIG_PATH, '"e"', "a: 1")]
    for repo in ("o/a", "o/b", "o/c"):
        cache.put(repo, one)
    assert cache.get("o/a") is not None  # used again: o/b is now the least recently used
    cache.put("o/d", one)
    assert cache.count() == 3
    assert cache.get("o/b") is None
    assert all(cache.get(repo) is not None for repo in ("o/a", "o/c", "o/d"))


def test_the_loaders_memory_is_bounded_too() -> None:
    lru: LruDict[str, int] = LruDict(2)
    lru["a"], lru["b"] = 1, 2
    assert lru.get("a") == 1
    lru["c"] = 3
    assert list(lru) == ["a", "c"]
    github = FakeGitHub()
    loader = ConfigLoader(capacity=2)
    for n in range(5):
        loader.load(github, f"octo/r{n}")
    assert len(loader._entries) == 2  # the bound is the point of this test


def runtime_on(gh: GitHubDoubleHandle, database_url: str) -> Runtime:
    """A fresh process's runtime on the same database: nothing in memory but what the store kept."""
    settings = Settings(app_id=gh.app_id, private_key=gh.private_key_pem, webhook_secret="x",
                        github_api_url=gh.url, database_url=database_url)
    return build_runtime(settings, predictor=FakePredictor())


def load(runtime: Runtime, gh: GitHubDoubleHandle) -> ConfigResult:
    assert runtime.github_factory is not None
    return runtime.configs.load(runtime.github_factory.for_installation(gh.installation_id), gh.repo)


def test_after_a_restart_the_first_read_is_a_304(github_double: GitHubDoubleHandle, database_url: str) -> None:
    gh = github_double
    gh.put_file(gh.repo, CONFIG_PATH, "comment: false\n")
    first = runtime_on(gh, database_url)
    before = load(first, gh)
    first.close()

    restarted = runtime_on(gh, database_url)
    try:
        after = load(restarted, gh)
    finally:
        restarted.close()
    assert before.error is None and not before.config.comment.enabled
    assert after.error is None and after.config == before.config
    assert [call["status"] for call in gh.api_calls("GET", CONTENTS)] == [200, 304]


def test_a_file_broken_during_a_restart_keeps_the_last_valid_configuration(
    github_double: GitHubDoubleHandle, database_url: str
) -> None:
    gh = github_double
    gh.put_file(gh.repo, CONFIG_PATH, "comment: false\n")
    first = runtime_on(gh, database_url)
    valid = load(first, gh)
    first.close()
    gh.put_file(gh.repo, CONFIG_PATH, "comment: [unclosed\n")

    restarted = runtime_on(gh, database_url)
    try:
        broken = load(restarted, gh)
    finally:
        restarted.close()
    assert broken.error is not None
    assert broken.config == valid.config and not broken.config.comment.enabled
    assert broken.fallback is not None and "last valid" in broken.fallback
