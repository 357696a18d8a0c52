"""Comments rendered as GitHub shows them: markdown, hidden comments, kept formatting tags, task lists,
<details>; every other bit of HTML escaped."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from bot.triage.comment import MARKER
from bot.web.markdown import render


def test_markdown_and_the_hidden_marker() -> None:
    html = render(f"{MARKER}\nThanks, **bold** and `code`.\n\n[docs](https://example.org/a?b=1)")
    assert "ptm-triage:triage" not in html
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert '<a href="https://example.org/a?b=1" rel="nofollow noopener noreferrer">docs</a>' in html


def test_balanced_formatting_tags_are_kept_and_others_escaped() -> None:
    html = render("<sub>small <b>bold</b></sub> <sub>never closed\n\nline<br>break")
    assert "<sub>small <b>bold</b></sub>" in html
    assert "&lt;sub&gt;never closed" in html
    assert "line<br>break" in html


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "<div onclick=alert(1)>\nblock\n</div>",
    "<sub onclick=alert(1)>x</sub>",
    "<details open onclick=alert(1)><summary>s</summary>\n\nx\n\n</details>",
    "<iframe src=https://example.org></iframe>",
])
def test_hostile_html_never_reaches_the_page(hostile: str) -> None:
    elements = Elements()
    elements.feed(render(hostile))
    assert {tag for tag, _ in elements.seen} <= {"p", "a", "sub", "details", "summary"}
    for _, attrs in elements.seen:
        assert all(not name.startswith("on") and "javascript" not in (value or "") for name, value in attrs)


class Elements(HTMLParser):
    """Every element the browser would build from the HTML, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))


def test_task_lists_and_details() -> None:
    html = render("- [ ] your version\n- [x] done\n\n<details><summary>Docs &amp; more</summary>\n\n- a\n\n</details>")
    assert '<li><input type="checkbox" disabled aria-label="task"> your version</li>' in html
    assert '<input type="checkbox" disabled checked aria-label="task"> done' in html
    assert "<details><summary>Docs &amp; more</summary>" in html and html.rstrip().endswith("</details>")


def test_details_are_always_closed_and_a_stray_close_is_text() -> None:
    assert render("<details>\n\nopen").count("</details>") == 1
    assert render("</details>\n\nx") == "<p>&lt;/details&gt;</p>\n<p>x</p>\n"
