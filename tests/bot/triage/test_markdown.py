"""Neutralising issue text for a comment: no mentions, references, links or markdown from the issue."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.triage.markdown import link, model_name, neutralise, safe_url


def test_neutralise_keeps_plain_words() -> None:
    assert neutralise("out of memory") == "out of memory"
    assert neutralise("see GH-42") == "see GH\u200b-42" and neutralise("PGH-42") == "PGH-42"
    assert neutralise("CUDA OOM") == "CUDA OOM"


def test_model_name_keeps_a_hub_id_copyable() -> None:
    assert model_name("openai/whisper-large-v3") == "openai/whisper-large-v3"
    assert model_name("Llama 3 8B") == "Llama 3 8B"
    assert model_name("org/my_model") == "org/my\\_model"


def test_model_name_neutralises_anything_else() -> None:
    for hostile in ("@octocat", "octo/app#12", "www.evil.example/x", "[x](https://e.example)", "gh-12"):
        out = model_name(hostile)
        assert not re.search(r"@[A-Za-z0-9]|#\d|www\.|\]\(|\bGH-\d", out, re.IGNORECASE)


def test_links_only_to_plain_http_urls() -> None:
    assert link("x", "https://example.org/a)b") == "[x](https://example.org/a%29b)"
    assert link("x", "javascript:alert(1)") is None
    assert link("x", "https://example.org/\u202eevil") is None
    assert safe_url(" https://example.org ") == "https://example.org"
    assert safe_url("//example.org") is None


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_neutralise_property(text: str) -> None:
    out = neutralise(text)
    assert len(out) <= 8 * 40  # bounded even after escaping
    assert not re.search(r"@[A-Za-z0-9]", out)
    assert not re.search(r"#[0-9A-Za-z]", out)
    assert not re.search(r"\bGH-\d", out, re.IGNORECASE), "GH-123 would reference issue 123"
    assert "<" not in out and ">" not in out and "\n" not in out and "\r" not in out
    assert not re.search(r"(?<!\\)[`\[\]()*_|~!]", out), "markdown punctuation is escaped"
    assert "://" not in out
