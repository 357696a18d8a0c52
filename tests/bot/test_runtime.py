"""The composition root: build_runtime wires store, model, GitHub factory and router; handle runs a job."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.events import Event
from bot.handlers.routing import handles
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.store.decisions import Records
from bot.store.engine import make_engine
from tests.bot.handlers.factories import REPO, FakePredictor, event, issue_payload, prediction
from tests.support.fake_github import FakeGitHub
from tests.support.github_fixtures import GitHubDoubleHandle
from tests.support.stored import decisions_for, feedback_for
from tests.support.webhook_examples import examples


class FakeFactory:
    def __init__(self) -> None:
        self.github = FakeGitHub()
        self.installations: list[int] = []
        self.closed = False

    def for_installation(self, installation_id: int) -> FakeGitHub:
        self.installations.append(installation_id)
        return self.github

    def close(self) -> None:
        self.closed = True


def settings(tmp_path: Path, *, dry_run: bool = False) -> Settings:
    return Settings(
        app_id=None,
        private_key=None,
        webhook_secret="s3cret",
        database_url=f"sqlite:///{tmp_path / 'rt.db'}",
        dry_run=dry_run,
    )


@pytest.fixture
def factory() -> FakeFactory:
    return FakeFactory()


@pytest.fixture
def runtime(tmp_path: Path, factory: FakeFactory) -> Iterator[Runtime]:
    rt = build_runtime(settings(tmp_path), predictor=FakePredictor(), github_factory=factory)
    yield rt
    rt.close()


def test_handle_triages_with_the_installation_client(runtime: Runtime, factory: FakeFactory) -> None:
    factory.github.add_issue(REPO, 7)
    runtime.handle(event(issue_payload()))
    assert factory.installations == [42]
    assert factory.github.issue_labels(REPO, 7) == ("pre-trained model", "ptm: hardware")
    assert len(factory.github.comments(REPO, 7)) == 1
    assert runtime.ready()


def test_without_credentials_every_job_is_a_dry_run(tmp_path: Path) -> None:
    runtime = build_runtime(settings(tmp_path), predictor=FakePredictor())
    try:
        assert runtime.github_factory is None and runtime.dry_run
        runtime.handle(event(issue_payload()))
        [record] = decisions_for(Records(runtime.engine), REPO, 7)
        assert record.dry_run and record.outcome == "labeled"
    finally:
        runtime.close()


def test_deployment_dry_run_reads_but_never_writes(tmp_path: Path, factory: FakeFactory) -> None:
    runtime = build_runtime(
        settings(tmp_path, dry_run=True), predictor=FakePredictor(), github_factory=factory
    )
    try:
        factory.github.add_issue(REPO, 7)
        runtime.handle(event(issue_payload()))
        assert factory.github.writes() == []
    finally:
        runtime.close()


def test_ready_false_when_the_store_is_gone(tmp_path: Path, factory: FakeFactory) -> None:
    runtime = build_runtime(settings(tmp_path), predictor=FakePredictor(), github_factory=factory)
    runtime.engine.dispose()
    runtime.records.engine = make_engine("postgresql://nobody@127.0.0.1:1/none")
    assert not runtime.ready()
    runtime.close()
    assert factory.closed


def test_every_recorded_issues_example_is_handled(runtime: Runtime, factory: FakeFactory) -> None:
    """Real deliveries from @octokit/webhooks-examples: handled ones run cleanly, the rest are ignored."""
    runtime.predictor = FakePredictor(prediction())
    ran = 0
    for index, (action, payload) in enumerate(examples("issues")):
        data = copy.deepcopy(payload)
        repo, number = data["repository"]["full_name"], data["issue"]["number"]
        if (repo, number) not in factory.github.issues:
            factory.github.add_issue(repo, number)
        delivery = Event("issues", action, f"ex-{index}", 42, data)
        if handles("issues", action):
            runtime.handle(delivery)
            ran += 1
    assert ran >= 10
    labels = factory.github.issue_labels("Codertocat/Hello-World", 1)
    assert "ptm: hardware" in labels  # the opened examples were triaged ("bug" is not a category)
    assert len(factory.github.comments("Codertocat/Hello-World", 1)) == 1


def test_api_calls_per_triaged_issue_over_http(tmp_path: Path, github_double: GitHubDoubleHandle) -> None:
    """The real adapter against the HTTP double: a warm runtime triages an issue in at most 4 calls."""
    gh = github_double
    for name in ("pre-trained model", "ptm: hardware"):
        gh.add_label(gh.repo, name, "5319e7", "")
    real = replace(settings(tmp_path), app_id=gh.app_id, private_key=gh.private_key_pem,
                   github_api_url=gh.url)
    runtime = build_runtime(real, predictor=FakePredictor())
    try:
        def triage_new_issue(delivery: str) -> int:
            issue = gh.add_issue(gh.repo, "CUDA out of memory", "12 GB GPU", user="alice")
            data = issue_payload(issue["number"], extra={"repository": {"full_name": gh.repo}})
            before = len(gh.api_calls())
            runtime.handle(Event("issues", "opened", delivery, gh.installation_id, data))
            assert len(gh.comments(gh.repo, issue["number"])) == 1
            return len(gh.api_calls()) - before

        cold = triage_new_issue("d-cold")  # token, config (absent: repo then org), label listing
        warm = triage_new_issue("d-warm")
        calls = [c["template"] for c in gh.api_calls()[-warm:]]
        assert warm <= 4, calls
        assert cold > warm
        assert set(gh.issue(gh.repo, 2)["labels"]) == {
            "pre-trained model", "ptm: hardware"
        }

        # The same delivery again (a redelivery or a retried job): found by its marker, not re-posted.
        data = issue_payload(2, extra={"repository": {"full_name": gh.repo}})
        runtime.handle(Event("issues", "opened", "d-warm", gh.installation_id, data))
        assert len(gh.comments(gh.repo, 2)) == 1
    finally:
        runtime.close()


def test_never_fights_a_human_over_http(tmp_path: Path, github_double: GitHubDoubleHandle) -> None:
    """Real adapter, HTTP double: a maintainer removes the bot's label; feedback is recorded, the comment
    deleted (as this repository configured), and a reopen neither re-adds the label nor comments again."""
    gh = github_double
    gh.put_file(gh.repo, ".github/ptm-triage.yml", "comment:\n  delete_on_reject: true\n")
    real = replace(settings(tmp_path), app_id=gh.app_id, private_key=gh.private_key_pem,
                   github_api_url=gh.url)
    runtime = build_runtime(real, predictor=FakePredictor())
    repository = {"repository": {"full_name": gh.repo}}
    try:
        number = gh.add_issue(gh.repo, "CUDA out of memory", "12 GB GPU", user="alice")["number"]
        opened = issue_payload(number, extra=repository)
        runtime.handle(Event("issues", "opened", "d-1", gh.installation_id, opened))
        assert len(gh.comments(gh.repo, number)) == 1

        gh.label_event(gh.repo, number, "unlabeled", "ptm: hardware", actor="maintainer")
        unlabeled = issue_payload(number, action="unlabeled", labels=["pre-trained model"], comments=1,
                                  label="ptm: hardware", sender="maintainer", extra=repository)
        runtime.handle(Event("issues", "unlabeled", "d-2", gh.installation_id, unlabeled))
        [item] = feedback_for(runtime.records, gh.repo, number)
        assert (item.kind, item.old_category, item.actor) == ("rejected", "hardware-resources", "maintainer")
        assert gh.comments(gh.repo, number) == []

        reopened = issue_payload(number, action="reopened", labels=["pre-trained model"], extra=repository)
        runtime.handle(Event("issues", "reopened", "d-3", gh.installation_id, reopened))
        assert set(gh.issue(gh.repo, number)["labels"]) == {"pre-trained model"}
        assert gh.comments(gh.repo, number) == []
        [row] = [r for r in runtime.records.keep_report() if r.repo == gh.repo]
        assert (row.applied, row.kept, row.rejected) == (2, 1, 1)
    finally:
        runtime.close()
