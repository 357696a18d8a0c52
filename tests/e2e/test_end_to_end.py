"""The App end to end: real gunicorn + embedded workers, real HTTP to the GitHub API double."""

from __future__ import annotations

import pytest

from tests.e2e.harness import (
    PLAIN_BODY,
    PLAIN_TITLE,
    PTM_BODY,
    PTM_TITLE,
    AppServer,
    bot_comments,
    deliver,
    issues_payload,
    writes,
)
from tests.support.github_fixtures import GitHubDoubleHandle
from tests.support.webhook_examples import signed_delivery

pytestmark = pytest.mark.slow

def test_ptm_issue_gets_labels_and_one_comment(app_server: AppServer, github_double: GitHubDoubleHandle,
                                               webhook_secret: str) -> None:
    gh = github_double
    issue = gh.add_issue(gh.repo, PTM_TITLE, PTM_BODY, user="reporter")
    payload = issues_payload("opened", gh.repo, gh.installation_id, issue["number"], PTM_TITLE, PTM_BODY)

    _, response = deliver(app_server, webhook_secret, "issues", payload)
    assert response.status_code == 202
    assert app_server.wait_idle()["done"] == 1

    labels = set(gh.issue(gh.repo, issue["number"])["labels"])
    assert "pre-trained model" in labels
    assert "ptm: hardware" in labels
    comments = bot_comments(gh, issue["number"])
    assert len(comments) == 1
    assert "pytorch.org/docs/stable/notes/cuda.html" in str(comments[0]["body"])


def test_non_ptm_issue_writes_nothing(app_server: AppServer, github_double: GitHubDoubleHandle,
                                      webhook_secret: str) -> None:
    gh = github_double
    issue = gh.add_issue(gh.repo, PLAIN_TITLE, PLAIN_BODY, user="reporter")
    payload = issues_payload("opened", gh.repo, gh.installation_id, issue["number"], PLAIN_TITLE, PLAIN_BODY)

    _, response = deliver(app_server, webhook_secret, "issues", payload)
    assert response.status_code == 202
    assert app_server.wait_idle()["done"] == 1

    assert gh.issue(gh.repo, issue["number"])["labels"] == []
    assert gh.comments(gh.repo, issue["number"]) == []
    assert writes(gh) == []


def test_redelivery_and_reopen_never_post_a_second_comment(
    app_server: AppServer, github_double: GitHubDoubleHandle, webhook_secret: str
) -> None:
    gh = github_double
    issue = gh.add_issue(gh.repo, PTM_TITLE, PTM_BODY, user="reporter")
    opened = issues_payload("opened", gh.repo, gh.installation_id, issue["number"], PTM_TITLE, PTM_BODY)

    delivery, first = deliver(app_server, webhook_secret, "issues", opened)
    app_server.wait_idle()
    _, again = deliver(app_server, webhook_secret, "issues", opened, delivery_id=delivery.delivery_id)
    app_server.wait_idle()
    labels_now = gh.issue(gh.repo, issue["number"])["labels"]
    reopened = issues_payload("reopened", gh.repo, gh.installation_id, issue["number"], PTM_TITLE, PTM_BODY,
                              labels=tuple(labels_now))
    _, third = deliver(app_server, webhook_secret, "issues", reopened)
    counts = app_server.wait_idle()

    assert first.status_code == 202
    assert again.status_code in (200, 202)
    assert third.status_code == 202
    assert counts["done"] == 2  # the redelivered id was acknowledged, not stored again
    assert len(bot_comments(gh, issue["number"])) == 1
    assert len(gh.api_calls("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments")) == 1


def test_tampered_delivery_is_rejected_and_writes_nothing(
    app_server: AppServer, github_double: GitHubDoubleHandle, webhook_secret: str
) -> None:
    gh = github_double
    issue = gh.add_issue(gh.repo, PTM_TITLE, PTM_BODY, user="reporter")
    payload = issues_payload("opened", gh.repo, gh.installation_id, issue["number"], PTM_TITLE, PTM_BODY)
    delivery = signed_delivery("issues", payload, webhook_secret)
    tampered = delivery.body.replace(b"whisper", b"Whisper")

    response = app_server.post(delivery, body=tampered)

    assert response.status_code == 401
    assert app_server.inbox_counts().get("pending", 0) == 0
    assert writes(gh) == []
    assert gh.comments(gh.repo, issue["number"]) == []
