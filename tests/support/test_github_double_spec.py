"""The OpenAPI index: schema rewriting, route matching, the on-disk cache, and the pinned description."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import npm_packages
from tests.support.github_double import spec as spec_module
from tests.support.github_double.api import ROUTES
from tests.support.github_double.spec import ApiSpec, build_index, to_json_schema

DESCRIPTION: dict[str, Any] = {
    "info": {"version": "1.1.4"},
    "paths": {
        "/repos/{owner}/{repo}/issues/{issue_number}": {"get": {"operationId": "issues/get"}, "patch": {}},
        "/repos/{owner}/{repo}/issues/comments": {"get": {}},
        "/repos/{owner}/{repo}/contents/{path}": {"get": {}},
        "/repos/{owner}/{repo}/labels": {
            "post": {
                "operationId": "issues/create-label",
                "parameters": [{"$ref": "#/components/parameters/owner"}],
                "requestBody": {"$ref": "#/components/requestBodies/label"},
                "responses": {"201": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/label"}}}},
                    "404": {"$ref": "#/components/responses/not_found"}},
            },
        },
    },
    "components": {
        "parameters": {"owner": {"name": "owner", "in": "path", "required": True,
                                 "schema": {"type": "string"}}},
        "requestBodies": {"label": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}}},
        "responses": {"not_found": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/basic-error"}}}}},
        "schemas": {
            "label": {"type": "object", "properties": {"owner": {"$ref": "#/components/schemas/user"}}},
            "user": {"type": "object", "nullable": True},
            "basic-error": {"type": "object"},
            "unrelated": {"type": "string"},
        },
    },
}


def test_nullable_becomes_a_null_type() -> None:
    assert to_json_schema({"type": "string", "nullable": True}) == {"type": ["string", "null"]}
    assert to_json_schema({"type": "string", "enum": ["a"], "nullable": True}) == {
        "type": ["string", "null"], "enum": ["a", None]}
    assert to_json_schema({"allOf": [{"$ref": "#/x"}], "nullable": True}) == {
        "anyOf": [{"allOf": [{"$ref": "#/x"}]}, {"type": "null"}]}


def test_documentation_keys_go_but_properties_named_like_them_stay() -> None:
    schema = {"type": "object", "description": "doc", "example": {}, "x-github": {},
              "properties": {"description": {"type": "string", "description": "doc"}}}
    assert to_json_schema(schema) == {"type": "object", "properties": {"description": {"type": "string"}}}


def test_index_resolves_references_and_keeps_only_reachable_schemas() -> None:
    index = build_index(DESCRIPTION, ["POST /repos/{owner}/{repo}/labels"])
    op = index["operations"]["POST /repos/{owner}/{repo}/labels"]
    assert op["parameters"] == [
        {"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}}]
    assert op["body_required"] is True and op["body"]["required"] == ["name"]
    assert op["responses"] == {"201": {"$ref": "#/components/schemas/label"},
                               "404": {"$ref": "#/components/schemas/basic-error"}}
    assert sorted(index["components"]["schemas"]) == ["basic-error", "label", "user"]
    assert index["paths"]["/repos/{owner}/{repo}/issues/{issue_number}"] == ["GET", "PATCH"]
    with pytest.raises(KeyError, match="not in GitHub's OpenAPI description"):
        build_index(DESCRIPTION, ["DELETE /repos/{owner}/{repo}/labels"])


def test_route_matching() -> None:
    index = build_index(DESCRIPTION, [])
    api = ApiSpec(index["version"], index["paths"], index["operations"], index["components"])
    assert api.match("/repos/o/r/issues/comments") == (
        "/repos/{owner}/{repo}/issues/comments", frozenset({"GET"}), {"owner": "o", "repo": "r"})
    template, _, params = api.match("/repos/o/r/issues/7") or ("", None, {})
    assert (template, params["issue_number"]) == ("/repos/{owner}/{repo}/issues/{issue_number}", "7")
    assert api.match("/repos/o/r/contents/.github/a%20b.yml") == (
        "/repos/{owner}/{repo}/contents/{path}", frozenset({"GET"}),
        {"owner": "o", "repo": "r", "path": ".github/a b.yml"})
    assert api.match("/repos/o/r/issues/7/extra") is None
    assert api.match("/repos/o") is None


def test_a_cached_index_is_used_without_fetching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = ("POST /repos/{owner}/{repo}/labels",)
    real_write = spec_module._write_atomically
    written: list[Path] = []

    def fetch_from_fixture(package: npm_packages.NpmPackage, root: Path | None = None) -> Path:
        target = tmp_path / "pkg"
        (target / "generated").mkdir(parents=True, exist_ok=True)
        (target / "generated" / "api.github.com.json").write_text(json.dumps(DESCRIPTION))
        return target

    def record_write(path: Path, data: Any) -> None:
        written.append(path)
        real_write(path, data)

    monkeypatch.setattr(npm_packages, "fetch", fetch_from_fixture)
    monkeypatch.setattr(spec_module, "_write_atomically", record_write)
    first = spec_module._load(keys, tmp_path)
    monkeypatch.setattr(npm_packages, "fetch", lambda *a, **k: pytest.fail("fetched again"))
    second = spec_module._load(keys, tmp_path)
    assert len(written) == 1 and written[0].parent == tmp_path / "openapi"
    assert first.operations.keys() == second.operations.keys() == set(keys)


def test_every_route_of_the_double_is_in_githubs_description(github_spec: ApiSpec) -> None:
    assert set(github_spec.operations) == set(ROUTES)
    assert github_spec.version  # the description's own version string
    issue = github_spec.operation("GET", "/repos/{owner}/{repo}/issues/{issue_number}")
    assert issue is not None and issue.operation_id == "issues/get"
    assert "200" in issue.responses and github_spec.components["schemas"]["issue"]["required"]
