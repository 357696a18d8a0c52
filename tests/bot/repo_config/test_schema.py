"""The shipped schema, and messages that name the key path, what is expected and what was found."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bot.repo_config.model import default_config
from bot.repo_config.schema import describe, key_path, load_schema, schema_errors
from classifier.taxonomy import load_taxonomy


def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def _documented(schema: Any, path: str = "") -> list[str]:
    """Every property of the schema without a description (the schema is the documentation)."""
    missing = []
    for key, sub in schema.get("properties", {}).items():
        here = f"{path}.{key}" if path else key
        if "description" not in sub and "$ref" not in sub:
            missing.append(here)
        missing += _documented(sub, here)
    return missing


def test_every_top_level_key_is_documented_with_a_default() -> None:
    schema = load_schema()
    assert _documented(schema) == []
    for key, sub in schema["properties"].items():
        if key != "_extends":
            assert "default" in sub, key


def test_category_keys_and_defaults_follow_the_taxonomy() -> None:
    taxonomy = load_taxonomy()
    categories = load_schema()["properties"]["categories"]["properties"]
    assert list(categories) == list(taxonomy.slugs)
    defaults = default_config(taxonomy)
    for slug, sub in categories.items():
        assert sub["default"]["label"] == defaults.categories[slug].label
        assert sub["default"]["color"] == defaults.categories[slug].color
    assert load_schema()["properties"]["ptm_label"]["default"] == taxonomy.ptm_label.name


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"thresholds": {"ptm": "high"}}, 'thresholds.ptm: expected a number between 0 and 1, got "high"'),
        (
            {"thresholds": {"category": 1.5}},
            "thresholds.category: expected a number between 0 and 1, got 1.5",
        ),
        ({"thresholds": {"ptm": -0.1}}, "thresholds.ptm: expected a number between 0 and 1, got -0.1"),
        ({"thresholds": {"ptm": True}}, "thresholds.ptm: expected a number between 0 and 1, got true"),
        ({"thresholds": {"ptm": None}}, "thresholds.ptm: expected a number between 0 and 1, got nothing"),
        ({"thresholds": 0.9}, "thresholds: expected a mapping, got 0.9"),
        ({"enabled": "false"}, 'enabled: expected true or false, got "false"'),
        ({"dry_run": 1}, "dry_run: expected true or false, got 1"),
        ({"thresholdz": {}}, 'thresholdz: unknown key; did you mean "thresholds"?'),
        ({"zzz": 1}, "zzz: unknown key; expected one of: _extends, categories, comment"),
        ({"comment": {"enabled": "no"}}, 'comment.enabled: expected true or false, got "no"'),
        ({"comment": {"intro": ""}}, 'comment.intro: expected a text of 1 to 2000 characters, got ""'),
        (
            {"comment": {"delete_on_rejects": True}},
            'comment.delete_on_rejects: unknown key; did you mean "delete_on_reject"?',
        ),
        (
            {"comment": "maybe"},
            "comment: expected true, false, or a mapping with enabled, intro, delete_on_reject, summary, models, "
            'checklist, similar, docs, correction, got "maybe"',
        ),
        ({"comment": {"docs": "no"}}, 'comment.docs: expected true or false, got "no"'),
        (
            {"comment": {"similar": "yes"}},
            'comment.similar: expected true, false, or a mapping with enabled, across_repositories, got "yes"',
        ),
        (
            {"comment": {"similar": {"across_repos": True}}},
            'comment.similar.across_repos: unknown key; did you mean "across_repositories"?',
        ),
        ({"ptm_label": True}, "ptm_label: expected a label name, false (no PTM label), or a mapping"),
        ({"ptm_label": ""}, 'ptm_label: expected a label name of 1 to 50 characters, got ""'),
        ({"ptm_label": "x" * 51}, 'ptm_label: expected a label name of 1 to 50 characters, got "xxxx'),
        ({"ptm_label": {"name": 5}}, "ptm_label.name: expected a label name of 1 to 50 characters, got 5"),
        ({"ptm_label": {"colour": "ffffff"}}, 'ptm_label.colour: unknown key; did you mean "color"?'),
        ({"label_prefix": "x" * 21}, "label_prefix: expected a string of at most 20 characters"),
        (
            {"categories": {"model-usag": False}},
            'categories.model-usag: unknown key; did you mean "model-usage"?',
        ),
        (
            {"categories": {"model-usage": "off"}},
            "categories.model-usage: expected true, false, or a mapping",
        ),
        (
            {"categories": {"model-usage": {"color": "red"}}},
            "categories.model-usage.color: expected a color of six hex digits",
        ),
        (
            {"categories": {"model-usage": {"enable": False}}},
            'categories.model-usage.enable: unknown key; did you mean "enabled"?',
        ),
        (
            {"categories": {"documentation": {"docs": [{"title": "x", "url": "javascript:alert(1)"}]}}},
            "categories.documentation.docs[0].url: expected an http:// or https:// URL",
        ),
        (
            {"categories": {"documentation": {"docs": [{"url": "https://x.org"}]}}},
            "categories.documentation.docs[0]: 'title' is required",
        ),
        (
            {"categories": {"documentation": {"docs": [{"title": "t", "url": "https://x.org"}] * 11}}},
            "categories.documentation.docs: expected a list of 0 to 10 items, got 11 items",
        ),
        ({"skip_authors": "dependabot"}, 'skip_authors: expected a list, got "dependabot"'),
        ({"skip_authors": ["@alice"]}, 'skip_authors[0]: expected a GitHub login such as "octocat"'),
        ({"skip_labels": ["ok", 3]}, "skip_labels[1]: expected a label name of 1 to 50 characters, got 3"),
        (
            {"triggers": {"edited_within_minutes": 1.5}},
            "triggers.edited_within_minutes: expected a whole number of minutes between 0 and 1440, got 1.5",
        ),
        (
            {"triggers": {"edited_within_minutes": 100_000}},
            "triggers.edited_within_minutes: expected a whole number of minutes",
        ),
        ({"triggers": {"opend": True}}, 'triggers.opend: unknown key; did you mean "opened"?'),
        (
            {"_extends": "not a repo!"},
            '_extends: expected "repo", "owner/repo" or "owner/repo:path/to/file.yml"',
        ),
    ],
)
def test_messages_name_the_key_and_what_is_expected(document: dict[str, Any], expected: str) -> None:
    errors = schema_errors(document)
    assert len(errors) == 1, errors
    assert errors[0].startswith(expected), errors[0]


def test_every_problem_is_reported_sorted_by_key() -> None:
    errors = schema_errors({"triggers": {"opened": "y"}, "enabled": 3, "thresholds": {"ptm": 2}})
    assert [e.split(":")[0] for e in errors] == ["enabled", "thresholds.ptm", "triggers.opened"]


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"_extends": ".github"},
        {"_extends": "octo/config:ptm/triage.yml"},
        {"ptm_label": False},
        {"ptm_label": {"name": "PTM", "color": "#ABCDEF"}},
        {"comment": False},
        {"categories": {"documentation": False, "model-usage": {"label": "usage", "docs": []}}},
        {"skip_authors": ["renovate[bot]", "octo-cat"], "skip_labels": ["wontfix"]},
        {"triggers": {"edited_within_minutes": 30}, "thresholds": {"ptm": 1, "category": 0}},
    ],
)
def test_valid_documents_have_no_errors(document: dict[str, Any]) -> None:
    assert schema_errors(document) == []


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "nothing (an empty value)"),
        (False, "false"),
        (3, "3"),
        ("x" * 100, '"' + "x" * 37 + '..."'),
        ({"a": 1}, "a mapping"),
        ([1, 2], "a list of 2 items"),
    ],
)
def test_found_values_are_shown_short(value: object, shown: str) -> None:
    assert describe(value) == shown


def test_key_path() -> None:
    assert key_path(["categories", "model-usage", "docs", 0, "url"]) == "categories.model-usage.docs[0].url"
    assert key_path([]) == "(top level)"


def test_odd_unknown_keys_are_quoted_and_shortened() -> None:
    (message,) = schema_errors({"line\nbreak " + "x" * 100: 1})
    assert message.startswith('"line\\nbreak xxxxxxxx')
    assert "x" * 40 not in message
