"""A backfill of open issues while some close: the listing shifts under the cursor, and no issue is missed."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from bot.cli.backfill_progress import StreamProgress
from bot.github.issue_listing import IssuePage, listed_issue
from bot.jobs.backfill import Backfill, BackfillOptions
from bot.store.backfill import BackfillStore
from bot.store.decisions import Records
from bot.store.engine import make_engine
from tests.bot.handlers.factories import REPO, context, issue_payload
from tests.support.fake_github import FakeGitHub

PER_PAGE = 3


class ShiftingListing:
    """Open issues in listing order, PER_PAGE to a page; `close_after_page` closes issues once that page is read."""

    def __init__(self, numbers: range, close_after_page: dict[int, list[int]]) -> None:
        self.open = sorted(numbers, reverse=True)
        self.close_after_page = close_after_page
        self.reads: list[int] = []

    def page(self, installation_id: int, repo: str, number: int, *, state: str, since: str | None) -> IssuePage:
        assert state == "open"
        self.reads.append(number)
        chunk = self.open[(number - 1) * PER_PAGE : number * PER_PAGE]
        has_next = number * PER_PAGE < len(self.open)
        for closed in self.close_after_page.pop(number, []):
            self.open.remove(closed)
        issues = tuple(listed_issue(repo, {**issue_payload(n)["issue"], "html_url": f"https://x/{n}"}) for n in chunk)
        return IssuePage(number, issues, 0, has_next, None)


@pytest.fixture
def store(sqlite_url: str) -> Iterator[tuple[Records, BackfillStore]]:
    engine = make_engine(sqlite_url)
    records, backfill = Records(engine), BackfillStore(engine)
    records.create_schema()
    backfill.create_schema()
    yield records, backfill
    engine.dispose()


def run(listing: ShiftingListing, records: Records, backfill: BackfillStore, out: io.StringIO) -> Backfill:
    github = FakeGitHub()
    for number in listing.open:
        github.add_issue(REPO, number)
    job = Backfill(BackfillOptions(REPO), source=listing, installation_id=1,
                   ctx=context(records, github, dry_run=True), store=backfill, progress=StreamProgress(out))
    job.run(job.cursor())
    return job


def test_issues_that_moved_up_a_page_are_decided_at_the_end(store: tuple[Records, BackfillStore]) -> None:
    records, backfill = store
    # Issues 10..1 listed; after page 1 (10, 9, 8) is read, 10 and 9 close: 5 and 4 move up onto page 2.
    listing = ShiftingListing(range(1, 11), {1: [10, 9]})
    out = io.StringIO()
    run(listing, records, backfill, out)
    assert {i.issue_number for i in backfill.issues(REPO, "dry-run")} == set(range(1, 11))
    assert listing.reads == [1, 2, 3, 1, 2, 3]  # the listing once, then once more from the start
    assert "reading the listing again" in out.getvalue()
    assert backfill.cursor(REPO, "dry-run").finished  # type: ignore[union-attr]


def test_a_single_page_is_read_once(store: tuple[Records, BackfillStore]) -> None:
    records, backfill = store
    listing = ShiftingListing(range(1, 4), {})
    run(listing, records, backfill, io.StringIO())
    assert listing.reads == [1] and len(backfill.issues(REPO, "dry-run")) == 3
