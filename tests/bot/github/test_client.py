"""The PyGithub adapter's port methods and App authentication, over real HTTP against the GitHub API double.

The double checks every request against GitHub's OpenAPI description and verifies the App JWT and the
installation tokens. Faults, retries and rate limits are in test_github_http.py.
"""

from __future__ import annotations

import logging
import threading

import pytest

from bot.errors import PermanentFailure
from bot.github.client import AppClientFactory, InstallationClient
from bot.github.port import GitHubPort
from bot.settings import Settings
from classifier.taxonomy import LabelSpec
from tests.bot.github.adapter import (  # noqa: F401 - fixtures are used by name
    CHECK_RUNS,
    COMMENTS,
    CONFIG,
    CONTENTS,
    EVENTS,
    ISSUE_LABELS,
    LABELS,
    MARKER,
    TOKENS,
    calls,
    client,
    factory,
    gh,
    make_factory,
    sent,
)
from tests.support.github_double import state as double_state
from tests.support.github_fixtures import GitHubDoubleHandle

# -- authentication --------------------------------------------------------------------------------------


def test_the_client_has_every_port_method() -> None:
    port_methods = {name for name in vars(GitHubPort) if not name.startswith("_")}
    assert port_methods and port_methods <= set(vars(InstallationClient))


def test_one_token_serves_many_requests(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    for _ in range(5):
        client.read_file(gh.repo, CONFIG)
    client.repo_labels(gh.repo)
    assert sent(gh, "POST", TOKENS) == 1
    assert sent(gh) == 7


def test_threads_share_one_token(gh: GitHubDoubleHandle, factory: AppClientFactory) -> None:
    assert factory.for_installation(gh.installation_id) is factory.for_installation(gh.installation_id)
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        factory.for_installation(gh.installation_id).read_file(gh.repo, CONFIG)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sent(gh, "POST", TOKENS) == 1 and sent(gh, "GET", CONTENTS) == 8


def test_a_token_close_to_expiry_is_replaced(
    gh: GitHubDoubleHandle, client: GitHubPort, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(double_state, "TOKEN_LIFETIME", 4 * 60)  # inside our 5-minute refresh margin
    client.read_file(gh.repo, CONFIG)
    client.read_file(gh.repo, CONFIG)
    assert sent(gh, "POST", TOKENS) == 2


def test_a_refused_token_is_replaced_once(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    client.read_file(gh.repo, CONFIG)
    gh.expire_tokens()  # e.g. revoked early
    assert client.read_file(gh.repo, CONFIG).text is None
    assert sent(gh, "POST", TOKENS) == 2
    assert [v["kind"] for v in gh.take_violations()] == ["auth"]  # the one 401 we provoked


def test_github_enterprise_server_prefix(gh: GitHubDoubleHandle) -> None:
    for i in range(120):
        gh.world.add_label(gh.world.repo(gh.repo), f"label-{i}")  # type: ignore[arg-type]
    factory = make_factory(gh, url=gh.ghes_url)
    client = factory.for_installation(gh.installation_id)
    assert client.read_file(gh.repo, CONFIG).text is None
    assert len(client.repo_labels(gh.repo)) == 120  # the next-page link also stays under /api/v3
    paths = [call["path"] for call in gh.core.requests_as_json()]
    assert len(paths) == 4 and all(path.startswith("/api/v3/") for path in paths)


def test_an_uninstalled_app_is_a_permanent_failure(gh: GitHubDoubleHandle, factory: AppClientFactory) -> None:
    with pytest.raises(PermanentFailure, match="installation 999"):
        factory.for_installation(999).read_file(gh.repo, CONFIG)


def test_missing_credentials_are_refused() -> None:
    with pytest.raises(ValueError, match="APP_ID"):
        AppClientFactory(Settings(app_id=None, private_key=None, webhook_secret="x"))


def test_tokens_and_jwts_never_reach_the_logs(
    gh: GitHubDoubleHandle, caplog: pytest.LogCaptureFixture
) -> None:
    pygithub = logging.getLogger("github")
    level = pygithub.level
    pygithub.setLevel(logging.NOTSET)  # as if a logging config had opened everything up to DEBUG
    caplog.set_level(logging.DEBUG)
    try:
        factory = make_factory(gh)
        client = factory.for_installation(gh.installation_id)
        client.read_file(gh.repo, CONFIG)
        gh.expire_tokens()
        client.read_file(gh.repo, CONFIG)
    finally:
        pygithub.setLevel(level)
    gh.take_violations()
    issued = list(gh.world.tokens)
    app_jwt = factory.tokens.app_jwt()
    assert len(issued) == 2 and "/access_tokens" in caplog.text  # urllib3's DEBUG lines are there
    assert not any(token in caplog.text for token in issued)
    assert "ghs_" not in caplog.text and app_jwt.split(".")[0] not in caplog.text
    assert "PRIVATE KEY" not in caplog.text


# -- each port method: one request each ------------------------------------------------------------------


def test_missing_repositories_and_issues_are_permanent_failures(
    gh: GitHubDoubleHandle, client: GitHubPort
) -> None:
    with pytest.raises(PermanentFailure):
        client.repo_labels("octo-org/gone")
    with pytest.raises(PermanentFailure, match="owner/name"):
        client.repo_labels("../etc")
    assert sent(gh, "GET", LABELS) == 1


def test_repo_labels_reads_every_page(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    for i in range(150):
        gh.world.add_label(gh.world.repo(gh.repo), f"label-{i}")  # type: ignore[arg-type]
    assert client.repo_labels(gh.repo) == {f"label-{i}" for i in range(150)}
    assert sent(gh, "GET", LABELS) == 2


def test_create_label_and_an_existing_one_is_success(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    client.create_label(gh.repo, LabelSpec("ptm: hardware", "#D93F0B", "GPU, CUDA, memory"))
    client.create_label(gh.repo, LabelSpec("PTM: Hardware", "d93f0b", ""))  # 422 already_exists
    labels = gh.state()["repos"][0]["labels"]
    assert [(lb["name"], lb["color"], lb["description"]) for lb in labels] == [
        ("ptm: hardware", "d93f0b", "GPU, CUDA, memory")]
    assert sent(gh, "POST", LABELS) == 2


def test_create_label_after_a_lost_answer(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    gh.add_fault("error", method="POST", route=LABELS, status=502, after_apply=True)
    client.create_label(gh.repo, LabelSpec("ptm", "ededed", ""))
    assert [lb["name"] for lb in gh.state()["repos"][0]["labels"]] == ["ptm"]
    assert sent(gh, "POST", LABELS) == 2  # the retry met 422 already_exists: success


def test_add_labels_is_retried_and_idempotent(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    gh.add_fault("error", method="POST", route=ISSUE_LABELS, status=502, after_apply=True)
    assert set(client.add_labels(gh.repo, 1, ["ptm", "ptm: usage"])) == {"ptm", "ptm: usage"}
    assert set(client.add_labels(gh.repo, 1, [])) == {"ptm", "ptm: usage"}
    assert sorted(gh.issue(gh.repo, 1)["labels"]) == ["ptm", "ptm: usage"]
    events = [(e.action, e.label) for e in client.label_events(gh.repo, 1)]
    assert sorted(events) == [("labeled", "ptm"), ("labeled", "ptm: usage")]  # no re-add recorded


def test_find_comment_looks_through_every_page(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    repo = gh.world.repo(gh.repo)
    issue = repo.issue(1) if repo else None
    assert repo is not None and issue is not None
    for i in range(120):
        gh.world.add_comment(repo, issue, f"me too {i}", "bob")
    assert client.find_comment(gh.repo, 1, MARKER) is None
    gh.world.add_comment(repo, issue, f"{MARKER}\nhello", gh.bot_login)
    found = client.find_comment(gh.repo, 1, MARKER)
    assert found is not None and found.author == gh.bot_login and found.body == f"{MARKER}\nhello"
    assert sent(gh, "GET", COMMENTS) == 4


def test_create_edit_and_delete_a_comment(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    created = client.create_comment(gh.repo, 1, f"{MARKER}\nfirst")
    assert created.author == gh.bot_login
    assert [c["body"] for c in gh.comments(gh.repo, 1)] == [f"{MARKER}\nfirst"]
    client.edit_comment(gh.repo, 1, created.id, f"{MARKER}\nsecond")
    assert [c["body"] for c in gh.comments(gh.repo, 1)] == [f"{MARKER}\nsecond"]
    client.delete_comment(gh.repo, 1, created.id)
    client.delete_comment(gh.repo, 1, created.id)  # already gone counts as done
    assert gh.comments(gh.repo, 1) == []
    with pytest.raises(PermanentFailure):
        client.edit_comment(gh.repo, 1, created.id, "x")
    assert [sent(gh, m) for m in ("POST", "PATCH", "DELETE")] == [2, 2, 2]  # POST: token + comment


def test_label_events(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    client.add_labels(gh.repo, 1, ["ptm"])
    gh.label_event(gh.repo, 1, "unlabeled", "ptm", actor="maintainer")
    events = client.label_events(gh.repo, 1)
    assert [(e.action, e.label, e.actor, e.actor_is_bot) for e in events] == [
        ("labeled", "ptm", gh.bot_login, True), ("unlabeled", "ptm", "maintainer", False)]
    assert all(e.created_at for e in events)
    assert sent(gh, "GET", EVENTS) == 1


def test_read_file_with_etag(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    path = ".github/ptm-triage.yml"
    gh.put_file(gh.repo, path, "comment: false\n")
    first = client.read_file(gh.repo, path)
    assert first.text == "comment: false\n" and first.etag and not first.not_modified
    remaining = gh.world.rate_remaining[gh.installation_id]
    again = client.read_file(gh.repo, path, etag=first.etag)
    assert again.not_modified and again.text is None and again.etag == first.etag
    assert gh.world.rate_remaining[gh.installation_id] == remaining  # a 304 costs no rate limit
    assert calls()[("read_file", "304")] >= 1
    gh.put_file(gh.repo, path, "comment: true\n")
    changed = client.read_file(gh.repo, path, etag=first.etag)
    assert changed.text == "comment: true\n" and changed.etag != first.etag and not changed.not_modified
    missing = client.read_file(gh.repo, ".github/other.yml")
    assert (missing.text, missing.etag, missing.not_modified) == (None, None, False)
    assert [c["status"] for c in gh.api_calls("GET", CONTENTS)] == [200, 304, 200, 404]
    with pytest.raises(ValueError):
        client.read_file(gh.repo, "../secrets")


def test_create_check_run(gh: GitHubDoubleHandle, client: GitHubPort) -> None:
    sha = "a" * 40
    client.create_check_run(gh.repo, sha, "ptm-triage config", "failure", "Invalid config", "bad key")
    runs = gh.state()["check_runs"]
    fields = ("head_sha", "name", "status", "conclusion", "title", "summary")
    assert [tuple(run[f] for f in fields) for run in runs] == [
        (sha, "ptm-triage config", "completed", "failure", "Invalid config", "bad key")]
    assert sent(gh, "POST", CHECK_RUNS) == 1
