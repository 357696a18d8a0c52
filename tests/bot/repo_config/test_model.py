"""YAML text -> RepoConfig: defaults, every key's effect, `_extends` merging, cross-key errors."""

from __future__ import annotations

from typing import Any

import pytest

from bot.repo_config.model import (
    CategoryConfig,
    CommentConfig,
    RepoConfig,
    Triggers,
    build_config,
    default_config,
    merge_documents,
    parse_config,
)
from bot.repo_config.summary import summary_lines
from classifier.taxonomy import DocLink, load_taxonomy


def _parse(text: str) -> RepoConfig:
    result = parse_config(text)
    assert isinstance(result, RepoConfig), result
    return result


def test_empty_file_means_the_defaults() -> None:
    assert _parse("") == default_config()
    assert _parse("# nothing yet\n") == default_config()


def test_defaults_follow_the_taxonomy() -> None:
    taxonomy = load_taxonomy()
    config = default_config(taxonomy)
    assert config.enabled and not config.dry_run and config.skip_bots
    assert config.ptm_label_name == taxonomy.ptm_label.name
    assert list(config.categories) == list(taxonomy.slugs)
    usage = config.categories["model-usage"]
    assert usage.label == taxonomy.get("model-usage").label.name
    assert usage.docs == taxonomy.get("model-usage").docs
    assert config.comment == CommentConfig()
    assert config.triggers == Triggers()
    assert (config.ptm_threshold, config.category_threshold) == (None, None)


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("enabled: false", lambda c: c.enabled is False),
        ("dry_run: true", lambda c: c.dry_run is True),
        ("ptm_label: false", lambda c: c.ptm_label is None and c.ptm_label_name is None),
        ("ptm_label: PTM", lambda c: c.ptm_label_name == "PTM"),
        (
            "ptm_label: {color: '#ABCDEF', description: Mine}",
            lambda c: (
                (c.ptm_label_name, c.ptm_label_color, c.ptm_label_description)
                == (load_taxonomy().ptm_label.name, "abcdef", "Mine")
            ),
        ),
        (
            "label_prefix: 'triage/'",
            lambda c: (
                c.label_for("model-usage") == "triage/ptm: model usage"
                and c.ptm_label_name == "triage/pre-trained model"
            ),
        ),
        ("thresholds: {ptm: 0.9}", lambda c: (c.ptm_threshold, c.category_threshold) == (0.9, None)),
        ("thresholds: {category: 1}", lambda c: c.category_threshold == 1.0),
        ("comment: false", lambda c: c.comment == CommentConfig(enabled=False)),
        (
            "comment: {intro: Hello!, delete_on_reject: true}",
            lambda c: c.comment == CommentConfig(True, "Hello!", True),
        ),
        (
            "comment: {summary: false, models: false, checklist: false, docs: false, correction: false}",
            lambda c: c.comment == CommentConfig(
                summary=False, models=False, checklist=False, docs=False, correction=False
            ),
        ),
        ("comment: {similar: false}", lambda c: not c.comment.similar and not c.comment.similar_across_repositories),
        (
            "comment: {similar: {across_repositories: true}}",
            lambda c: c.comment.similar and c.comment.similar_across_repositories,
        ),
        (
            "comment: {similar: {enabled: false, across_repositories: true}}",
            lambda c: not c.comment.similar and c.comment.similar_across_repositories,
        ),
        ("skip_bots: false", lambda c: c.skip_bots is False),
        ("skip_authors: [Alice, 'renovate[bot]']", lambda c: c.skip_authors == ("Alice", "renovate[bot]")),
        ("skip_labels: [wontfix]", lambda c: c.skip_labels == ("wontfix",)),
        (
            "triggers: {opened: false, edited_within_minutes: 30}",
            lambda c: c.triggers == Triggers(opened=False, reopened=True, edited_within_minutes=30),
        ),
        ("categories: {documentation: false}", lambda c: not c.categories["documentation"].enabled),
        ("categories: {documentation: true}", lambda c: c.categories["documentation"].enabled),
        (
            "categories: {model-usage: {label: usage, color: '#00FF00', description: How to use it}}",
            lambda c: (
                c.categories["model-usage"]
                == CategoryConfig(
                    "usage", "00ff00", "How to use it", True, default_config().categories["model-usage"].docs
                )
            ),
        ),
    ],
)
def test_each_key_takes_effect(text: str, check: Any) -> None:
    assert check(_parse(text))


def test_extra_docs_follow_the_taxonomy_links_without_duplicates() -> None:
    defaults = load_taxonomy().get("hardware-resources").docs
    config = _parse(
        "categories:\n"
        "  hardware-resources:\n"
        "    docs:\n"
        "      - {title: Our GPU guide, url: 'https://example.org/gpu'}\n"
        f"      - {{title: Again, url: '{defaults[0].url}'}}\n"
        "      - {title: Our GPU guide, url: 'https://example.org/gpu'}\n"
    )
    assert config.categories["hardware-resources"].docs == (
        *defaults,
        DocLink("Our GPU guide", "https://example.org/gpu"),
    )
    assert config.categories["model-usage"].docs == load_taxonomy().get("model-usage").docs


@pytest.mark.parametrize(
    ("base", "override", "merged"),
    [
        ({}, {}, {}),
        ({"enabled": True}, {}, {"enabled": True}),
        ({}, {"enabled": False}, {"enabled": False}),
        ({"enabled": True}, {"enabled": False}, {"enabled": False}),
        (
            {"comment": {"intro": "hi"}},
            {"comment": {"enabled": False}},
            {"comment": {"intro": "hi", "enabled": False}},
        ),
        ({"comment": {"intro": "hi"}}, {"comment": False}, {"comment": False}),  # shorthand replaces
        ({"comment": False}, {"comment": {"intro": "hi"}}, {"comment": {"intro": "hi"}}),
        ({"skip_labels": ["a", "b"]}, {"skip_labels": ["c"]}, {"skip_labels": ["c"]}),  # lists replace
        (
            {"categories": {"model-usage": {"label": "u", "color": "000000"}, "documentation": False}},
            {"categories": {"model-usage": {"color": "ffffff"}}},
            {"categories": {"model-usage": {"label": "u", "color": "ffffff"}, "documentation": False}},
        ),
        (
            {"thresholds": {"ptm": 0.8, "category": 0.9}},
            {"thresholds": {"ptm": 0.95}},
            {"thresholds": {"ptm": 0.95, "category": 0.9}},
        ),
    ],
)
def test_merge_documents_repo_file_wins_and_mappings_merge(
    base: dict[str, Any], override: dict[str, Any], merged: dict[str, Any]
) -> None:
    before = repr(base), repr(override)
    assert merge_documents(base, override) == merged
    assert (repr(base), repr(override)) == before  # inputs untouched


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "label_prefix: 'xxxxxxxxxxxxxxxxxxxx'\nptm_label: '" + "y" * 40 + "'",
            "ptm_label: with label_prefix the label is 60 characters",
        ),
        (
            "categories: {model-usage: {label: 'ptm: hardware'}}",
            'categories.hardware-resources.label: "ptm: hardware" is also the label of '
            "categories.model-usage.label",
        ),
        (
            "ptm_label: 'PTM: Hardware'\ncategories: {hardware-resources: {label: 'ptm: hardware'}}",
            "is also the label of ptm_label",
        ),
    ],
)
def test_cross_key_errors(text: str, expected: str) -> None:
    errors = parse_config(text)
    assert isinstance(errors, list) and len(errors) == 1
    assert errors[0].startswith(expected) or expected in errors[0], errors


def test_a_disabled_category_may_share_a_label() -> None:
    config = _parse("categories: {model-usage: {label: 'ptm: hardware'}, hardware-resources: false}")
    assert config.label_for("model-usage") == "ptm: hardware"


def test_errors_from_every_stage_are_lists_of_messages() -> None:
    (syntax,) = parse_config("enabled: [1")
    assert syntax.startswith("invalid YAML at line ") and "expected ',' or ']'" in syntax
    assert parse_config("enabled: nope\ndry_run: 3") == [
        "dry_run: expected true or false, got 3",
        'enabled: expected true or false, got "nope"',
    ]


def test_build_config_ignores_extends_key() -> None:
    assert build_config({"_extends": ".github", "enabled": False}).enabled is False


def test_summary_lines_describe_the_effective_config() -> None:
    config = _parse(
        "ptm_label: false\ncomment: {intro: Hi}\ncategories: {documentation: false}\n"
        "thresholds: {ptm: 0.9}\npolicy: eager\nprecision: {category: 0.8}\nskip_authors: [alice]\n"
        "triggers: {reopened: false, edited_within_minutes: 15}"
    )
    text = "\n".join(summary_lines(config))
    for fragment in (
        "PTM label: none",
        "disabled categories: documentation",
        "thresholds: PTM 0.9 (expert override); category from the policy",
        "policy: eager; category precision 0.8",
        "comment: on, custom intro",
        "skipped: bot authors; authors alice",
        "triggers: opened, edited within 15 minutes of opening",
    ):
        assert fragment in text
    assert "model-usage -> ptm: model usage" in text


def test_summary_lines_name_the_comment_parts_turned_off() -> None:
    config = parse_config("comment: {docs: false, correction: false, similar: {across_repositories: true}}")
    assert isinstance(config, RepoConfig)
    assert "comment: on, without docs, correction, similar issues across repositories" in summary_lines(config)
