"""Making text safe to put in a GitHub comment. Pure.

Anything that came from an issue (terms, titles of earlier issues, model names) is neutralised: it can
mention nobody, reference no issue, link nowhere, and cannot break out of the markdown around it. Links
are made only from plain http(s) URLs, percent-encoded so that they cannot close the markdown link.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import quote, urlsplit

MAX_TERM_CHARS = 40

_ZWSP = "\u200b"  # breaks @mentions, #refs and autolinks without changing what a reader sees
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~<>])")  # inline specials; terms never start a line
_GH_REF = re.compile(r"(?i)\b(GH)-(?=\d)")  # GitHub links GH-123 to issue 123
_MODEL_NAME = re.compile(r"[A-Za-z0-9][\w .+-]*(?:/[\w.+-]+)?")  # a Hub id or a family name, nothing else


def plain(text: str, limit: int) -> str:
    """Printable single-line text: no control/format characters (bidi overrides, zero-width), bounded."""
    kept = "".join(
        " " if ch.isspace() else ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs")
    )
    collapsed = " ".join(kept.split())
    return collapsed if len(collapsed) <= limit else collapsed[: limit - 1].rstrip() + "…"


def neutralise(text: str, limit: int = MAX_TERM_CHARS) -> str:
    """Issue text made inert for markdown: escaped HTML and punctuation, broken mentions/refs/links."""
    # Quotes are harmless in markdown text; leaving them keeps `#` out of the entities html.escape makes.
    escaped = html.escape(plain(text, limit), quote=False)
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", escaped)
    for trigger in ("@", "#", "/", "www"):
        escaped = escaped.replace(trigger, trigger[0] + _ZWSP + trigger[1:])
    return _without_gh_refs(escaped)


def _without_gh_refs(text: str) -> str:
    return _GH_REF.sub("\\1" + _ZWSP + "-", text)


def model_name(text: str, limit: int = 80) -> str:
    """A model's name as link text: a Hub id keeps its slash (so it can be copied), anything else is
    neutralised. Hub ids cannot mention or reference anyone: they have no `@`, `#` or `:`."""
    shown = plain(text, limit)
    if _MODEL_NAME.fullmatch(shown) and "www" not in shown.casefold():
        return _without_gh_refs(_MARKDOWN_SPECIALS.sub(r"\\\1", shown))
    return neutralise(text, limit)


def safe_url(url: str) -> str | None:
    """The URL, percent-encoded for a markdown link target, or None unless it is a plain http(s) URL."""
    cleaned = plain(url, 500)
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.netloc or cleaned != url.strip():
        return None
    return quote(cleaned, safe="/:?#@!$&*+,;=%-._~")  # parentheses, brackets, quotes get percent-encoded


def link(text: str, url: str) -> str | None:
    """`[text](url)` with `text` already made safe by the caller, or None when the URL is not usable."""
    target = safe_url(url)
    return None if target is None else f"[{text}]({target})"
