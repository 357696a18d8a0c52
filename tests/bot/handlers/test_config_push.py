"""on_push: invalidate the cached config, validate a changed file, report a check run on the commit."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from bot.errors import PermanentFailure, RetryLater
from bot.handlers.config_push import CHECK_NAME, check_run_text, on_push, touches_config
from bot.handlers.context import HandlerContext
from bot.repo_config.loader import ConfigLoader
from bot.repo_config.model import CONFIG_PATH
from tests.bot.handlers.factories import context, event
from tests.support.fake_github import FakeGitHub

REPO = "octo/app"
SHA = "a" * 40


def push(
    *,
    ref: str = "refs/heads/main",
    added: tuple[str, ...] = (),
    modified: tuple[str, ...] = (CONFIG_PATH,),
    removed: tuple[str, ...] = (),
    repo: str = REPO,
    deleted: bool = False,
) -> dict[str, Any]:
    commit = {"id": SHA, "added": list(added), "modified": list(modified), "removed": list(removed)}
    return {
        "ref": ref,
        "before": "b" * 40,
        "after": "0" * 40 if deleted else SHA,
        "deleted": deleted,
        "commits": [] if deleted else [commit],
        "head_commit": None if deleted else commit,
        "repository": {"full_name": repo, "default_branch": "main"},
        "installation": {"id": 42},
    }


def ctx_for(github: FakeGitHub | None, loader: ConfigLoader, *, dry_run: bool = False) -> HandlerContext:
    return context(None, github, configs=loader, dry_run=dry_run)  # type: ignore[arg-type]


@pytest.fixture
def github() -> FakeGitHub:
    return FakeGitHub()


@pytest.fixture
def loader() -> ConfigLoader:
    return ConfigLoader(fresh_for=3600)  # only invalidation can make it look again


def test_a_valid_config_gets_a_successful_check_run(github: FakeGitHub, loader: ConfigLoader) -> None:
    github.files[(REPO, CONFIG_PATH)] = "comment: false\n"
    on_push(event(push(), name="push"), ctx_for(github, loader))
    (run,) = github.check_runs
    assert (run.repo, run.head_sha, run.name, run.conclusion) == (REPO, SHA, CHECK_NAME, "success")
    assert run.title == "Configuration is valid"
    assert "comment: off" in run.summary


def test_an_invalid_config_gets_a_failed_check_run_with_each_message(
    github: FakeGitHub, loader: ConfigLoader
) -> None:
    github.files[(REPO, CONFIG_PATH)] = "thresholds: {ptm: high}\nenabeld: false\n"
    on_push(event(push(), name="push"), ctx_for(github, loader))
    (run,) = github.check_runs
    assert (run.conclusion, run.head_sha) == ("failure", SHA)
    assert run.title == f"{CONFIG_PATH} is invalid (2 problems)"
    assert 'thresholds.ptm: expected a number between 0 and 1, got "high"' in run.summary
    assert 'enabeld: unknown key; did you mean "enabled"?' in run.summary
    assert "keeps using the defaults" in run.summary


def test_a_push_replaces_the_cached_config_and_a_broken_one_keeps_the_last_valid(
    github: FakeGitHub, loader: ConfigLoader
) -> None:
    github.files[(REPO, CONFIG_PATH)] = "dry_run: true\n"
    assert loader.load(github, REPO).config.dry_run
    github.files[(REPO, CONFIG_PATH)] = "dry_run: false\n"
    assert loader.load(github, REPO).config.dry_run  # cached until the push says otherwise
    on_push(event(push(), name="push"), ctx_for(github, loader))
    assert not loader.load(github, REPO).config.dry_run
    github.files[(REPO, CONFIG_PATH)] = "dry_run: maybe\n"
    on_push(event(push(), name="push"), ctx_for(github, loader))
    result = loader.load(github, REPO)
    assert result.error is not None and result.config.dry_run is False
    assert "keeps using the last valid configuration" in github.check_runs[-1].summary


def test_removing_the_file_reports_the_defaults(github: FakeGitHub, loader: ConfigLoader) -> None:
    on_push(event(push(modified=(), removed=(CONFIG_PATH,)), name="push"), ctx_for(github, loader))
    (run,) = github.check_runs
    assert (run.conclusion, run.title) == ("success", "No configuration file: the defaults apply")


@pytest.mark.parametrize(
    "payload",
    [
        push(modified=("README.md",)),  # the default branch, another file
        push(ref="refs/heads/feature"),  # another branch
        push(ref="refs/tags/v1"),  # a tag
        push(deleted=True),  # a deleted branch
        {"ref": "refs/heads/main"},  # no repository
    ],
)
def test_pushes_that_do_not_change_the_config_write_nothing(
    github: FakeGitHub, loader: ConfigLoader, payload: dict[str, Any]
) -> None:
    on_push(event(payload, name="push"), ctx_for(github, loader))
    assert github.check_runs == [] and github.writes() == []
    assert "read_file" not in github.call_names()


def test_any_push_to_the_default_branch_invalidates(github: FakeGitHub, loader: ConfigLoader) -> None:
    github.files[(REPO, CONFIG_PATH)] = "_extends: base:ptm/base.yml\n"
    github.files[("octo/base", "ptm/base.yml")] = "dry_run: true\n"
    assert loader.load(github, REPO).config.dry_run
    github.files[("octo/base", "ptm/base.yml")] = "dry_run: false\n"
    on_push(event(push(repo="octo/base", modified=("ptm/base.yml",)), name="push"), ctx_for(github, loader))
    assert github.check_runs == []  # not the config path: nothing to report on that commit
    assert not loader.load(github, REPO).config.dry_run


def test_dry_run_and_missing_credentials_report_nothing(github: FakeGitHub, loader: ConfigLoader) -> None:
    github.files[(REPO, CONFIG_PATH)] = "enabled: 3\n"
    on_push(event(push(), name="push"), ctx_for(github, loader, dry_run=True))
    on_push(event(push(), name="push"), ctx_for(None, loader))
    assert github.check_runs == []


def test_a_missing_checks_permission_does_not_fail_the_job(github: FakeGitHub, loader: ConfigLoader) -> None:
    github.fail("create_check_run", PermanentFailure("403 Resource not accessible by integration"))
    on_push(event(push(), name="push"), ctx_for(github, loader))
    assert github.check_runs == []


def test_a_transient_failure_is_retried(github: FakeGitHub, loader: ConfigLoader) -> None:
    github.fail("create_check_run", RetryLater("502", delay=1))
    with pytest.raises(RetryLater):
        on_push(event(push(), name="push"), ctx_for(github, loader))


def test_touches_config_reads_every_commit_and_the_head_commit() -> None:
    assert touches_config({"commits": [{"added": [CONFIG_PATH]}]})
    assert touches_config({"commits": [{"modified": ["x"]}, {"removed": [CONFIG_PATH]}]})
    assert touches_config({"commits": [], "head_commit": {"modified": [CONFIG_PATH]}})
    assert not touches_config({"commits": [{"modified": [".github/other.yml", "ptm-triage.yml"]}]})
    assert not touches_config({"commits": "junk", "head_commit": 3})


def test_messages_cannot_mention_or_format(github: FakeGitHub, loader: ConfigLoader) -> None:
    github.files[(REPO, CONFIG_PATH)] = "'@octocat ```\\n# hi': 1\n"
    on_push(event(push(), name="push"), ctx_for(github, loader))
    summary = github.check_runs[0].summary
    fence_open = summary.index("````text")  # longer than any backtick run inside
    assert "@octocat" in summary[fence_open:]
    ok = check_run_text(loader.load(github, "octo/none"))[1]
    assert "@" not in ok


def test_real_push_deliveries_run_cleanly(
    github: FakeGitHub, loader: ConfigLoader, webhook_examples: Callable[..., list[Any]]
) -> None:
    examples = webhook_examples("push")
    for example in examples:
        on_push(event(example.payload, name="push"), ctx_for(github, loader))
    assert github.check_runs == []  # none of them touches the config file
    branch_push = next(e.payload for e in examples if e.payload["ref"] == "refs/heads/master")
    payload = copy.deepcopy(branch_push)
    payload["commits"][0]["modified"].append(CONFIG_PATH)
    repo = payload["repository"]["full_name"]
    github.files[(repo, CONFIG_PATH)] = "skip_labels: [wontfix]\n"
    on_push(event(payload, name="push"), ctx_for(github, loader))
    (run,) = github.check_runs
    assert (run.repo, run.head_sha, run.conclusion) == (repo, payload["after"], "success")


def test_over_http_the_check_run_reaches_github(github_double: Any) -> None:
    """The real adapter against the HTTP double (which checks each request against GitHub's OpenAPI)."""
    from bot.github.client import AppClientFactory
    from bot.settings import Settings

    gh = github_double
    settings = Settings(
        app_id=gh.app_id, private_key=gh.private_key_pem, webhook_secret="x", github_api_url=gh.url
    )
    client = AppClientFactory(settings).for_installation(gh.installation_id)
    gh.put_file(gh.repo, CONFIG_PATH, "thresholds: {ptm: high}\n")
    ctx = context(None, client, configs=ConfigLoader())  # type: ignore[arg-type]
    on_push(event(push(repo=gh.repo), name="push"), ctx)
    (run,) = gh.world.check_runs
    assert (run.repo, run.head_sha, run.conclusion) == (gh.repo, SHA, "failure")
    assert 'thresholds.ptm: expected a number between 0 and 1, got "high"' in run.summary
