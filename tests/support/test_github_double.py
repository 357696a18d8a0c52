"""The GitHub double over plain HTTP: valid calls pass, invalid ones are answered like GitHub and flagged."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests

from tests.support import webhook_examples
from tests.support.github_double import rest as rest_helpers
from tests.support.github_double.rest import RestApi
from tests.support.github_fixtures import (
    APP_ID,
    BOT_LOGIN,
    INSTALLATION_ID,
    REPO,
    AppKey,
    GitHubDoubleHandle,
    fail_on_violations,
    generate_app_key,
)

TIMEOUT = 5  # seconds


def app_jwt(key: str, iss: int | str = APP_ID, iat_offset: int = -60, lifetime: int = 540) -> str:
    return rest_helpers.app_jwt(key, iss, iat_offset, lifetime)


@pytest.fixture
def api(github_double: GitHubDoubleHandle) -> RestApi:
    return github_double.rest_api()


def kinds(gh: GitHubDoubleHandle) -> list[str]:
    return [v["kind"] for v in gh.take_violations()]


def test_token_then_issue_read_has_githubs_headers(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.add_issue(REPO, "CUDA out of memory", "with llama-7b", user="alice", labels=["bug"])
    response = api("GET", f"/repos/{REPO}/issues/1")
    assert response.status_code == 200
    issue = response.json()
    assert (issue["title"], issue["user"]["login"], [lb["name"] for lb in issue["labels"]]) == (
        "CUDA out of memory", "alice", ["bug"])
    assert "pull_request" not in issue
    assert response.headers["X-RateLimit-Limit"] == "5000"
    assert int(response.headers["X-RateLimit-Remaining"]) == 4999
    assert response.headers["X-GitHub-Request-Id"]
    assert response.headers["ETag"].startswith('W/"')
    assert github_double.core.violations == []


def test_token_has_ghs_prefix_and_expiry(github_double: GitHubDoubleHandle) -> None:
    response = requests.post(f"{github_double.url}/app/installations/{INSTALLATION_ID}/access_tokens",
                             headers={"Authorization": f"Bearer {app_jwt(github_double.private_key_pem)}"},
                             json={"permissions": {"issues": "write"}}, timeout=TIMEOUT)
    body = response.json()
    assert response.status_code == 201
    assert body["token"].startswith("ghs_") and body["expires_at"].endswith("Z")


def test_ghes_prefix_serves_the_same_api_and_links_back_under_it(github_double: GitHubDoubleHandle) -> None:
    github_double.add_issue(REPO, "t")
    ghes = github_double.rest_api(github_double.ghes_url)
    issue = ghes("GET", f"/repos/{REPO}/issues/1").json()
    assert issue["url"] == f"{github_double.ghes_url}/repos/{REPO}/issues/1"
    assert ghes("GET", f"/repos/{REPO}").json()["default_branch"] == "main"


def test_unknown_route_is_404_and_a_violation(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    assert api("GET", f"/repos/{REPO}/no-such-thing/1").status_code == 404
    assert api("PUT", f"/repos/{REPO}/issues/1").status_code == 404  # route exists, method does not
    assert api("GET", f"/repos/{REPO}/pulls").status_code == 404  # GitHub has it, the double does not
    assert kinds(github_double) == ["unknown_route", "method", "unimplemented"]


def test_bad_bodies_and_parameters_get_githubs_answer_and_are_flagged(
        github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.add_issue(REPO, "t")
    no_name = api("POST", f"/repos/{REPO}/labels", json={"color": "ffffff"})
    assert no_name.status_code == 422 and "name" in no_name.json()["message"]
    assert api("POST", f"/repos/{REPO}/issues/1/comments", json={"body": 42}).status_code == 422
    assert api("POST", f"/repos/{REPO}/issues/1/labels", json=["bare", "array"]).status_code == 422
    assert api("POST", f"/repos/{REPO}/issues/1/comments", data=b"{not json").status_code == 400
    assert api("GET", f"/repos/{REPO}/issues/abc").status_code == 404
    assert api("GET", f"/repos/{REPO}/labels", params={"per_page": "many"}).status_code == 422
    assert kinds(github_double) == ["request"] * 6


def test_legitimate_errors_are_not_violations(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.add_repo("someone-else/private")  # not in the installation: GitHub says 404
    assert api("GET", "/repos/someone-else/private").status_code == 404
    assert api("GET", f"/repos/{REPO}/issues/99").status_code == 404
    assert api("POST", f"/repos/{REPO}/labels", json={"name": "ptm"}).status_code == 201
    duplicate = api("POST", f"/repos/{REPO}/labels", json={"name": "PTM"})
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"][0]["code"] == "already_exists"
    assert github_double.core.violations == []


@pytest.mark.parametrize("make_token", [
    pytest.param(lambda key, other: app_jwt(other.private_key_pem), id="signed-with-another-key"),
    pytest.param(lambda key, other: app_jwt(key, iat_offset=-700), id="expired"),
    pytest.param(lambda key, other: app_jwt(key, lifetime=3600), id="valid-too-long"),
    pytest.param(lambda key, other: app_jwt(key, iss=999), id="another-app"),
    pytest.param(lambda key, other: app_jwt(key, iat_offset=600), id="issued-in-the-future"),
    pytest.param(lambda key, other: "ghs_not-a-token", id="unknown-installation-token"),
])
def test_bad_app_credentials_are_refused(github_double: GitHubDoubleHandle, make_token: Any) -> None:
    token = make_token(github_double.private_key_pem, other_key())
    response = requests.post(f"{github_double.url}/app/installations/{INSTALLATION_ID}/access_tokens",
                             headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
    assert response.status_code == 401
    assert kinds(github_double) == ["auth"]


_OTHER: list[AppKey] = []


def other_key() -> AppKey:
    if not _OTHER:
        _OTHER.append(generate_app_key())
    return _OTHER[0]


def test_each_endpoint_wants_its_kind_of_credential(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    jwt_headers = {"Authorization": f"Bearer {app_jwt(github_double.private_key_pem)}"}
    assert requests.get(f"{github_double.url}/repos/{REPO}", headers=jwt_headers, timeout=TIMEOUT
                        ).status_code == 401
    assert api("GET", "/app").status_code == 401
    assert requests.get(f"{github_double.url}/repos/{REPO}", timeout=TIMEOUT).status_code == 401
    assert api("GET", "/rate_limit").status_code == 200
    app = requests.get(f"{github_double.url}/app", headers=jwt_headers, timeout=TIMEOUT).json()
    assert app["id"] == APP_ID
    installations = requests.get(f"{github_double.url}/app/installations", headers=jwt_headers,
                                 timeout=TIMEOUT).json()
    assert [i["id"] for i in installations] == [INSTALLATION_ID]
    github_double.expire_tokens()
    assert api("GET", f"/repos/{REPO}").status_code == 401
    assert kinds(github_double) == ["auth"] * 4


def test_contents_etag_gives_304_without_rate_cost(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    path = f"/repos/{REPO}/contents/.github/ptm-triage.yml"
    github_double.put_file(REPO, ".github/ptm-triage.yml", "comment: false\n")
    first = api("GET", path)
    assert first.status_code == 200 and first.json()["encoding"] == "base64"
    etag, remaining = first.headers["ETag"], first.headers["X-RateLimit-Remaining"]
    again = api("GET", path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["X-RateLimit-Remaining"] == remaining
    github_double.put_file(REPO, ".github/ptm-triage.yml", "comment: true\n")
    changed = api("GET", path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert api("GET", f"/repos/{REPO}/contents/missing.yml").status_code == 404
    assert api("GET", path, params={"ref": "other-branch"}).status_code == 404


def test_contents_at_a_commit_sha(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    path = f"/repos/{REPO}/contents/.github/ptm-triage.yml"
    first = github_double.put_file(REPO, ".github/ptm-triage.yml", "v1\n")
    second = github_double.delete_file(REPO, ".github/ptm-triage.yml")
    assert len({first, second}) == 2 and len(first) == 40
    old = api("GET", path, params={"ref": first})
    assert old.status_code == 200 and base64.b64decode(old.json()["content"]) == b"v1\n"
    assert api("GET", path, params={"ref": second}).status_code == 404
    assert api("GET", path).status_code == 404


def test_writes_act_as_the_bot_and_show_in_the_timeline(
        github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.add_issue(REPO, "t", labels=["bug"])
    labels = api("POST", f"/repos/{REPO}/issues/1/labels", json={"labels": ["ptm", "bug"]})
    assert sorted(lb["name"] for lb in labels.json()) == ["bug", "ptm"]
    github_double.label_event(REPO, 1, "unlabeled", "ptm", actor="maintainer")
    timeline = api("GET", f"/repos/{REPO}/issues/1/timeline").json()
    assert [(e["event"], e["label"]["name"], e["actor"]["login"]) for e in timeline] == [
        ("labeled", "ptm", BOT_LOGIN), ("unlabeled", "ptm", "maintainer")]
    assert api("GET", f"/repos/{REPO}/issues/1/events").json() == timeline
    created = api("POST", f"/repos/{REPO}/issues/1/comments", json={"body": "hi <!-- m -->"}).json()
    assert created["user"]["login"] == BOT_LOGIN and created["user"]["type"] == "Bot"
    assert api("PATCH", f"/repos/{REPO}/issues/comments/{created['id']}", json={"body": "edited"}).ok
    assert [c["body"] for c in github_double.comments(REPO, 1)] == ["edited"]
    assert api("DELETE", f"/repos/{REPO}/issues/comments/{created['id']}").status_code == 204
    assert github_double.comments(REPO, 1) == []
    sha = "a" * 40
    run = api("POST", f"/repos/{REPO}/check-runs", json={
        "name": "ptm-triage config", "head_sha": sha, "conclusion": "failure",
        "output": {"title": "Invalid config", "summary": "thresholds.ptm: expected a number"}})
    assert run.status_code == 201 and run.json()["status"] == "completed"


def test_lists_paginate_with_link_headers(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    for n in range(35):
        github_double.add_label(REPO, f"label-{n}")
    first = api("GET", f"/repos/{REPO}/labels")
    assert len(first.json()) == 30 and 'rel="next"' in first.headers["Link"]
    second = requests.get(first.links["next"]["url"], headers=api.session.headers, timeout=TIMEOUT)
    assert len(second.json()) == 5 and "next" not in second.links


def test_the_doubles_own_invalid_answer_is_a_violation(
        github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.add_label(REPO, "ptm")
    github_double.world.repo(REPO).labels[0].color = None  # type: ignore[union-attr]
    assert api("GET", f"/repos/{REPO}/labels/ptm").status_code == 200
    assert kinds(github_double) == ["response"]


def test_teardown_check_fails_a_test_with_violations(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    api("GET", "/nowhere")
    with pytest.raises(pytest.fail.Exception, match="unknown_route: GET /nowhere"):
        fail_on_violations(github_double.core)
    fail_on_violations(github_double.core)  # taken: nothing left to fail on


def test_control_api_seed_dump_and_reset(github_double: GitHubDoubleHandle) -> None:
    github_double.add_issue(REPO, "t", labels=["ptm"])
    github_double.put_file(REPO, "a.txt", "x")
    dumped = github_double.state()
    github_double.reset()
    assert github_double.state()["repos"] == []
    github_double.seed(dumped)
    assert github_double.state() == dumped
    with pytest.raises(RuntimeError, match="404"):
        github_double.add_issue("nobody/nothing", "t")


def test_request_log_counts_calls(github_double: GitHubDoubleHandle, api: RestApi) -> None:
    github_double.add_issue(REPO, "t")
    api("GET", f"/repos/{REPO}/issues/1")
    api("POST", f"/repos/{REPO}/issues/1/comments", json={"body": "b"})
    calls = github_double.requests()
    assert [(c["method"], c["template"], c["status"]) for c in calls] == [
        ("POST", "/app/installations/{installation_id}/access_tokens", 201),
        ("GET", "/repos/{owner}/{repo}/issues/{issue_number}", 200),
        ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 201)]
    assert calls[1]["installation_id"] == INSTALLATION_ID
    assert len(github_double.api_calls("POST")) == 2


def test_a_real_webhook_example_seeds_the_issue_it_is_about(
        github_double: GitHubDoubleHandle, api: RestApi) -> None:
    _, payload = next(e for e in webhook_examples.examples("issues") if e.action == "opened")
    payload = webhook_examples.for_installation(payload, INSTALLATION_ID)
    github_double.add_issue_from_payload(payload, INSTALLATION_ID)
    repo, number = payload["repository"]["full_name"], payload["issue"]["number"]
    issue = api("GET", f"/repos/{repo}/issues/{number}").json()
    assert (issue["title"], issue["user"]["login"]) == (payload["issue"]["title"],
                                                        payload["issue"]["user"]["login"])
    assert payload["installation"]["id"] == INSTALLATION_ID
    with pytest.raises(RuntimeError, match="409"):
        github_double.add_issue_from_payload(payload, INSTALLATION_ID)
