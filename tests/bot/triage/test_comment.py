"""The one comment: marker, content, and issue text that cannot mention, link or break the markdown."""

from __future__ import annotations

import re
from dataclasses import replace
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.repo_config.model import CommentConfig, default_config
from bot.triage.comment import MARKER, MAX_COMMENT_CHARS, neutralise, render_comment
from classifier.taxonomy import DocLink, load_taxonomy
from tests.bot.handlers.factories import prediction

TAXONOMY = load_taxonomy()
DEFAULT = default_config()
HOSTILE = [
    "@octocat",
    "@octo-org/core-team",
    "hi @everyone please",
    "`code` ```fence",
    "</sub><img src=x onerror=alert(1)>",
    "[click](https://evil.example/x)",
    "![img](https://evil.example/i.png)",
    "https://evil.example/path",
    "www.evil.example",
    "see #123 and octo/models#9",
    "<!-- ptm-triage:triage -->",
    "\u202eevil\u200bzero",
    "*bold* _it_ ~~s~~ | table |",
    "line\nbreak\r\n# heading",
    "mail me a@b.example",
]


def render(terms: list[str] | tuple[str, ...], slug: str = "hardware-resources", config=DEFAULT) -> str:
    pred = replace(prediction(category=slug), category_terms=tuple(terms), ptm_terms=())
    return render_comment(TAXONOMY.get(slug), config, pred, slug)


def test_marker_first_and_content() -> None:
    body = render(["cuda out of memory", "gpu"])
    category = TAXONOMY.get("hardware-resources")
    assert body.splitlines()[0] == MARKER
    assert body.count(MARKER) == 1
    assert category.name in body
    for doc in category.docs:
        assert f"]({doc.url})" in body
    for need in category.needs:
        assert need in body
    assert "“cuda out of memory”" in body and "“gpu”" in body
    assert "ptm: hardware" in body.replace("\\", "")


@pytest.mark.parametrize("term", HOSTILE)
def test_hostile_terms_are_inert(term: str) -> None:
    body = render([term])
    sub = body[body.index("<sub>") :]
    assert body.count(MARKER) == 1, "a term cannot plant a second marker"
    assert sub.count("<sub>") == 1 and sub.count("</sub>") == 1, "no HTML from the issue survives"
    assert not re.search(r"@[A-Za-z0-9]", sub), "no @mention"
    assert not re.search(r"#\d", sub), "no issue reference"
    assert "`" not in sub.replace("\\`", ""), "no unescaped backtick"
    assert "](" not in sub.replace("\\](", "").replace("\\]\\(", ""), "no markdown link"
    assert not re.search(r"https?://", sub) and "www." not in sub, "no autolink"
    assert "\n" not in sub and "\u202e" not in sub


def test_terms_bounded_and_deduplicated() -> None:
    body = render(["GPU", "gpu", "x" * 500, *[f"t{i}" for i in range(20)]])
    sub = body[body.index("<sub>") :]
    assert sub.count("“") == 5
    assert "x" * 41 not in sub


def test_neutralise_keeps_plain_words() -> None:
    assert neutralise("out of memory") == "out of memory"
    assert neutralise("CUDA OOM") == "CUDA OOM"


def test_repo_intro_and_extra_docs() -> None:
    categories = dict(DEFAULT.categories)
    hw = categories["hardware-resources"]
    categories["hardware-resources"] = replace(
        hw,
        docs=(
            *hw.docs,
            DocLink("Our GPU FAQ", "https://example.org/gpu-faq"),
            DocLink("bad", "javascript:alert(1)"),
            DocLink("paren", "https://example.org/a)b"),
        ),
    )
    config = replace(
        DEFAULT,
        categories=MappingProxyType(categories),
        comment=CommentConfig(intro="Hello from the maintainers."),
    )
    body = render(["gpu"], config=config)
    assert "Hello from the maintainers." in body
    assert "[Our GPU FAQ](https://example.org/gpu-faq)" in body
    assert "javascript:" not in body
    assert "(https://example.org/a%29b)" in body


def test_length_bounded() -> None:
    config = replace(DEFAULT, comment=CommentConfig(intro="word " * 5000))
    assert len(render(["gpu"], config=config)) <= MAX_COMMENT_CHARS


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_neutralise_property(text: str) -> None:
    out = neutralise(text)
    assert len(out) <= 8 * 40  # bounded even after escaping
    assert not re.search(r"@[A-Za-z0-9]", out)
    assert not re.search(r"#[0-9A-Za-z]", out)
    assert "<" not in out and ">" not in out and "\n" not in out and "\r" not in out
    assert not re.search(r"(?<!\\)[`\[\]()*_|~!]", out), "markdown punctuation is escaped"
    assert "://" not in out
