"""ConfigLoader: org fallback, `_extends` chains and loops, broken files, ETag caching, invalidation."""

from __future__ import annotations

import pytest

from bot.repo_config.loader import MAX_EXTENDS, ConfigLoader, ConfigResult
from bot.repo_config.model import CONFIG_PATH, default_config
from tests.bot.repo_config.loader_support import ORG, REPO, put, reads
from tests.support.fake_github import FakeGitHub


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
