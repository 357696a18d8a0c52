"""Faults fire as configured: which route, how often, with what answer, before or after the write."""

from __future__ import annotations

import pytest
import requests

from tests.support.github_double.faults import Faults
from tests.support.github_double.rest import RestApi
from tests.support.github_fixtures import REPO, GitHubDoubleHandle

COMMENTS = "/repos/{owner}/{repo}/issues/{issue_number}/comments"


@pytest.fixture
def api(github_double: GitHubDoubleHandle) -> RestApi:
    github_double.add_issue(REPO, "t")
    return github_double.rest_api()


def post_comment(api: RestApi, body: str = "b", timeout: float = 5) -> requests.Response:
    return api("POST", f"/repos/{REPO}/issues/1/comments", json={"body": body}, timeout=timeout)


def test_502_fires_count_times_on_its_route_only(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.add_fault("error", method="POST", route=COMMENTS, status=502, count=2)
    assert api("GET", f"/repos/{REPO}/issues/1").status_code == 200  # another route: untouched
    assert [post_comment(api).status_code for _ in range(3)] == [502, 502, 201]
    assert len(github_double.comments(REPO, 1)) == 1
    assert [r["fault"] for r in github_double.api_calls("POST", COMMENTS)] == ["error", "error", None]
    assert github_double.faults()[0]["fired"] == 2


def test_502_after_apply_means_the_write_happened(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.add_fault("error", method="WRITE", status=502, after_apply=True)
    assert post_comment(api, "first").status_code == 502
    assert [c["body"] for c in github_double.comments(REPO, 1)] == ["first"]


def test_secondary_rate_limit_and_429_carry_retry_after(
        github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.add_fault("secondary_rate_limit", method="POST", retry_after=7)
    github_double.add_fault("too_many_requests", method="POST", retry_after=3)
    first, second = post_comment(api), post_comment(api)
    assert (first.status_code, first.headers["Retry-After"]) == (403, "7")
    assert "secondary rate limit" in first.json()["message"]
    assert (second.status_code, second.headers["Retry-After"]) == (429, "3")
    assert github_double.comments(REPO, 1) == []


def test_primary_rate_limit_says_when_it_resets(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.add_fault("primary_rate_limit", route="*", retry_after=120)
    response = api("GET", f"/repos/{REPO}")
    assert response.status_code == 403
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert int(response.headers["X-RateLimit-Reset"]) > 0


def test_exhausted_rate_limit_refuses_until_reset(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.set_rate_limit(github_double.installation_id, 1)
    assert api("GET", f"/repos/{REPO}").status_code == 200
    refused = api("GET", f"/repos/{REPO}")
    assert refused.status_code == 403 and refused.headers["X-RateLimit-Remaining"] == "0"
    assert api("GET", "/rate_limit").json()["rate"]["remaining"] == 0


def test_timeout_holds_longer_than_the_client_waits(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.add_fault("timeout", method="POST", hold=1.0, after_apply=True)
    with pytest.raises(requests.exceptions.ReadTimeout):
        post_comment(api, "late", timeout=0.2)
    assert [c["body"] for c in github_double.comments(REPO, 1)] == ["late"]


def test_timeout_before_apply_writes_nothing(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.add_fault("timeout", method="POST", hold=1.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        post_comment(api, timeout=0.2)
    assert github_double.comments(REPO, 1) == []


def test_probability_is_seeded_and_repeatable() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = Faults()
        faults.add(kind="error", probability=0.3, count=None, seed=seed)
        return [faults.pick("POST", "/x") is not None for _ in range(200)]

    assert pattern(1) == pattern(1)
    assert pattern(1) != pattern(2)
    assert 30 < sum(pattern(1)) < 90  # about 30% of 200


def test_latency_delays_every_answer(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.set_latency(0.05)
    assert api("GET", f"/repos/{REPO}").status_code == 200
    assert github_double.api_calls("GET")[-1]["duration_ms"] >= 50


def test_bad_fault_specs_are_refused(github_double: GitHubDoubleHandle) -> None:
    with pytest.raises(RuntimeError, match="400"):
        github_double.add_fault("meteor")
    with pytest.raises(RuntimeError, match="400"):
        github_double.add_fault("error", probability=2)
    github_double.add_fault("error")
    github_double.clear_faults()
    assert github_double.faults() == []
