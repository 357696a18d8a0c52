"""ConfigLoader's cache: ETag revalidation, invalidation, concurrent loads, the recorded status, and 304s over
HTTP."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from bot.errors import PermanentFailure, RetryLater
from bot.repo_config.loader import ConfigLoader, ConfigResult
from bot.repo_config.model import CONFIG_PATH, default_config
from bot.store.config_status import ConfigStatusStore
from bot.store.engine import create_schema, make_engine
from tests.bot.repo_config.loader_support import ORG, REPO, Clock, put, reads
from tests.support.fake_github import FakeGitHub


def test_within_fresh_for_no_request_is_made(loader: ConfigLoader, github: FakeGitHub, clock: Clock) -> None:
    put(github, REPO, "dry_run: true")
    first = loader.load(github, REPO)
    clock.now += 59
    assert loader.load(github, REPO) is first
    assert len(reads(github)) == 1


def test_revalidation_sends_the_etag_and_a_304_reuses_the_cached_text(
    loader: ConfigLoader, github: FakeGitHub, clock: Clock
) -> None:
    put(github, REPO, "dry_run: true")
    first = loader.load(github, REPO)
    clock.now += 61
    second = loader.load(github, REPO)
    (_, _, no_etag), (_, _, etag) = reads(github)
    assert no_etag is None and etag is not None
    assert second is first  # 304: the cached text, the same parsed config


def test_a_changed_file_is_seen_after_revalidation(
    loader: ConfigLoader, github: FakeGitHub, clock: Clock
) -> None:
    put(github, REPO, "dry_run: true")
    loader.load(github, REPO)
    put(github, REPO, "dry_run: false")
    clock.now += 61
    assert loader.load(github, REPO).config.dry_run is False


def test_invalidate_forces_revalidation_at_once(loader: ConfigLoader, github: FakeGitHub) -> None:
    put(github, REPO, "dry_run: true")
    loader.load(github, REPO)
    put(github, REPO, "dry_run: false")
    assert loader.load(github, REPO).config.dry_run is True  # still fresh
    loader.invalidate(REPO)
    assert loader.load(github, REPO).config.dry_run is False


def test_invalidating_the_org_repository_refreshes_every_repository_using_it(
    loader: ConfigLoader, github: FakeGitHub
) -> None:
    put(github, ORG, "comment: false")
    put(github, "octo/other", "_extends: .github")
    loader.load(github, REPO)
    loader.load(github, "octo/other")
    loader.load(github, "else/where")
    put(github, ORG, "comment: true")
    loader.invalidate(ORG)
    calls_before = len(reads(github))
    assert loader.load(github, REPO).config.comment.enabled
    assert loader.load(github, "octo/other").config.comment.enabled
    loader.load(github, "else/where")
    assert len(reads(github)) == calls_before + 4  # app: own + org; other: own + org; else/where: cached


def test_an_invalidation_during_a_load_is_not_lost(loader: ConfigLoader, github: FakeGitHub) -> None:
    put(github, REPO, "dry_run: true")
    original = github.read_file

    def read_then_push(repo: str, path: str, etag: str | None = None) -> Any:
        content = original(repo, path, etag)
        put(github, REPO, "dry_run: false")  # a push lands after our read...
        loader.invalidate(REPO)  # ...and its handler invalidates before we store what we read
        return content

    github.read_file = read_then_push  # type: ignore[method-assign]
    assert loader.load(github, REPO).config.dry_run is True
    github.read_file = original  # type: ignore[method-assign]
    assert loader.load(github, REPO).config.dry_run is False


def test_github_unavailable_uses_the_cached_config_or_retries_later(
    loader: ConfigLoader, github: FakeGitHub
) -> None:
    github.fail("read_file", RetryLater("502", delay=5))
    with pytest.raises(RetryLater):
        loader.load(github, REPO)  # never seen: guessing could do the wrong thing
    put(github, REPO, "dry_run: true")
    cached = loader.load(github, REPO)
    loader.invalidate(REPO)
    github.fail("read_file", RetryLater("502", delay=5))
    assert loader.load(github, REPO) is cached


def test_an_unreadable_file_is_a_config_error(loader: ConfigLoader, github: FakeGitHub) -> None:
    github.fail("read_file", PermanentFailure("too large for the contents API"))
    result = loader.load(github, REPO)
    assert result.errors == (f"{REPO}:{CONFIG_PATH}: cannot be read: too large for the contents API",)
    assert result.config == default_config()


def test_concurrent_loads_agree(github: FakeGitHub) -> None:
    loader = ConfigLoader(fresh_for=0)
    put(github, ORG, "dry_run: true")
    results: list[ConfigResult] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for i in range(30):
                results.append(loader.load(github, f"octo/r{i % 5}"))
                if i % 7 == 0:
                    loader.invalidate(ORG)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 180 and all(r.config.dry_run and r.error is None for r in results)


def test_status_is_recorded_when_the_outcome_changes(github: FakeGitHub, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    create_schema(engine)
    status = ConfigStatusStore(engine)
    loader = ConfigLoader(status=status, fresh_for=0)
    put(github, REPO, "dry_run: true")
    loader.load(github, REPO)
    first = status.get(REPO)
    assert first is not None and first.ok and first.error is None and first.sha is None
    loader.load(github, REPO)
    assert status.get(REPO) == first  # same outcome: no write
    put(github, REPO, "dry_run: 3")
    loader.load(github, REPO, sha="abc123")
    broken = status.get(REPO)
    assert broken is not None and not broken.ok and broken.sha == "abc123"
    assert broken.error == "dry_run: expected true or false, got 3"
    assert [s.repo for s in status.recent(failing_only=True)] == [REPO]


CONTENTS = "/repos/{owner}/{repo}/contents/{path}"


def test_over_http_a_304_costs_no_content_fetch_and_no_rate_limit(github_double: Any) -> None:
    """The real adapter against the HTTP GitHub double: the second load is a conditional GET answered
    304 (no body, rate limit untouched); a changed file is fetched again; the org fallback is read."""
    from bot.github.client import AppClientFactory
    from bot.settings import Settings

    gh = github_double
    settings = Settings(
        app_id=gh.app_id, private_key=gh.private_key_pem, webhook_secret="x", github_api_url=gh.url
    )
    client = AppClientFactory(settings).for_installation(gh.installation_id)
    gh.put_file(gh.repo, CONFIG_PATH, "comment: false\n")
    loader = ConfigLoader(fresh_for=0)

    before = gh.world.rate_remaining[gh.installation_id]
    first = loader.load(client, gh.repo)
    remaining = gh.world.rate_remaining[gh.installation_id]
    assert remaining < before  # a 200 is charged...
    second = loader.load(client, gh.repo)
    assert first.error is None and not first.config.comment.enabled
    assert second is first
    assert [c["status"] for c in gh.api_calls("GET", CONTENTS)] == [200, 304]
    assert gh.world.rate_remaining[gh.installation_id] == remaining  # ...a 304 is not

    gh.put_file(gh.repo, CONFIG_PATH, "comment: true\n")
    assert loader.load(client, gh.repo).config.comment.enabled
    assert [c["status"] for c in gh.api_calls("GET", CONTENTS)] == [200, 304, 200]

    gh.delete_file(gh.repo, CONFIG_PATH)
    gh.add_repo(f"{gh.account}/.github", gh.installation_id)
    gh.put_file(f"{gh.account}/.github", CONFIG_PATH, "dry_run: true\n")
    fallback = loader.load(client, gh.repo)
    assert fallback.config.dry_run and fallback.source == f"{gh.account}/.github:{CONFIG_PATH}"
