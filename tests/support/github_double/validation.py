"""Requests and responses checked against the operation's schemas from GitHub's OpenAPI description."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from tests.support.github_double.spec import ApiSpec, Operation, Parameter

MAX_MESSAGES = 5  # schema errors reported per request


@dataclass(frozen=True)
class Rejection:
    """Why GitHub would refuse the request, and how it would answer."""

    status: int
    message: str
    details: tuple[str, ...] = ()


class Validator:
    def __init__(self, spec: ApiSpec) -> None:
        self._spec = spec
        self._cache: dict[tuple[str, str], jsonschema.protocols.Validator] = {}
        self._lock = threading.Lock()

    def check_request(self, op: Operation, path_params: Mapping[str, str], query: Mapping[str, str],
                      raw_body: bytes) -> tuple[Any, Rejection | None]:
        """The parsed JSON body and, if GitHub would refuse the request, why."""
        for param in op.parameters:
            source = path_params if param.location == "path" else query if param.location == "query" else None
            if source is None:
                continue
            if param.name not in source:
                if param.required:
                    return None, Rejection(422 if param.location == "query" else 404,
                                           f"missing required {param.location} parameter {param.name!r}")
                continue
            problem = self._param_problem(op, param, source[param.name])
            if problem:
                # GitHub answers 404 when a path segment cannot be what the route expects.
                return None, Rejection(404 if param.location == "path" else 422, problem)
        body: Any = None
        if raw_body.strip():
            try:
                body = json.loads(raw_body)
            except (ValueError, UnicodeDecodeError):
                return None, Rejection(400, "Problems parsing JSON")
        if op.body_schema is None:
            return body, None
        if body is None:
            if op.body_required:
                return None, Rejection(422, "Invalid request.\n\nThe operation requires a body.")
            return None, None
        errors = self._errors(op.key, "request", op.body_schema, body)
        if errors:
            return body, Rejection(422, "Invalid request.\n\n" + "\n".join(errors), tuple(errors))
        return body, None

    def check_response(self, op: Operation, status: int, body: Any) -> list[str]:
        """Schema errors of the double's own answer (empty when it matches or is not described)."""
        schema = op.responses.get(str(status))
        if schema is None or body is None:
            return []
        return self._errors(op.key, str(status), schema, body)

    def _param_problem(self, op: Operation, param: Parameter, raw: str) -> str | None:
        value: Any = raw
        kind = param.schema.get("type")
        try:
            if kind == "integer":
                value = int(raw)
            elif kind == "number":
                value = float(raw)
            elif kind == "boolean":
                if raw not in ("true", "false"):
                    return f"{param.name}: {raw!r} is not a boolean"
                value = raw == "true"
            elif kind == "array":
                value = raw.split(",")
        except ValueError:
            return f"{param.name}: {raw!r} is not of type {kind}"
        errors = self._errors(op.key, f"param:{param.name}", param.schema, value)
        return f"{param.name}: {errors[0]}" if errors else None

    def _errors(self, key: str, part: str, schema: Mapping[str, Any], instance: Any) -> list[str]:
        validator = self._validator(key, part, schema)
        found = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        messages = []
        for error in found[:MAX_MESSAGES]:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            messages.append(f"{where}: {_short(error.message)}")
        return messages

    def _validator(self, key: str, part: str, schema: Mapping[str, Any]) -> jsonschema.protocols.Validator:
        with self._lock:
            found = self._cache.get((key, part))
            if found is None:
                # Local "#/components/schemas/..." references resolve against this document.
                document = {**schema, "components": self._spec.components}
                found = jsonschema.Draft4Validator(document)
                self._cache[(key, part)] = found
            return found


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"
