"""Backfill: the webhook pipeline over a repository's existing issues, resumable after an interruption.

Each listed issue goes through the triage handler as if it had just arrived (same repository config,
label history, decide() and, with `apply`, the same idempotent writes at the same pacing), and its
decision is recorded with the trigger "backfill". The run's cursor (the next listing page) and the issues
it decided are stored as it goes, so a rerun reads no finished page again and decides no issue twice.
A listing of open issues shifts when issues close during the run: it is read once more at the end.
Rate limits are waited out; anything else stops the run with its progress kept.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar

from bot.errors import Throttled
from bot.events import Event
from bot.github.issue_listing import IssuePage, ListedIssue
from bot.github.port import IssueSnapshot
from bot.handlers.context import HandlerContext
from bot.handlers.triage import build_document, triage
from bot.repo_config.model import RepoConfig
from bot.store.backfill import BackfilledIssue, BackfillStore, RunCursor, parse_time
from bot.triage.decide import Decision, Trigger, decide

log = logging.getLogger(__name__)
MAX_WAITS = 20  # rate-limit waits in a row before giving up (progress is kept)
_T = TypeVar("_T")


@dataclass(frozen=True)
class BackfillOptions:
    repo: str
    state: str = "open"  # open | all
    since: str | None = None  # only issues updated at or after this ISO 8601 time
    limit: int | None = None  # decide at most this many issues in this run (a rerun continues)
    apply: bool = False  # write to GitHub; otherwise decide and record only
    restart: bool = False  # forget an earlier run of this mode and start from the first page

    @property
    def mode(self) -> str:
        return "apply" if self.apply else "dry-run"


class IssueSource(Protocol):
    def page(self, installation_id: int, repo: str, number: int, *, state: str, since: str | None) -> IssuePage:
        ...


class Progress(Protocol):
    """What a run reports as it goes (a progress bar on a terminal, plain lines otherwise)."""

    def started(self, cursor: RunCursor, already: int) -> None: ...

    def page_read(self, page: IssuePage) -> None: ...

    def decided(self, number: int, outcome: str) -> None: ...

    def waiting(self, seconds: float, reason: str) -> None: ...

    def sweeping(self) -> None: ...


@dataclass
class RunSummary:
    repo: str
    mode: str
    decided: int = 0  # in this run
    already: int = 0  # decided by an earlier, interrupted run
    pull_requests: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    finished: bool = False
    stopped_by_limit: bool = False


def tier_of(decision: Decision) -> str | None:
    """How loud the bot is (or would be) on the issue: a comment, labels only, or nothing."""
    if decision.outcome != "labeled":
        return None
    return "comment" if decision.comment else "label"


class Backfill:
    def __init__(
        self,
        options: BackfillOptions,
        *,
        source: IssueSource,
        installation_id: int,
        ctx: HandlerContext,
        store: BackfillStore,
        progress: Progress,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.options = options
        self.source = source
        self.installation_id = installation_id
        self.ctx = ctx
        self.store = store
        self.progress = progress
        self.sleep = sleep

    def config(self) -> RepoConfig:
        return self.ctx.configs.load(self.ctx.github, self.options.repo).config

    def cursor(self) -> RunCursor:
        """Where this run starts: the stored cursor, unless it is finished, for other filters, or restarted."""
        o = self.options
        cursor = self.store.cursor(o.repo, o.mode)
        if cursor is None or o.restart or (cursor.state, cursor.since) != (o.state, o.since):
            return self.store.start(o.repo, o.mode, state=o.state, since=o.since)
        return cursor

    def run(self, cursor: RunCursor) -> RunSummary:
        o = self.options
        summary = RunSummary(o.repo, o.mode, finished=cursor.finished)
        if cursor.finished:
            return summary
        self.progress.started(cursor, len(self.store.issues(o.repo, o.mode)))
        number = cursor.next_page
        while True:
            page = self._read_page(number)
            summary.pull_requests += page.pull_requests
            if not self._take(page, summary, first_look=True):
                return summary
            if page.has_next:
                cursor = self.store.advance(cursor, next_page=number + 1, finished=False)
                number += 1
                continue
            if o.state == "open" and number > 1 and not self._sweep(summary):
                return summary
            self.store.advance(cursor, next_page=number + 1, finished=True)
            summary.finished = True
            return summary

    def _take(self, page: IssuePage, summary: RunSummary, *, first_look: bool) -> bool:
        """Decide the page's issues not decided yet; False when the run's limit stops it."""
        o = self.options
        self.progress.page_read(page)
        done = self.store.decided(o.repo, o.mode, [i.snapshot.number for i in page.issues])
        for listed in page.issues:
            if listed.snapshot.number in done:
                if first_look:
                    summary.already += 1
                continue
            if o.limit is not None and summary.decided >= o.limit:
                summary.stopped_by_limit = True
                return False
            result = self._decide(listed)
            summary.decided += 1
            summary.outcomes[result.outcome] += 1
            self.progress.decided(result.issue_number, result.outcome)
        return True

    def _sweep(self, summary: RunSummary) -> bool:
        """Every issue closed while the listing of open issues was read moved the ones after it up a place,
        so some may have slipped onto a page already read: read the listing once more and decide only
        those. False when the run's limit stops it (the rerun sweeps again)."""
        self.progress.sweeping()
        number = 1
        while True:
            page = self._read_page(number)
            if not self._take(page, summary, first_look=False):
                return False
            if not page.has_next:
                return True
            number += 1

    def _read_page(self, number: int) -> IssuePage:
        o = self.options
        return self._patiently(
            lambda: self.source.page(self.installation_id, o.repo, number, state=o.state, since=o.since)
        )

    def _decide(self, listed: ListedIssue) -> BackfilledIssue:
        o, issue = self.options, listed.snapshot
        event = Event(
            name="issues", action="opened", delivery_id=f"backfill-{o.mode}", installation_id=self.installation_id,
            payload={"action": "opened", "issue": dict(listed.payload), "repository": {"full_name": o.repo},
                     "installation": {"id": self.installation_id}},
        )
        # An existing issue the bot has not seen is decided like one transferred in: `triggers.opened`
        # governs it, and its timeline is read for labels a human removed before the bot writes.
        decision = self._patiently(lambda: triage(event, self.ctx, "transferred", recorded_as="backfill"))
        predicted, ptm_score, category_score = self._model_view(issue, decision, event.delivery_id)
        result = BackfilledIssue(
            repo=o.repo, mode=o.mode, issue_number=issue.number, title=issue.title, html_url=listed.html_url,
            author=issue.author, state=issue.state, issue_labels=issue.labels,
            created_at=parse_time(issue.created_at), closed_at=parse_time(listed.closed_at),
            outcome=decision.outcome, why=decision.why, category=decision.category, tier=tier_of(decision),
            predicted=predicted, labels=decision.labels_to_add, ptm_score=ptm_score,
            category_score=category_score,
        )
        self.store.record(result)
        return result

    def _model_view(
        self, issue: IssueSnapshot, decision: Decision, delivery_id: str
    ) -> tuple[str | None, float | None, float | None]:
        """(the category the bot gives the issue, PTM score, category score), for the report's agreement
        with human labels. A decision the model took part in says it; for an issue the pipeline skipped
        before asking the model (e.g. it already carries a category label), the model is asked here about
        the issue as if it were unlabelled, at the model's default thresholds."""
        if decision.outcome != "skipped":
            ptm_score, category_score = self.store.recorded_scores(issue.repo, issue.number, delivery_id)
            return decision.category, ptm_score, category_score
        prediction = self.ctx.predictor.predict(build_document(issue))
        unlabelled = decide(replace(issue, labels=()), self.config(), prediction, (), (), Trigger("opened"),
                            deployment_dry_run=True)
        predicted = unlabelled.category if unlabelled.outcome == "labeled" else None
        return predicted, prediction.ptm_score, prediction.category_score

    def _patiently(self, call: Callable[[], _T]) -> _T:
        """`call()`, waiting out GitHub's rate limits and the pacing of writes (each call is idempotent)."""
        for _ in range(MAX_WAITS):
            try:
                return call()
            except Throttled as exc:
                self.progress.waiting(exc.delay, str(exc))
                self.sleep(exc.delay)
        return call()
