"""Nothing happens twice, and GitHub's limits are respected: the adapter's request loop (bot/github/http.py)
against faults the HTTP double injects (502 after a write, timeouts, secondary/primary rate limits).
"""

from __future__ import annotations

import time

import pytest

from bot.errors import PermanentFailure, RetryLater, Throttled
from bot.github.client import WriteLimits
from bot.github.port import GitHubPort
from tests.bot.github.adapter import (  # noqa: F401 - fixtures are used by name
    CHECK_RUNS,
    COMMENTS,
    CONFIG,
    CONTENTS,
    FAST,
    HOLD,
    ISSUE_LABELS,
    LABELS,
    MARKER,
    calls,
    client,
    factory,
    gh,
    make_factory,
    sent,
    settled,
)
from tests.support.github_fixtures import GitHubDoubleHandle

# -- nothing happens twice -------------------------------------------------------------------------------


def test_a_502_after_the_comment_was_written_yields_exactly_one_comment(
    gh: GitHubDoubleHandle, client: GitHubPort
) -> None:
    gh.add_fault("error", method="POST", route=COMMENTS, status=502, after_apply=True)
    comment = client.create_comment(gh.repo, 1, f"{MARKER}\nhello")
    assert [c["id"] for c in gh.comments(gh.repo, 1)] == [comment.id]
    assert sent(gh, "POST", COMMENTS) == 1  # neither PyGithub nor the adapter posted again
    assert [c["method"] for c in gh.api_calls(template=COMMENTS)] == ["POST", "GET"]


@pytest.mark.slow  # waits out real HTTP timeouts
def test_a_timeout_after_the_comment_was_written_yields_exactly_one_comment(
    gh: GitHubDoubleHandle, client: GitHubPort
) -> None:
    gh.add_fault("timeout", method="POST", route=COMMENTS, after_apply=True, hold=HOLD)
    before = calls().get(("create_comment", "timeout"), 0)
    comment = client.create_comment(gh.repo, 1, f"{MARKER}\nhello")
    assert [c["id"] for c in gh.comments(gh.repo, 1)] == [comment.id]
    log = settled(gh, 3)  # token, POST (timed out; logged when the double answers), GET (found it)
    assert sorted((c["method"], c["template"]) for c in log[1:]) == [("GET", COMMENTS), ("POST", COMMENTS)]
    assert calls()[("create_comment", "timeout")] == before + 1


def test_a_502_before_the_write_posts_again_after_looking(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    gh.add_fault("error", method="POST", route=COMMENTS, status=502)
    comment = client.create_comment(gh.repo, 1, f"{MARKER}\nhello")
    assert [c["id"] for c in gh.comments(gh.repo, 1)] == [comment.id]
    assert [c["method"] for c in gh.api_calls(template=COMMENTS)] == ["POST", "GET", "POST"]


@pytest.mark.slow  # waits out real HTTP timeouts
def test_a_timeout_without_a_write_is_retried_later_not_now(
    gh: GitHubDoubleHandle, client: GitHubPort
) -> None:
    gh.add_fault("timeout", method="POST", route=COMMENTS, hold=HOLD)
    with pytest.raises(RetryLater) as caught:
        client.create_comment(gh.repo, 1, f"{MARKER}\nhello")
    assert not isinstance(caught.value, Throttled) and caught.value.delay > 0
    log = settled(gh, 3)
    assert sorted((c["method"], c["template"]) for c in log[1:]) == [("GET", COMMENTS), ("POST", COMMENTS)]
    assert gh.comments(gh.repo, 1) == []


def test_a_comment_that_keeps_failing_is_rescheduled_without_duplicates(
    gh: GitHubDoubleHandle, client: GitHubPort
) -> None:
    gh.add_fault("error", method="POST", route=COMMENTS, status=503, count=None)
    with pytest.raises(RetryLater) as caught:
        client.create_comment(gh.repo, 1, f"{MARKER}\nhello")
    assert caught.value.delay > 0
    assert gh.comments(gh.repo, 1) == [] and sent(gh, "POST", COMMENTS) == FAST.attempts


@pytest.mark.slow  # waits out real HTTP timeouts
def test_5xx_and_timeouts_on_reads_are_retried_then_rescheduled(
    gh: GitHubDoubleHandle, client: GitHubPort
) -> None:
    gh.add_fault("error", method="GET", route=CONTENTS, status=502)
    gh.add_fault("timeout", method="GET", route=LABELS, hold=HOLD)
    assert client.read_file(gh.repo, CONFIG).text is None
    assert client.repo_labels(gh.repo) == frozenset()
    gh.add_fault("timeout", method="GET", route=CONTENTS, hold=HOLD, count=FAST.attempts)
    with pytest.raises(RetryLater, match="timed out"):
        client.read_file(gh.repo, CONFIG)
    log = settled(gh, 1 + 2 + 2 + FAST.attempts)
    assert len([c for c in log if c["template"] == CONTENTS]) == 2 + FAST.attempts


# -- GitHub's limits -------------------------------------------------------------------------------------


def test_a_secondary_limit_throttles_the_whole_installation(
    gh: GitHubDoubleHandle, client: GitHubPort
) -> None:
    gh.add_fault("secondary_rate_limit", method="POST", route=ISSUE_LABELS, retry_after=42)
    with pytest.raises(Throttled) as caught:
        client.add_labels(gh.repo, 1, ["ptm"])
    assert caught.value.delay == 42
    before = sent(gh)
    with pytest.raises(Throttled) as again:  # GitHub is not asked again before the wait is over
        client.read_file(gh.repo, CONFIG)
    assert 40 < again.value.delay <= 42 and sent(gh) == before


def test_429_honours_retry_after(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    gh.add_fault("too_many_requests", method="GET", route=CONTENTS, retry_after=17)
    with pytest.raises(Throttled) as caught:
        client.read_file(gh.repo, CONFIG)
    assert caught.value.delay == 17


def test_the_primary_limit_waits_until_the_reset(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    gh.add_fault("primary_rate_limit", method="GET", route=CONTENTS, retry_after=600)
    with pytest.raises(Throttled) as caught:
        client.read_file(gh.repo, CONFIG)
    assert 590 < caught.value.delay <= 602


def test_an_exhausted_quota_stops_requests_before_github_refuses(
    gh: GitHubDoubleHandle, client: GitHubPort
) -> None:
    client.read_file(gh.repo, CONFIG)
    gh.set_rate_limit(gh.installation_id, 1)
    client.read_file(gh.repo, CONFIG)  # answered with X-RateLimit-Remaining: 0
    before = sent(gh)
    with pytest.raises(Throttled) as caught:
        client.read_file(gh.repo, CONFIG)
    assert sent(gh) == before
    assert caught.value.delay <= gh.world.rate_reset - time.time() + 1


def test_a_forbidden_request_is_not_a_rate_limit(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    gh.add_fault("error", method="POST", route=COMMENTS, status=403)
    with pytest.raises(PermanentFailure, match="403"):
        client.create_comment(gh.repo, 1, "hi")


def test_writes_are_paced_per_installation(gh: GitHubDoubleHandle) -> None:
    factory = make_factory(gh, limits=WriteLimits(per_minute=2, per_hour=10, max_inline_wait=0))
    client = factory.for_installation(gh.installation_id)
    client.add_labels(gh.repo, 1, ["a"])
    comment = client.create_comment(gh.repo, 1, "hi")
    client.read_file(gh.repo, CONFIG)  # reads are not content-creating
    before = sent(gh)
    with pytest.raises(Throttled) as caught:
        client.edit_comment(gh.repo, 1, comment.id, "edited")
    assert 55 < caught.value.delay <= 60 and sent(gh) == before


def test_every_request_is_counted(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    before = calls()
    client.read_file(gh.repo, CONFIG)
    gh.add_fault("error", method="GET", route=CONTENTS, status=502)
    client.read_file(gh.repo, CONFIG)
    after = calls()

    def grew(key: tuple[str, str]) -> float:
        return after.get(key, 0) - before.get(key, 0)

    assert grew(("read_file", "404")) == 2 and grew(("read_file", "502")) == 1
    assert grew(("create_access_token", "201")) == 1


def test_a_check_run_after_a_lost_answer_is_not_duplicated(
    gh: GitHubDoubleHandle, client: GitHubPort
) -> None:
    gh.add_fault("error", method="POST", route=CHECK_RUNS, status=502, after_apply=True)
    client.create_check_run(gh.repo, "b" * 40, "ptm-triage config", "success", "Config OK", "fine")
    assert len(gh.state()["check_runs"]) == 1 and sent(gh, "POST", CHECK_RUNS) == 1
    assert sent(gh, "GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs") == 1
