"""The backfill's progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise."""

from __future__ import annotations

import io

from bot.cli.backfill_progress import StreamProgress
from bot.github.issue_listing import IssuePage
from bot.store.backfill import RunCursor


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def page(number: int, issues: int, has_next: bool) -> IssuePage:
    return IssuePage(number, tuple(range(issues)), 0, has_next, 3)  # type: ignore[arg-type]


def test_a_terminal_gets_one_bar_redrawn_in_place() -> None:
    stream = Terminal()
    progress = StreamProgress(stream)
    progress.started(RunCursor("o/r", "dry-run", "open", None, 1, False), 0)
    progress.page_read(page(1, 100, True))
    for n in range(1, 151):
        progress.decided(n, "labeled" if n % 3 == 0 else "abstained")
    progress.waiting(12, "list_issues: GitHub rate limit (HTTP 429), waiting 12s")
    progress.close()
    text = stream.getvalue()
    assert text.startswith("backfill o/r (dry-run, open issues)\n")
    assert "\r[###############...............] 150/~300 issues  page 1/3  abstained 100, labeled 50" in text
    assert "\nwaiting 12s: list_issues" in text  # on a line of its own, not over the bar
    assert text.endswith("\n") and text.count("\n") == 3


def test_plain_output_is_a_line_per_page_and_per_50_issues() -> None:
    stream = io.StringIO()
    progress = StreamProgress(stream)
    progress.started(RunCursor("o/r", "apply", "all", "2024-01-01T00:00:00Z", 2, False), 100)
    progress.page_read(page(2, 100, True))
    for n in range(60):
        progress.decided(n, "skipped")
    progress.close()
    assert stream.getvalue().splitlines() == [
        "backfill o/r (apply, all issues since 2024-01-01T00:00:00Z): resuming at page 2, 100 issues already decided",
        "page 2/3: 100 issues",
        "150 issues decided (this run: skipped 50)",
        "160 issues decided (this run: skipped 60)",
    ]
