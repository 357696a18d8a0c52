"""ConfigLoader: org fallback, `_extends` chains and loops, broken files, ETag caching, invalidation."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from bot.errors import PermanentFailure, RetryLater
from bot.repo_config.loader import MAX_EXTENDS, ConfigLoader, ConfigResult
from bot.repo_config.model import CONFIG_PATH, default_config
from bot.store.config_status import ConfigStatusStore
from bot.store.engine import create_schema, make_engine
from tests.support.fake_github import FakeGitHub

REPO = "octo/app"
ORG = "octo/.github"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def github() -> FakeGitHub:
    return FakeGitHub()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def loader(clock: Clock) -> ConfigLoader:
    return ConfigLoader(fresh_for=60, clock=clock)


def put(github: FakeGitHub, repo: str, text: str, path: str = CONFIG_PATH) -> None:
    github.files[(repo, path)] = text


def reads(github: FakeGitHub) -> list[tuple[str, str, str | None]]:
    return [args for name, args in github.calls if name == "read_file"]  # type: ignore[misc]


def test_without_github_the_defaults_apply(loader: ConfigLoader) -> None:
    result = loader.load(None, REPO)
    assert result == ConfigResult(default_config(), None, "defaults (no GitHub access)")


def test_no_file_anywhere_means_defaults(loader: ConfigLoader, github: FakeGitHub) -> None:
    result = loader.load(github, REPO)
    assert (result.config, result.error, result.source) == (default_config(), None, "defaults")
    assert [(r, p) for r, p, _ in reads(github)] == [(REPO, CONFIG_PATH), (ORG, CONFIG_PATH)]


def test_the_repository_file_applies_and_the_org_file_is_not_read(
    loader: ConfigLoader, github: FakeGitHub
) -> None:
    put(github, REPO, "dry_run: true\n")
    put(github, ORG, "enabled: false\n")
    result = loader.load(github, REPO)
    assert result.error is None and result.config.dry_run and result.config.enabled
    assert result.source == f"{REPO}:{CONFIG_PATH}"
    assert [r for r, _, _ in reads(github)] == [REPO]


def test_org_defaults_apply_when_the_repository_has_no_file(loader: ConfigLoader, github: FakeGitHub) -> None:
    put(github, ORG, "comment: false\n")
    result = loader.load(github, REPO)
    assert result.error is None and not result.config.comment.enabled
    assert result.source == f"{ORG}:{CONFIG_PATH}"


def test_the_org_repository_itself_reads_its_file_once(loader: ConfigLoader, github: FakeGitHub) -> None:
    assert loader.load(github, ORG).source == "defaults"
    assert [r for r, _, _ in reads(github)] == [ORG]


@pytest.mark.parametrize(
    ("files", "check", "source"),
    [
        (  # the usual: the repository extends the org defaults and overrides one key
            {REPO: "_extends: .github\ndry_run: true", ORG: "dry_run: false\ncomment: false"},
            lambda c: c.dry_run and not c.comment.enabled,
            f"{REPO}:{CONFIG_PATH} (extends {ORG}:{CONFIG_PATH})",
        ),
        (  # a sibling repository of the same owner
            {REPO: "_extends: shared", "octo/shared": "skip_labels: [wontfix]"},
            lambda c: c.skip_labels == ("wontfix",),
            f"{REPO}:{CONFIG_PATH} (extends octo/shared:{CONFIG_PATH})",
        ),
        (  # another owner, another path; mappings merge, the repository wins
            {
                REPO: "_extends: other/cfg:bots/ptm.yml\ncomment: {intro: Mine}",
                ("other/cfg", "bots/ptm.yml"): "comment: {intro: Theirs, delete_on_reject: true}",
            },
            lambda c: (c.comment.intro, c.comment.delete_on_reject) == ("Mine", True),
            f"{REPO}:{CONFIG_PATH} (extends other/cfg:bots/ptm.yml)",
        ),
        (  # a chain of three: each later file wins over the one it extends
            {
                REPO: "_extends: mid\nthresholds: {ptm: 0.9}",
                "octo/mid": "_extends: other/root\nthresholds: {category: 0.8}\nlabel_prefix: 'mid/'",
                "other/root": "thresholds: {ptm: 0.7, category: 0.7}\nlabel_prefix: 'root/'\ndry_run: true",
            },
            lambda c: (
                (c.ptm_threshold, c.category_threshold, c.label_prefix, c.dry_run) == (0.9, 0.8, "mid/", True)
            ),
            f"{REPO}:{CONFIG_PATH} (extends octo/mid:{CONFIG_PATH}, other/root:{CONFIG_PATH})",
        ),
        (  # a base that refers back to the owner uses ITS owner for a bare name
            {REPO: "_extends: other/mid", "other/mid": "_extends: base", "other/base": "enabled: false"},
            lambda c: not c.enabled,
            f"{REPO}:{CONFIG_PATH} (extends other/mid:{CONFIG_PATH}, other/base:{CONFIG_PATH})",
        ),
        (  # the org defaults may themselves extend another file
            {
                ORG: "_extends: policies:ptm.yml\ncomment: false",
                ("octo/policies", "ptm.yml"): "dry_run: true",
            },
            lambda c: c.dry_run and not c.comment.enabled,
            f"{ORG}:{CONFIG_PATH} (extends octo/policies:ptm.yml)",
        ),
    ],
)
def test_extends_chains(
    loader: ConfigLoader, github: FakeGitHub, files: dict[object, str], check: object, source: str
) -> None:
    for key, text in files.items():
        repo, path = key if isinstance(key, tuple) else (key, CONFIG_PATH)
        put(github, repo, text, path)
    result = loader.load(github, REPO)
    assert result.error is None, result.error
    assert check(result.config)  # type: ignore[operator]
    assert result.source == source


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({REPO: "_extends: app"}, f"_extends: loop: {REPO}:{CONFIG_PATH} -> {REPO}:{CONFIG_PATH}"),
        (
            {REPO: "_extends: a", "octo/a": "_extends: b", "octo/b": "_extends: octo/a"},
            f"_extends: loop: {REPO}:{CONFIG_PATH} -> octo/a:{CONFIG_PATH} -> octo/b:{CONFIG_PATH} "
            "-> octo/a:",
        ),
        (
            {REPO: "_extends: r1", **{f"octo/r{i}": f"_extends: r{i + 1}" for i in range(1, 10)}},
            f"_extends: more than {MAX_EXTENDS} files in the chain",
        ),
        (
            {REPO: "_extends: missing"},
            f"{REPO}:{CONFIG_PATH}: _extends: octo/missing:{CONFIG_PATH} does not exist "
            "or the app cannot read it",
        ),
        (
            {REPO: "_extends: base", "octo/base": "thresholds: {ptm: high}"},
            f'octo/base:{CONFIG_PATH}: thresholds.ptm: expected a number between 0 and 1, got "high"',
        ),
        ({REPO: "_extends: 'not valid!'"}, '_extends: expected "repo", "owner/repo" or'),
        (  # each file is fine alone; the merged labels are too long
            {
                REPO: "_extends: base\nlabel_prefix: 'xxxxxxxxxxxxxxxxxxxx'",
                "octo/base": "ptm_label: '" + "y" * 40 + "'",
            },
            "ptm_label: with label_prefix the label is 60 characters",
        ),
    ],
)
def test_broken_chains_are_reported_not_raised(
    loader: ConfigLoader, github: FakeGitHub, files: dict[str, str], expected: str
) -> None:
    for repo, text in files.items():
        put(github, repo, text)
    result = loader.load(github, REPO)
    assert result.error is not None and result.error.startswith(expected), result.error
    assert result.config == default_config()
    assert result.fallback == "the defaults"


def test_org_file_errors_name_the_org_file(loader: ConfigLoader, github: FakeGitHub) -> None:
    put(github, ORG, "enabled: maybe")
    result = loader.load(github, REPO)
    assert result.errors == (f'{ORG}:{CONFIG_PATH}: enabled: expected true or false, got "maybe"',)


def test_a_broken_file_keeps_the_last_valid_config(loader: ConfigLoader, github: FakeGitHub) -> None:
    put(github, REPO, "comment: false\n")
    good = loader.load(github, REPO)
    put(github, REPO, "comment: nope\nthresholds: {ptm: 2}\n")
    loader.invalidate(REPO)
    broken = loader.load(github, REPO)
    assert broken.config == good.config and not broken.config.comment.enabled
    assert broken.errors == (
        "comment: expected true, false, or a mapping with enabled, intro, delete_on_reject, summary, models, "
        'checklist, similar, docs, correction, got "nope"',
        "thresholds.ptm: expected a number between 0 and 1, got 2",
    )
    assert broken.error == "\n".join(broken.errors)
    assert broken.fallback == f"the last valid configuration ({REPO}:{CONFIG_PATH})"
    loader.invalidate(REPO)
    assert loader.load(github, REPO).config == good.config  # still broken, still the last valid one
    put(github, REPO, "comment: true\n")
    loader.invalidate(REPO)
    fixed = loader.load(github, REPO)
    assert fixed.error is None and fixed.config.comment.enabled


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
