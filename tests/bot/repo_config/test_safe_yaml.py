"""Hostile and malformed YAML never crashes the loader: each gets one clear message (like evil.yml)."""

from __future__ import annotations

import pytest
import yaml

from bot.repo_config import safe_yaml as config_yaml
from bot.repo_config.safe_yaml import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, MAX_VALUES, InvalidConfig, load_mapping

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


# Few aliases (within MAX_ALIASES), but each level doubles the data.
def doubling(levels: int) -> str:
    return "l0: &l0 [1,2,3,4,5,6,7,8,9,10]\n" + "".join(
        f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]\n" for i in range(1, levels + 1)
    )


def _error(text: str) -> str:
    with pytest.raises(InvalidConfig) as caught:
        load_mapping(text)
    assert len(caught.value.errors) == 1
    return caught.value.errors[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("# only a comment\n", {}),
        ("---\n", {}),
        ("enabled: false\n", {"enabled": False}),
        ("a: {b: [1, 2]}\n", {"a": {"b": [1, 2]}}),
        ("base: &base {x: 1}\nover:\n  <<: *base\n  y: 2\n", {"base": {"x": 1}, "over": {"x": 1, "y": 2}}),
        ("key: 'on'\n", {"key": "on"}),
    ],
)
def test_valid_documents(text: str, expected: object) -> None:
    assert load_mapping(text) == expected


def test_billion_laughs_is_refused_before_expansion() -> None:
    assert f"more than {MAX_ALIASES} aliases" in _error(BILLION_LAUGHS)


def test_few_aliases_that_expand_hugely_are_refused() -> None:
    text = doubling(MAX_ALIASES // 2)  # 2**8 copies of 10 values: past MAX_VALUES
    assert text.count("*") <= MAX_ALIASES
    assert f"more than {MAX_VALUES} values" in _error(text)


def test_a_few_aliases_that_stay_small_are_fine() -> None:
    ten = list(range(1, 11))
    l1 = [ten, ten]
    l2 = [l1, l1]
    assert load_mapping(doubling(3))["l3"] == [l2, l2]


def test_recursive_alias_is_refused() -> None:
    message = _error("a: &a [*a]\n")
    assert "recursive alias" in message or "nested" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"nested more than {MAX_DEPTH} levels"),
        ("[" * 50_000, "nest"),  # would overflow a recursive composer; libyaml may refuse it first
        ("a: 1\n---\nb: 2\n", "more than one YAML document"),
        ("- a\n- b\n", "must be a mapping of keys to values, got a list"),
        ("just text\n", "got a single value (str)"),
        ("42\n", "got a single value (int)"),
        ("a: 1\na: 2\n", "line 2: key 'a' appears twice"),
        ("1: one\n", "key '1' must be a plain name"),
        ("yes: 1\n", "key 'yes' must be a plain name"),
        ("? [a, b]\n: c\n", "must be a plain name"),
        ("a: !!python/object/apply:os.system ['echo hi']\n", "could not determine a constructor"),
        ("a: !custom 1\n", "could not determine a constructor"),
        ("a: [1, 2\n", "invalid YAML at line 2"),
        ("a:\n\tb: 1\n", "invalid YAML at line 2"),
        ("a: *missing\n", "found undefined alias"),
    ],
)
def test_bad_documents_get_one_clear_message(text: str, fragment: str) -> None:
    assert fragment in _error(text)


def test_size_cap_counts_bytes() -> None:
    assert load_mapping("a: '" + "x" * (MAX_BYTES - 10) + "'\n")["a"]
    message = _error("a: '" + "é" * MAX_BYTES + "'\n")  # 2 bytes per character
    assert f"the limit is {MAX_BYTES} bytes" in message


def test_many_values_without_aliases_are_refused() -> None:
    text = "a: [" + ",".join("1" for _ in range(MAX_VALUES * 2)) + "]\n"
    assert len(text.encode()) < MAX_BYTES
    assert f"more than {MAX_VALUES} values" in _error(text)


def test_errors_carry_every_message_in_str() -> None:
    error = InvalidConfig(["one", "two"])
    assert error.errors == ("one", "two")
    assert str(error) == "one; two"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (BILLION_LAUGHS, "aliases"),
        ("[" * 50_000, "nest"),
        ("a: &a [*a]\n", "recursive alias"),
        ("a: 1\na: 2\n", "appears twice"),
        ("a: [1, 2\n", "invalid YAML at line 2"),
    ],
)
def test_the_pure_python_parser_is_just_as_safe(
    monkeypatch: pytest.MonkeyPatch, text: str, fragment: str
) -> None:
    """PyYAML without libyaml falls back to its pure-Python parser: same checks, same outcome."""
    monkeypatch.setattr(config_yaml, "_Loader", yaml.SafeLoader)
    assert fragment in _error(text)
    assert load_mapping("a: {b: [1]}\n") == {"a": {"b": [1]}}
