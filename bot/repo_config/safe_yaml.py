"""Reading untrusted YAML (a repository's `.github/ptm-triage.yml`) into a plain mapping, safely.

Anyone who can push to a repository controls this text, so it is checked before anything is built from
it: a size cap, one document, bounded nesting, a handful of aliases at most, and a bounded number of
values once aliases are expanded (an "alias bomb" is tiny as text and huge as data). The event stream is
checked first because PyYAML's composer recurses once per nesting level; only PyYAML's safe loader
constructs values, so no tag can create a Python object.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

MAX_BYTES = 64 * 1024  # a real config is a few hundred bytes
MAX_DEPTH = 12  # nesting levels of mappings and lists; the schema itself needs 5
MAX_ALIASES = 16
MAX_VALUES = 2_000  # scalars, mappings and lists after expanding aliases; a full config needs ~500

# libyaml's parser when PyYAML was built with it (several times faster); same safe constructor.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InvalidConfig(ValueError):
    """The configuration cannot be used; `errors` are messages for the maintainer, one per problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors: tuple[str, ...] = tuple(errors)


def load_mapping(text: str) -> dict[str, Any]:
    """Parse one YAML document that must be a mapping. Empty text is an empty mapping."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BYTES:
        raise InvalidConfig([f"the file is {size} bytes; the limit is {MAX_BYTES} bytes"])
    try:
        _check_events(text)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return {}
            _check_graph(node)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise InvalidConfig([_yaml_message(exc)]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        raise InvalidConfig([f"the file must be a mapping of keys to values, got {kind}"])
    return data


def _check_events(text: str) -> None:
    """Documents, nesting and aliases, from the parser's flat event stream (no recursion, no values)."""
    documents = depth = aliases = 0
    for events, event in enumerate(yaml.parse(text, Loader=_Loader), start=1):
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise InvalidConfig(["the file holds more than one YAML document (---); use one"])
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise InvalidConfig([f"values are nested more than {MAX_DEPTH} levels deep"])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise InvalidConfig([f"the file uses more than {MAX_ALIASES} aliases (*name)"])
        if events > 2 * MAX_VALUES:
            raise InvalidConfig([f"the file holds more than {MAX_VALUES} values"])


def _check_graph(root: yaml.Node) -> None:
    """Walk the composed graph as construction would see it (aliases expanded): bounded size and depth,
    no recursive aliases, string keys only, no duplicate keys (YAML would silently keep the last)."""
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    values = 0
    while stack:
        node, depth = stack.pop()
        values += 1
        if values > MAX_VALUES:
            raise InvalidConfig([f"the file expands to more than {MAX_VALUES} values (aliases?)"])
        if depth > MAX_DEPTH + 1:
            raise InvalidConfig([f"values are nested more than {MAX_DEPTH} levels deep (a recursive alias?)"])
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                _check_key(key, seen)
                stack.append((value, depth + 1))


def _check_key(key: yaml.Node, seen: set[str]) -> None:
    line = key.start_mark.line + 1
    if key.tag == "tag:yaml.org,2002:merge":  # `<<: *base`, the YAML merge key
        return
    if not isinstance(key, yaml.ScalarNode) or key.tag != "tag:yaml.org,2002:str":
        shown = repr(key.value[:40]) if isinstance(key, yaml.ScalarNode) else "a list or mapping"
        raise InvalidConfig([f"line {line}: key {shown} must be a plain name (quote it if you mean text)"])
    if key.value in seen:
        raise InvalidConfig([f"line {line}: key {key.value[:40]!r} appears twice in the same mapping"])
    seen.add(key.value)


def _yaml_message(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is not None:
            return f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"
        return f"invalid YAML: {problem}"
    return "invalid YAML"
