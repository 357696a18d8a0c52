"""PyGithub, the library the real adapter uses, works against the double as against GitHub."""

from __future__ import annotations

import github
import pytest
from github import Auth, GithubIntegration

from tests.support.github_fixtures import BOT_LOGIN, REPO, GitHubDoubleHandle


def installation_client(gh: GitHubDoubleHandle, base_url: str) -> github.Github:
    # PyGithub spaces requests out (0.25 s, 1 s between writes) unless told otherwise.
    integration = GithubIntegration(auth=Auth.AppAuth(gh.app_id, gh.private_key_pem), base_url=base_url,
                                    seconds_between_requests=None, seconds_between_writes=None)
    return integration.get_github_for_installation(gh.installation_id)


@pytest.mark.parametrize("ghes", [False, True], ids=["github.com", "ghes"])
def test_the_bots_calls_through_pygithub(github_double: GitHubDoubleHandle, ghes: bool) -> None:
    gh = github_double
    gh.add_issue(REPO, "Loading llama weights fails", "OSError: gated repo", user="alice")
    gh.put_file(REPO, ".github/ptm-triage.yml", "comment: false\n")
    client = installation_client(gh, gh.ghes_url if ghes else gh.url)

    repo = client.get_repo(REPO)
    issue = repo.get_issue(1)
    assert (issue.title, issue.user.login) == ("Loading llama weights fails", "alice")
    assert issue.pull_request is None
    repo.create_label("model-acquisition", "1d76db", "Downloading or accessing model weights")
    assert [label.name for label in repo.get_labels()] == ["model-acquisition"]
    assert repo.get_label("model-acquisition").color == "1d76db"

    comment = issue.create_comment("Looks like model access. <!-- ptm-triage -->")
    comment.edit("Edited. <!-- ptm-triage -->")
    comments = [(c.user.login, c.body) for c in issue.get_comments()]
    assert comments == [(BOT_LOGIN, "Edited. <!-- ptm-triage -->")]
    comment.delete()
    assert issue.get_comments().totalCount == 0

    config = repo.get_contents(".github/ptm-triage.yml")
    assert not isinstance(config, list) and config.decoded_content == b"comment: false\n"
    repo.create_check_run("ptm-triage config", "b" * 40, status="completed", conclusion="success",
                          output={"title": "Config OK", "summary": "Valid."})
    gh.label_event(REPO, 1, "labeled", "model-acquisition", actor="maintainer")
    assert [(e.event, e.actor.login) for e in issue.get_events()] == [("labeled", "maintainer")]
    assert client.get_rate_limit().resources.core.remaining < 5000
    assert gh.core.violations == []


def test_add_to_labels_sends_a_body_the_description_does_not_allow(github_double: GitHubDoubleHandle) -> None:
    gh = github_double
    gh.add_issue(REPO, "t")
    issue = installation_client(gh, gh.url).get_repo(REPO).get_issue(1)
    with pytest.raises(github.GithubException) as refused:
        issue.add_to_labels("ptm")  # PyGithub posts a bare JSON array
    assert refused.value.status == 422
    assert [v["kind"] for v in gh.take_violations()] == ["request"]
    # The documented form works.
    issue.requester.requestJsonAndCheck("POST", f"{issue.url}/labels", input={"labels": ["ptm"]})
    assert gh.issue(REPO, 1)["labels"] == ["ptm"]


def test_an_expired_token_is_refused_until_a_new_one_is_made(github_double: GitHubDoubleHandle) -> None:
    gh = github_double
    client = installation_client(gh, gh.url)
    assert client.get_repo(REPO).default_branch == "main"
    gh.expire_tokens()
    with pytest.raises(github.BadCredentialsException):
        client.get_repo(REPO)
    assert [v["kind"] for v in gh.take_violations()] == ["auth"]
    assert installation_client(gh, gh.url).get_repo(REPO).full_name == REPO
