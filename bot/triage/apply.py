"""Carrying out a triage Decision on GitHub, idempotently. The triage handler calls it.

Every step can be repeated by a retried job without a visible difference: labels are added (never
toggled), a label is created only when missing, and the one comment is found by its marker and edited.
To spend as few API calls as possible, it trusts the payload's labels, caches each repository's labels,
and looks for an existing comment only when one can exist (the issue has comments, or the store says the
bot posted or was about to post one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.errors import Throttled
from bot.github.label_cache import LabelCache
from bot.github.port import GitHubPort, IssueSnapshot
from bot.store.decisions import Records
from bot.triage.comment import MARKER
from bot.triage.decide import Decision

# How long another job's claim to post the comment holds: longer than one post can take with its retries
# and timeouts, so a slow post is never taken over; a crashed job's own retry takes its claim back at once.
CLAIM_SECONDS = 300.0
WAIT_FOR_CLAIM = 30.0  # seconds a job waits before it looks again at a comment another job is posting


@dataclass(frozen=True)
class Applied:
    labels: tuple[str, ...]  # the issue's labels afterwards (as GitHub reports them)
    comment_id: int | None
    comment_action: str  # created | edited | unchanged | none | withheld (a human deleted it)


def apply_decision(
    github: GitHubPort,
    records: Records,
    issue: IssueSnapshot,
    decision: Decision,
    *,
    comments_on_issue: int,
    cache: LabelCache,
    claimant: str,
) -> Applied:
    repo, number = issue.repo, issue.number
    labels = issue.labels
    if decision.labels:
        _ensure_labels(github, repo, decision, issue.labels, cache)
        labels = github.add_labels(repo, number, decision.labels_to_add)
        # Recorded at once, so feedback recognises the bot's labels even if the comment step fails.
        records.note_applied(repo, number, category=decision.category, labels=decision.labels_to_add)
    if decision.comment is None:
        return Applied(labels, None, "none")
    comment_id, action = _upsert_comment(github, records, issue, decision, comments_on_issue, claimant)
    return Applied(labels, comment_id, action)


def _ensure_labels(
    github: GitHubPort, repo: str, decision: Decision, on_issue: Iterable[str], cache: LabelCache
) -> None:
    present = {name.casefold() for name in on_issue}
    missing = [spec for spec in decision.labels if spec.name.casefold() not in present]
    if not missing:
        return
    known = cache.known(repo)
    if known is None or any(spec.name.casefold() not in known for spec in missing):
        known = frozenset(name.casefold() for name in github.repo_labels(repo))
        cache.remember(repo, known, fresh=True)
    for spec in missing:
        if spec.name.casefold() not in known:
            github.create_label(repo, spec)
            cache.remember(repo, [spec.name])


def _upsert_comment(
    github: GitHubPort, records: Records, issue: IssueSnapshot, decision: Decision, comments_on_issue: int,
    claimant: str,
) -> tuple[int | None, str]:
    assert decision.comment is not None
    repo, number, body = issue.repo, issue.number, decision.comment
    state = records.issue_state(repo, number)
    if state is not None and state.comment_state == "deleted":
        return None, "withheld"
    if comments_on_issue > 0 or (state is not None and state.comment_state in ("pending", "posted")):
        existing = github.find_comment(repo, number, MARKER)
        if existing is not None:
            if existing.body != body:
                github.edit_comment(repo, number, existing.id, body)
            records.note_applied(
                repo, number, category=decision.category, labels=(), comment_id=existing.id,
                comment_state="posted",
            )
            return existing.id, "edited" if existing.body != body else "unchanged"
        if state is not None and state.comment_state == "posted":
            # The bot posted it and it is gone: a human deleted it. Do not post it again.
            records.note_applied(repo, number, category=None, labels=(), comment_state="deleted")
            return None, "withheld"
    # Claim the comment first: a retry after a crash past GitHub's answer looks for it, and a job running
    # at the same time for the same issue (an edit right after opening) waits rather than posts a second one.
    if not records.claim_comment(repo, number, claimant=claimant, category=decision.category,
                                 stale_after=CLAIM_SECONDS):
        raise Throttled(f"{repo}#{number}: another job is posting the comment", delay=WAIT_FOR_CLAIM)
    created = github.create_comment(repo, number, body)
    records.note_applied(
        repo, number, category=decision.category, labels=(), comment_id=created.id, comment_state="posted"
    )
    return created.id, "created"
