"""app.yml -> GitHub App manifest (bot/registration/manifest.py) and `ptm-triage manifest` (bot/cli/manifest.py)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.cli import manifest as setup_commands
from bot.handlers.routing import default_router
from bot.registration.manifest import (
    ManifestError,
    build_manifest,
    is_placeholder,
    load_definition,
    new_app_url,
    normalise_base_url,
    parse_definition,
    web_url,
)
from tests.support.github_double.routes_manifest import manifest_problems
from tests.support.github_double.spec import ApiSpec

ROOT = Path(__file__).resolve().parents[3]
BASE = "https://triage.example.org"

VALID = """
name: my-triage
description: >-
  Triages issues.
url: https://example.com/home
hook_attributes:
  url: https://example.com/api/github/webhooks
public: false
default_events: [issues]
default_permissions:
  issues: write
  metadata: read
"""


def test_packaged_app_yml_is_the_top_level_one() -> None:
    # An installed ptm-triage has only bot/app.yml; it must say what the checkout's app.yml says.
    assert (ROOT / "bot" / "app.yml").read_bytes() == (ROOT / "app.yml").read_bytes()


def test_shipped_app_yml_asks_for_the_least() -> None:
    definition = load_definition()
    assert definition.name == "ptm-triage"
    assert dict(definition.default_permissions) == {
        "issues": "write", "metadata": "read", "contents": "read", "checks": "write",
    }  # fmt: skip
    assert set(definition.default_events) == {"issues", "push"}
    assert definition.public is False


def test_every_subscribed_event_has_a_handler() -> None:
    router = default_router()
    actions = {"issues": "opened", "push": None}
    for event in load_definition().default_events:
        assert router.handles(event, actions.get(event)), f"app.yml subscribes to {event} but nothing handles it"


def test_shipped_manifest_uses_real_permission_names_and_levels(github_spec: ApiSpec) -> None:
    manifest = build_manifest(load_definition(), BASE)
    schema = {**github_spec.components["schemas"]["app-permissions"], "additionalProperties": False}
    jsonschema.Draft4Validator(schema).validate(manifest["default_permissions"])
    assert manifest_problems(manifest) == []


def test_base_url_replaces_placeholders() -> None:
    manifest = build_manifest(load_definition(), BASE + "/")
    assert manifest["hook_attributes"] == {"url": f"{BASE}/api/github/webhooks", "active": True}
    assert manifest["redirect_url"] == f"{BASE}/setup/callback"
    assert manifest["url"] == BASE  # app.yml's example.com home page is a placeholder
    assert manifest["public"] is False
    assert manifest["default_events"] == ["issues", "push"]
    assert "pre-trained" in manifest["description"]
    assert "example.com" not in json.dumps(manifest)


def test_a_real_home_page_is_kept_and_the_webhook_url_can_be_overridden() -> None:
    definition = parse_definition(VALID.replace("https://example.com/home", "https://github.com/me/triage"))
    manifest = build_manifest(definition, BASE, webhook_url="https://smee.io/abc123")
    assert manifest["url"] == "https://github.com/me/triage"
    assert manifest["hook_attributes"]["url"] == "https://smee.io/abc123"
    assert manifest["redirect_url"] == f"{BASE}/setup/callback"


def test_without_a_base_url_the_manifest_keeps_app_yml_urls() -> None:
    manifest = build_manifest(parse_definition(VALID))
    assert manifest["url"] == "https://example.com/home"
    assert manifest["hook_attributes"]["url"] == "https://example.com/api/github/webhooks"
    assert "redirect_url" not in manifest
    assert manifest["default_permissions"] == {"issues": "write", "metadata": "read"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("name"), "name is required"),
        (lambda d: d.update(name="x" * 35), "at most 34"),
        (lambda d: d.pop("url"), "url is required"),
        (lambda d: d.update(url="javascript:alert(1)"), "url must be an http(s) URL"),
        (lambda d: d.pop("hook_attributes"), "hook_attributes must be a mapping"),
        (lambda d: d.update(hook_attributes={"active": True}), "hook_attributes.url is required"),
        (lambda d: d.pop("default_events"), "default_events must be a non-empty list"),
        (lambda d: d.update(default_events=["issues", "issues"]), "lists an event twice"),
        (lambda d: d.pop("default_permissions"), "default_permissions must map"),
        (lambda d: d.update(default_permissions={"issues": "owner"}), "default_permissions.issues must be"),
        (lambda d: d.update(public="yes"), "public must be true or false"),
    ],
)
def test_invalid_app_yml_is_refused_with_the_key_named(edit: Any, message: str) -> None:
    import yaml

    data = yaml.safe_load(VALID)
    edit(data)
    with pytest.raises(ManifestError, match=re.escape(message)):
        parse_definition(yaml.safe_dump(data))


@pytest.mark.parametrize("text", ["", "- a list\n", "name: [unclosed\n", "!!python/object:os.system x\n"])
def test_malformed_or_hostile_yaml_is_refused(text: str) -> None:
    with pytest.raises(ManifestError):
        parse_definition(text)


def test_unreadable_app_yml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read"):
        load_definition(tmp_path / "missing.yml")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://triage.example.org/", "https://triage.example.org"),
        ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
        ("https://host/prefix/", "https://host/prefix"),
    ],
)
def test_base_url_is_normalised(value: str, expected: str) -> None:
    assert normalise_base_url(value) == expected


@pytest.mark.parametrize("value", ["ftp://host", "host.example.org", "https://", "https://h/?a=1", "https://a b"])
def test_bad_base_url_is_refused(value: str) -> None:
    with pytest.raises(ManifestError):
        normalise_base_url(value)


@pytest.mark.parametrize(
    ("api", "web"),
    [
        ("https://api.github.com", "https://github.com"),
        ("https://github.corp.example/api/v3", "https://github.corp.example"),
        ("https://github.corp.example/api/v3/", "https://github.corp.example"),
        ("https://api.acme.ghe.com", "https://acme.ghe.com"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
    ],
)
def test_web_url_from_api_url(api: str, web: str) -> None:
    assert web_url(api) == web


def test_new_app_url_for_user_and_organisation() -> None:
    assert new_app_url("https://github.com") == "https://github.com/settings/apps/new"
    assert new_app_url("https://ghe.corp", "octo-org") == "https://ghe.corp/organizations/octo-org/settings/apps/new"


@pytest.mark.parametrize("org", ["a/b", "-lead", "trail-", "a--b", "x" * 40, "<script>", "a b"])
def test_bad_organisation_is_refused(org: str) -> None:
    with pytest.raises(ManifestError, match="organisation"):
        new_app_url("https://github.com", org)


def test_placeholders() -> None:
    assert is_placeholder("https://example.com/x") and is_placeholder("https://my.example.org")
    assert not is_placeholder("https://notexample.com") and not is_placeholder("https://github.com")


# -- ptm-triage manifest -------------------------------------------------------------------------------
def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ptm-triage")
    setup_commands.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code


def test_manifest_command_prints_the_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["manifest", "--base-url", BASE]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["hook_attributes"]["url"] == f"{BASE}/api/github/webhooks"
    assert manifest["redirect_url"] == f"{BASE}/setup/callback"
    assert manifest["default_permissions"]["issues"] == "write"


def test_manifest_command_without_base_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["manifest"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert "redirect_url" not in manifest and manifest["name"] == "ptm-triage"


def test_manifest_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["manifest", "--base-url", "not a url"]) == 2
    assert "base URL" in capsys.readouterr().err
    broken = tmp_path / "app.yml"
    broken.write_text("name: x\n", encoding="utf-8")
    assert _run(["manifest", "--app-yml", str(broken)]) == 1
    assert "hook_attributes" in capsys.readouterr().err
    assert _run(["manifest", "--webhook-url", "localhost:3000"]) == 2
