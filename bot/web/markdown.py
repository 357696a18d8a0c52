"""Markdown to HTML as GitHub shows a comment, for the pages: rendered on the server with markdown-it-py.

Raw HTML in the text is escaped, with exceptions that mirror GitHub: HTML comments are hidden (the bot's
comment marker is one), a few plain formatting tags without attributes (`<sub>`, `<b>`, ...) are kept when
they open and close within the same paragraph, and `<details>` with a plain `<summary>` is kept (closed
at the end if the text never closes it), so nothing leaks out of the comment box. Task list items
(`- [ ] ...`) show a disabled checkbox, as on GitHub.
Links go only to http(s) and mailto (markdown-it's own check drops javascript: and the like).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

_KEPT_TAGS = frozenset({"sub", "sup", "b", "i", "em", "strong", "code", "kbd", "del", "s", "ins"})
_TAG = re.compile(r"<(/?)([a-z]+)\s*>", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_COMMENT = re.compile(r"\s*<!--.*?-->\s*", re.DOTALL)
_DETAILS_OPEN = re.compile(r"<details>\s*(?:<summary>([^<>]*)</summary>)?", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details>", re.IGNORECASE)
_TASK = re.compile(r"\[([ xX])\] ")

_md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable(["table", "strikethrough"])


def render(text: str) -> Markup:
    """Safe HTML for `text` as GitHub would render it in a comment."""
    tokens = _md.parse(text)
    details = 0  # <details> opened and not closed yet
    for index, token in enumerate(tokens):
        if token.type == "html_block":
            details += _block(token, details)
        elif token.type == "inline" and token.children:
            _inline(token.children)
            if index >= 2 and tokens[index - 2].type == "list_item_open":
                _task(token.children)
        _links(token)
    closing = "</details>\n" * details
    return Markup(_md.renderer.render(tokens, _md.options, {}) + closing)  # noqa: S704 (escaped above)


def _block(token: Token, details: int) -> int:
    """An HTML block: hidden when it is only comments, a kept <details> tag, else escaped text.
    Returns the change in open <details>."""
    content = _COMMENT.sub("", token.content).strip()
    if not content:
        token.content = ""
        return 0
    opened = _DETAILS_OPEN.fullmatch(content)
    if opened:
        text = opened.group(1)
        summary = "" if text is None else f"<summary>{html.escape(html.unescape(text))}</summary>"
        token.content = f"<details>{summary}\n"
        return 1
    if _DETAILS_CLOSE.fullmatch(content) and details > 0:
        token.content = "</details>\n"
        return -1
    token.content = f"<p>{html.escape(content)}</p>\n"
    return 0


def _task(children: list[Token]) -> None:
    """`[ ] text` at the start of a list item: a disabled checkbox, ticked for `[x]`."""
    first = children[0] if children else None
    if first is None or first.type != "text" or not _TASK.match(first.content):
        return
    ticked = first.content[1] in "xX"
    first.content = first.content[4:]
    box = Token("html_inline", "", 0)
    box.content = f'<input type="checkbox" disabled{" checked" if ticked else ""} aria-label="task"> '
    children.insert(0, box)


def _inline(children: Sequence[Token]) -> None:
    """Keep balanced allowed tags and line breaks; hide comments; escape every other bit of HTML."""
    opened: list[tuple[str, Token]] = []
    for token in children:
        if token.type != "html_inline":
            continue
        content = token.content
        if content.startswith("<!--"):
            token.content = ""
            continue
        if _BREAK.fullmatch(content):
            token.content = "<br>"
            continue
        match = _TAG.fullmatch(content)
        name = match.group(2).lower() if match else ""
        if match and name in _KEPT_TAGS and not match.group(1):
            opened.append((name, token))
            token.content = f"<{name}>"
            continue
        if match and name in _KEPT_TAGS and opened and opened[-1][0] == name:
            opened.pop()
            token.content = f"</{name}>"
            continue
        _as_text(token)
    for _, token in opened:  # never closed: shown as the text it was
        _as_text(token)


def _as_text(token: Token) -> None:
    token.type = "text"  # the renderer escapes text


def _links(token: Token) -> None:
    """Links tell the browser to send the target neither this page's address nor a handle to it."""
    for child in token.children or ():
        if child.type == "link_open":
            attrs: dict[str, Any] = dict(child.attrs)
            attrs["rel"] = "nofollow noopener noreferrer"
            child.attrs = attrs
