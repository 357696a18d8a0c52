"""The one comment the bot posts on a triaged issue. Pure rendering, no I/O.

The hidden MARKER makes the comment findable, so reprocessing edits it instead of posting again. Anything
that came from the issue's text (the terms that drove the decision) is neutralised: it can mention nobody,
reference no issue, link nowhere, and cannot break out of the markdown around it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import quote, urlsplit

from bot.repo_config.model import RepoConfig
from classifier.schema import Prediction
from classifier.taxonomy import Category, DocLink

MARKER = "<!-- ptm-triage:triage -->"
MAX_COMMENT_CHARS = 6000  # GitHub allows 65536; a helpful comment is short
MAX_INTRO_CHARS = 1500
MAX_TERMS = 5
MAX_TERM_CHARS = 40
MAX_DOCS = 6
MAX_NEEDS = 5

_ZWSP = "\u200b"  # breaks @mentions, #refs and autolinks without changing what a reader sees
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~<>])")  # inline specials; terms never start a line


def _plain(text: str, limit: int) -> str:
    """Printable single-line text: no control/format characters (bidi overrides, zero-width), bounded."""
    kept = "".join(
        " " if ch.isspace() else ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs")
    )
    collapsed = " ".join(kept.split())
    return collapsed if len(collapsed) <= limit else collapsed[: limit - 1].rstrip() + "…"


def neutralise(text: str, limit: int = MAX_TERM_CHARS) -> str:
    """Issue text made inert for markdown: escaped HTML and punctuation, broken mentions/refs/links."""
    # Quotes are harmless in markdown text; leaving them keeps `#` out of the entities html.escape makes.
    escaped = html.escape(_plain(text, limit), quote=False)
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", escaped)
    for trigger in ("@", "#", "/", "www"):
        escaped = escaped.replace(trigger, trigger[0] + _ZWSP + trigger[1:])
    return escaped


def _link(doc: DocLink) -> str | None:
    """A markdown link for a docs entry, or None when the URL is not a plain http(s) URL."""
    url = _plain(doc.url, 500)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or url != doc.url.strip():
        return None
    safe_url = quote(url, safe="/:?#@!$&*+,;=%-._~")  # parentheses, brackets, quotes get percent-encoded
    title = neutralise(doc.title or parts.netloc, 80)
    return f"[{title}]({safe_url})"


def _lower_first(text: str) -> str:
    """"Loading, ..." -> "loading, ..." but "GPU/CUDA ..." stays as is."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _terms(prediction: Prediction) -> list[str]:
    seen: dict[str, None] = {}
    for term in (*prediction.category_terms, *prediction.ptm_terms):
        cleaned = _plain(term, MAX_TERM_CHARS)
        if cleaned and cleaned.casefold() not in (t.casefold() for t in seen):
            seen[cleaned] = None
        if len(seen) >= MAX_TERMS:
            break
    return [f"“{neutralise(term)}”" for term in seen]


def render_comment(category: Category, config: RepoConfig, prediction: Prediction, slug: str) -> str:
    """The comment body for an issue labeled with `slug` (`category` is its taxonomy entry)."""
    settings = config.categories.get(slug)
    label = config.label_for(slug) if settings is not None else category.label.name
    docs = settings.docs if settings is not None and settings.docs else category.docs

    if config.comment.intro:
        intro = config.comment.intro.strip()[:MAX_INTRO_CHARS]
    else:
        intro = (
            "Thanks for the report! This issue looks like it concerns a pre-trained model, in the "
            f"**{category.name}** category: {_lower_first(category.description)}"
        )
    lines = [MARKER, intro, "", f"I added the label **{neutralise(label, 60)}**."]

    links = [link for link in (_link(doc) for doc in docs[:MAX_DOCS]) if link is not None]
    if links:
        lines += ["", "**Docs that often help here:**", *(f"- {link}" for link in links)]
    if category.needs:
        needs = [f"- {need}" for need in category.needs[:MAX_NEEDS]]
        lines += ["", "**A maintainer will likely ask for:**", *needs]

    terms = _terms(prediction)
    why = f"Terms that weighed most: {', '.join(terms)}. " if terms else ""
    lines += [
        "",
        f"<sub>{why}Labeled automatically by ptm-triage (model {neutralise(prediction.model_version, 40)}). "
        "If the label is wrong, remove it: the bot will not add it again.</sub>",
    ]
    body = "\n".join(lines)
    if len(body) > MAX_COMMENT_CHARS:
        body = body[: MAX_COMMENT_CHARS - 1] + "…"
    return body
