"""Validation of a configuration mapping against the shipped JSON Schema, with messages for people.

The schema (bot/schemas/ptm-triage.schema.json) is the reference for every key. jsonschema's own
messages describe the schema; these describe the file: the key path, what is expected, what was found,
and for a misspelt key the nearest known one.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

SCHEMA_RESOURCE = "schemas/ptm-triage.schema.json"

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")
_TYPE_WORDS = {
    "string": "a string",
    "boolean": "true or false",
    "number": "a number",
    "integer": "a whole number",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing",
}


@cache
def load_schema() -> Mapping[str, Any]:
    """The shipped JSON Schema (draft 2020-12), read once per process."""
    text = resources.files("bot").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema())


def schema_errors(data: Mapping[str, Any]) -> list[str]:
    """Every problem in `data`, one message each, sorted by key path; [] when valid."""
    messages: list[str] = []
    for error in _validator().iter_errors(data):
        messages.extend(_messages(error))
    return sorted(dict.fromkeys(messages))


def key_path(parts: Iterable[str | int]) -> str:
    """`categories.model-usage.docs[0].url` from the path jsonschema reports."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        name = part if _PLAIN_KEY.fullmatch(part) else describe(part)  # a key typed by anyone: quoted, short
        text += f".{name}" if text else name
    return text or "(top level)"


def describe(value: object) -> str:
    """A short, safe rendering of a found value (never the whole of a long text)."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, date):
        return "a date"
    return f"a value of type {type(value).__name__}"


def _messages(error: ValidationError) -> list[str]:
    path = list(error.absolute_path)
    where = key_path(path)
    if error.validator == "additionalProperties":
        return _unknown_keys(error, path)
    if error.validator in ("anyOf", "oneOf"):
        deeper = _matching_branch_errors(error)
        if deeper:
            return [m for sub in deeper for m in _messages(sub)]
    if error.validator == "required":
        return [f"{where}: {error.message.replace('is a required property', 'is required')}"]
    if error.validator in ("maxItems", "minItems"):
        count = len(error.instance) if isinstance(error.instance, list) else 0
        return [f"{where}: expected {_expected(error)}, got {count} items"]
    return [f"{where}: expected {_expected(error)}, got {describe(error.instance)}"]


def _unknown_keys(error: ValidationError, path: list[str | int]) -> list[str]:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    known = sorted(schema.get("properties", {}))
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    messages = []
    for key in sorted(str(k) for k in instance if k not in known):
        message = f"{key_path([*path, key])}: unknown key"
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if close:
            message += f'; did you mean "{close[0]}"?'
        elif known:
            message += f"; expected one of: {', '.join(known)}"
        messages.append(message)
    return messages


def _matching_branch_errors(error: ValidationError) -> list[ValidationError]:
    """For "this or that" keys: the errors of the alternative whose type fits the value, so
    `comment: {enabled: "no"}` reports `comment.enabled`, not "expected true, false or a mapping"."""
    by_branch: dict[int | str, list[ValidationError]] = {}
    for sub in error.context or ():
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        subs
        for subs in by_branch.values()
        if not any(s.validator in ("type", "const") and not s.relative_path for s in subs)
    ]
    return fitting[0] if len(fitting) == 1 else []


def _expected(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    custom = schema.get("x-expected")
    if isinstance(custom, str):
        return custom
    validator = error.validator
    value: Any = error.validator_value
    low: object = 0
    high: object = "any number of"
    if validator == "type":
        types: Sequence[str] = [value] if isinstance(value, str) else [str(t) for t in value]
        return " or ".join(_TYPE_WORDS.get(t, t) for t in types)
    if validator in ("minimum", "maximum"):
        return f"a number between {schema.get('minimum', '-inf')} and {schema.get('maximum', 'inf')}"
    if validator in ("minLength", "maxLength"):
        low, high = schema.get("minLength", low), schema.get("maxLength", high)
        return f"a string of {low} to {high} characters"
    if validator in ("maxItems", "minItems"):
        low, high = schema.get("minItems", low), schema.get("maxItems", high)
        return f"a list of {low} to {high} items"
    if validator == "enum" and isinstance(value, list):
        return "one of " + ", ".join(json.dumps(v) for v in value)
    if validator == "const":
        return json.dumps(value)
    if validator == "pattern":
        return f"a string matching {value}"
    return f"a value that satisfies {validator!s}"
