"""Progress of a backfill on stderr: a bar redrawn in place on a terminal, plain lines otherwise (logs, CI)."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from bot.github.issue_listing import IssuePage
from bot.store.backfill import RunCursor

BAR_WIDTH = 30  # characters
PER_PAGE = 100  # issues per listing page, for the estimated total
LINE_EVERY = 50  # plain output: a line every this many issues


class StreamProgress:
    """Implements bot.jobs.backfill.Progress."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        try:
            self.tty = stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self.done = 0  # issues decided, in this run and by the earlier one
        self.page = 0
        self.last_page: int | None = None
        self.total: int | None = None  # estimated from the listing's page count
        self.outcomes: Counter[str] = Counter()  # of this run
        self.resumed = False
        self._drawn = False

    def started(self, cursor: RunCursor, already: int) -> None:
        self.done = already
        self.resumed = already > 0
        what = f"{cursor.repo} ({cursor.mode}, {cursor.state} issues{f' since {cursor.since}' if cursor.since else ''})"
        if already or cursor.next_page > 1:
            self._line(f"backfill {what}: resuming at page {cursor.next_page}, {already} issues already decided")
        else:
            self._line(f"backfill {what}")

    def page_read(self, page: IssuePage) -> None:
        self.page = page.number
        if page.last_page is not None:
            self.last_page = page.last_page
        if not page.has_next:  # earlier pages' pull requests are not known here: still an estimate
            self.total = (page.number - 1) * PER_PAGE + len(page.issues)
        elif self.last_page is not None:
            self.total = self.last_page * PER_PAGE
        skipped = f", {page.pull_requests} pull requests skipped" if page.pull_requests else ""
        if not self.tty:
            self._line(f"page {page.number}/{self.last_page or '?'}: {len(page.issues)} issues{skipped}")
        self._draw()

    def decided(self, number: int, outcome: str) -> None:
        self.done += 1
        self.outcomes[outcome] += 1
        if self.tty:
            self._draw()
        elif self.done % LINE_EVERY == 0:
            self._line(f"{self.done} issues decided ({self._counts()})")

    def waiting(self, seconds: float, reason: str) -> None:
        self._line(f"waiting {seconds:.0f}s: {reason}")

    def sweeping(self) -> None:
        self._line("reading the listing again for issues that moved up while it was read (issues closed meanwhile)")

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self._drawn = False
        elif not self.tty and self.done % LINE_EVERY:
            self._line(f"{self.done} issues decided ({self._counts()})")
        self.stream.flush()

    def _counts(self) -> str:
        counts = ", ".join(f"{name} {count}" for name, count in sorted(self.outcomes.items())) or "none yet"
        return f"this run: {counts}" if self.resumed else counts

    def _draw(self) -> None:
        if not self.tty:
            return
        total = self.total
        filled = BAR_WIDTH if not total else min(BAR_WIDTH, BAR_WIDTH * self.done // max(total, 1))
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        of = "?" if total is None else f"~{max(total, self.done)}"
        self.stream.write(f"\r[{bar}] {self.done}/{of} issues  page {self.page}/{self.last_page or '?'}  "
                          f"{self._counts()}\033[K")
        self.stream.flush()
        self._drawn = True

    def _line(self, text: str) -> None:
        if self._drawn:
            self.stream.write("\n")
            self._drawn = False
        self.stream.write(text + "\n")
        self.stream.flush()
