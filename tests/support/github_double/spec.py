"""GitHub's OpenAPI description (@octokit/openapi, pinned), indexed for fast request matching.

The full description is ~13 MB of JSON. On first use it is reduced to what the double needs and written to
`<test cache>/openapi/`: every path template with its methods (to tell an unknown route from a known one),
and for the operations the double serves, their parameters, request body and response schemas with only
the reachable `components/schemas`. OpenAPI 3.0 schemas are rewritten as JSON Schema draft 4 on the way
(`nullable` becomes a `null` type; documentation keys are dropped). Later runs load the small file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tests.support import npm_packages

FORMAT = 2  # bump when the cached layout or the schema rewriting changes
_DROP = frozenset({"description", "example", "examples", "externalDocs", "discriminator", "xml", "title",
                   "deprecated", "readOnly", "writeOnly"})
_SCHEMA_REF = "#/components/schemas/"

Json = Any


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "path" | "query" | "header"
    required: bool
    schema: Mapping[str, Json]


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    template: str
    operation_id: str
    parameters: tuple[Parameter, ...]
    body_schema: Mapping[str, Json] | None  # application/json request body, if the operation takes one
    body_required: bool
    responses: Mapping[str, Mapping[str, Json] | None]  # status -> JSON schema (None: no JSON body)

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


@dataclass(frozen=True)
class _Route:
    template: str
    pattern: re.Pattern[str]
    methods: frozenset[str]
    names: Mapping[str, str]  # regex group -> parameter name
    literals: int  # more literal segments = more specific; ".../issues/comments" beats ".../issues/{n}"


class ApiSpec:
    """The indexed description: `match` a concrete path, then look up its `operation`."""

    def __init__(self, version: str, paths: Mapping[str, list[str]], operations: Mapping[str, Json],
                 components: Mapping[str, Json]) -> None:
        self.version = version
        self.components = components
        self._routes = sorted((_compile(t, ms) for t, ms in paths.items()), key=lambda r: -r.literals)
        self._operations = {key: _operation(raw) for key, raw in operations.items()}

    def match(self, path: str) -> tuple[str, frozenset[str], dict[str, str]] | None:
        """(template, its methods, decoded path parameters) for a raw URL path, or None if GitHub has no
        such route."""
        for route in self._routes:
            found = route.pattern.fullmatch(path)
            if found:
                params = {route.names[group]: unquote(value) for group, value in found.groupdict().items()}
                return route.template, route.methods, params
        return None

    def operation(self, method: str, template: str) -> Operation | None:
        return self._operations.get(f"{method.upper()} {template}")

    @property
    def operations(self) -> Mapping[str, Operation]:
        return self._operations


_loaded: dict[tuple[str, ...], ApiSpec] = {}


def load_spec(operations: Iterable[str], cache: Path | None = None) -> ApiSpec:
    """The spec indexed for `operations` ("METHOD /template" keys), built once per cache and per process."""
    keys = tuple(sorted(operations))
    if keys not in _loaded:
        _loaded[keys] = _load(keys, cache or npm_packages.cache_root())
    return _loaded[keys]


def _load(keys: tuple[str, ...], cache: Path) -> ApiSpec:
    digest = hashlib.sha256(json.dumps([FORMAT, npm_packages.OPENAPI.spec, keys]).encode()).hexdigest()[:16]
    index_file = cache / "openapi" / f"api.github.com-{npm_packages.OPENAPI.version}-{digest}.json"
    if not index_file.is_file():
        source = npm_packages.fetch(npm_packages.OPENAPI, cache) / "generated" / "api.github.com.json"
        with source.open("rb") as fh:
            index = build_index(json.load(fh), keys)
        _write_atomically(index_file, index)
    with index_file.open("rb") as fh:
        data = json.load(fh)
    return ApiSpec(data["version"], data["paths"], data["operations"], data["components"])


def build_index(description: Mapping[str, Json], keys: Iterable[str]) -> dict[str, Json]:
    """Reduce the full description to the route table plus the selected operations."""
    components = description["components"]
    paths: dict[str, list[str]] = {}
    for template, item in description["paths"].items():
        paths[template] = sorted(m.upper() for m in item if m in {"get", "post", "put", "patch", "delete"})
    operations: dict[str, Json] = {}
    for key in keys:
        method, _, template = key.partition(" ")
        raw = description["paths"].get(template, {}).get(method.lower())
        if raw is None:
            raise KeyError(f"{key} is not in GitHub's OpenAPI description")
        operations[key] = _reduce_operation(method, template, raw, components)
    schemas = _reachable_schemas(operations, components["schemas"])
    return {"version": description["info"]["version"], "paths": paths, "operations": operations,
            "components": {"schemas": schemas}}


def _reduce_operation(method: str, template: str, raw: Mapping[str, Json], components: Json) -> Json:
    params = []
    for param in raw.get("parameters", []):
        param = _deref(param, components)
        params.append({"name": param["name"], "in": param["in"], "required": param.get("required", False),
                       "schema": to_json_schema(param.get("schema", {}))})
    body = None
    body_required = False
    if "requestBody" in raw:
        request_body = _deref(raw["requestBody"], components)
        body_required = request_body.get("required", False)
        media = request_body.get("content", {}).get("application/json")
        body = to_json_schema(media["schema"]) if media and "schema" in media else None
    responses: dict[str, Json] = {}
    for status, response in raw.get("responses", {}).items():
        response = _deref(response, components)
        media = response.get("content", {}).get("application/json")
        responses[status] = to_json_schema(media["schema"]) if media and "schema" in media else None
    return {"method": method.upper(), "template": template, "operation_id": raw.get("operationId", ""),
            "parameters": params, "body": body, "body_required": body_required, "responses": responses}


def to_json_schema(schema: Json) -> Json:
    """An OpenAPI 3.0 schema object as JSON Schema draft 4 (which shares 3.0's boolean exclusiveMaximum)."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Json] = {}
    for key, value in schema.items():
        if key in _DROP or key.startswith("x-") or key == "nullable":
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = to_json_schema(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [to_json_schema(sub) for sub in value]
        else:
            out[key] = value
    if schema.get("nullable") is True:
        if "type" in out and "$ref" not in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            return {"anyOf": [out, {"type": "null"}]}
    return out


def _deref(node: Json, components: Json) -> Json:
    while isinstance(node, dict) and "$ref" in node:
        _, section, name = node["$ref"].removeprefix("#/").split("/", 2)
        node = components[section][name]
    return node


def _reachable_schemas(operations: Json, all_schemas: Mapping[str, Json]) -> dict[str, Json]:
    found: dict[str, Json] = {}
    pending = _refs_in(operations)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found[name] = to_json_schema(all_schemas[name])
        pending |= _refs_in(found[name]) - found.keys()
    return found


def _refs_in(node: Json) -> set[str]:
    text = json.dumps(node)
    return set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text))


def _compile(template: str, methods: Iterable[str]) -> _Route:
    parts = []
    groups: dict[str, str] = {}
    literals = 0
    for segment in template.strip("/").split("/"):
        names = re.findall(r"\{([^}]+)\}", segment)
        if not names:
            literals += 1
            parts.append(re.escape(segment))
            continue
        # `{path}` (contents API) and `{ref}`-like tails may span several segments.
        piece = re.escape(segment)
        for name in names:
            group = f"p{len(groups)}"
            groups[group] = name
            regex = f"(?P<{group}>.+)" if name in ("path", "ref") else f"(?P<{group}>[^/]+)"
            piece = piece.replace(re.escape("{" + name + "}"), regex, 1)
        parts.append(piece)
    return _Route(template, re.compile("/" + "/".join(parts)), frozenset(methods), groups, literals)


def _operation(raw: Mapping[str, Json]) -> Operation:
    params = tuple(Parameter(p["name"], p["in"], p["required"], p["schema"]) for p in raw["parameters"])
    return Operation(raw["method"], raw["template"], raw["operation_id"], params, raw["body"],
                     raw["body_required"], raw["responses"])


def _write_atomically(path: Path, data: Json) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-")
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, separators=(",", ":"))
    os.replace(tmp, path)
