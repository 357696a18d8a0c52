"""One behaviour suite for every GitHubPort method, run against the in-memory fake (tests/support/fake_github.py)
and against the real adapter (bot/github/client.py) over HTTP with the OpenAPI-validated GitHub double, so
the fake the handler tests use cannot drift from what the adapter does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import pytest

from bot.errors import PermanentFailure
from bot.github.port import GitHubPort
from classifier.taxonomy import LabelSpec
from tests.bot.github.adapter import make_factory
from tests.support.fake_github import FakeGitHub
from tests.support.github_fixtures import GitHubDoubleHandle

MARKER = "<!-- ptm-triage:triage -->"
REPO = "octo-org/octo-repo"


class World(Protocol):
    """A GitHub to arrange and inspect, and the port that talks to it."""

    repo: str
    bot_login: str
    port: GitHubPort

    def add_issue(self, title: str) -> int: ...

    def add_comment(self, number: int, body: str, user: str) -> None: ...

    def unlabel(self, number: int, label: str, actor: str) -> None: ...

    def put_file(self, path: str, text: str) -> None: ...

    def issue_labels(self, number: int) -> set[str]: ...

    def comment_bodies(self, number: int) -> list[str]: ...

    def labels(self) -> list[tuple[str, str, str]]: ...

    def check_runs(self) -> list[tuple[str, str, str, str, str]]: ...


class FakeWorld:
    def __init__(self) -> None:
        self.fake = FakeGitHub()
        self.repo = REPO
        self.bot_login = self.fake.login
        self.port: GitHubPort = self.fake
        self._numbers = 0

    def add_issue(self, title: str) -> int:
        self._numbers += 1
        self.fake.add_issue(self.repo, self._numbers, title)
        return self._numbers

    def add_comment(self, number: int, body: str, user: str) -> None:
        self.fake.add_comment(self.repo, number, body, user)

    def unlabel(self, number: int, label: str, actor: str) -> None:
        self.fake.human_unlabels(self.repo, number, label, actor)

    def put_file(self, path: str, text: str) -> None:
        self.fake.files[(self.repo, path)] = text

    def issue_labels(self, number: int) -> set[str]:
        return set(self.fake.issue_labels(self.repo, number))

    def comment_bodies(self, number: int) -> list[str]:
        return [c.body for c in self.fake.comments(self.repo, number)]

    def labels(self) -> list[tuple[str, str, str]]:
        return [(s.name, s.color, s.description) for s in self.fake.labels.get(self.repo, {}).values()]

    def check_runs(self) -> list[tuple[str, str, str, str, str]]:
        return [(r.head_sha, r.name, r.conclusion, r.title, r.summary) for r in self.fake.check_runs]


class DoubleWorld:
    def __init__(self, gh: GitHubDoubleHandle, port: GitHubPort) -> None:
        self.gh = gh
        self.repo = gh.repo
        self.bot_login = gh.bot_login
        self.port = port

    def add_issue(self, title: str) -> int:
        return int(self.gh.add_issue(self.repo, title, "body", user="alice")["number"])

    def add_comment(self, number: int, body: str, user: str) -> None:
        self.gh.add_comment(self.repo, number, body, user)

    def unlabel(self, number: int, label: str, actor: str) -> None:
        self.gh.label_event(self.repo, number, "unlabeled", label, actor=actor)

    def put_file(self, path: str, text: str) -> None:
        self.gh.put_file(self.repo, path, text)

    def issue_labels(self, number: int) -> set[str]:
        return set(self.gh.issue(self.repo, number)["labels"])

    def comment_bodies(self, number: int) -> list[str]:
        return [c["body"] for c in self.gh.comments(self.repo, number)]

    def labels(self) -> list[tuple[str, str, str]]:
        repo = next(r for r in self.gh.state()["repos"] if r["full_name"] == self.repo)
        return [(lb["name"], lb["color"], lb["description"] or "") for lb in repo["labels"]]

    def check_runs(self) -> list[tuple[str, str, str, str, str]]:
        return [(r["head_sha"], r["name"], r["conclusion"], r["title"], r["summary"])
                for r in self.gh.state()["check_runs"]]


@pytest.fixture(params=["fake", "adapter"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    if request.param == "fake":
        yield FakeWorld()
        return
    gh: GitHubDoubleHandle = request.getfixturevalue("github_double")
    factory = make_factory(gh)
    try:
        yield DoubleWorld(gh, factory.for_installation(gh.installation_id))
    finally:
        factory.close()


def test_labels_are_listed_created_once_and_added(world: World) -> None:
    number = world.add_issue("CUDA out of memory")
    assert world.port.repo_labels(world.repo) == frozenset()
    world.port.create_label(world.repo, LabelSpec("ptm: hardware", "#D93F0B", "GPU, CUDA, memory"))
    world.port.create_label(world.repo, LabelSpec("PTM: Hardware", "00ff00", "again"))  # exists: success
    assert world.labels() == [("ptm: hardware", "d93f0b", "GPU, CUDA, memory")]
    assert world.port.repo_labels(world.repo) == {"ptm: hardware"}
    after = world.port.add_labels(world.repo, number, ["ptm: hardware", "brand new"])
    assert set(after) == {"ptm: hardware", "brand new"} == world.issue_labels(number)
    assert set(world.port.add_labels(world.repo, number, [])) == {"ptm: hardware", "brand new"}
    assert ("brand new", "ededed", "") in world.labels()  # GitHub creates an unknown label, grey


def test_a_comment_is_created_found_by_its_marker_edited_and_deleted(world: World) -> None:
    number = world.add_issue("whisper fails")
    world.add_comment(number, "me too", "bob")
    assert world.port.find_comment(world.repo, number, MARKER) is None
    created = world.port.create_comment(world.repo, number, f"{MARKER}\nfirst")
    assert created.author == world.bot_login and created.body == f"{MARKER}\nfirst"
    found = world.port.find_comment(world.repo, number, MARKER)
    assert found == created
    world.port.edit_comment(world.repo, number, created.id, f"{MARKER}\nsecond")
    assert world.comment_bodies(number) == ["me too", f"{MARKER}\nsecond"]
    world.port.delete_comment(world.repo, number, created.id)
    world.port.delete_comment(world.repo, number, created.id)  # already deleted counts as done
    assert world.comment_bodies(number) == ["me too"]
    with pytest.raises(PermanentFailure, match="not found"):
        world.port.edit_comment(world.repo, number, created.id, "gone")


def test_label_events_say_who_added_and_who_removed(world: World) -> None:
    number = world.add_issue("gated model")
    world.port.add_labels(world.repo, number, ["ptm"])
    world.unlabel(number, "ptm", "maintainer")
    events = world.port.label_events(world.repo, number)
    assert [(e.action, e.label, e.actor, e.actor_is_bot) for e in events] == [
        ("labeled", "ptm", world.bot_login, True), ("unlabeled", "ptm", "maintainer", False)]
    assert all(e.created_at for e in events)


def test_file_contents_with_etags(world: World) -> None:
    path = ".github/ptm-triage.yml"
    missing = world.port.read_file(world.repo, path)
    assert (missing.text, missing.etag, missing.not_modified) == (None, None, False)
    world.put_file(path, "comment: false\n")
    first = world.port.read_file(world.repo, path)
    assert first.text == "comment: false\n" and first.etag and not first.not_modified
    again = world.port.read_file(world.repo, path, etag=first.etag)
    assert (again.text, again.etag, again.not_modified) == (None, first.etag, True)
    world.put_file(path, "comment: true\n")
    changed = world.port.read_file(world.repo, path, etag=first.etag)
    assert changed.text == "comment: true\n" and changed.etag not in (None, first.etag) and not changed.not_modified
    with pytest.raises(ValueError):
        world.port.read_file(world.repo, "../secrets")


def test_check_runs_are_created(world: World) -> None:
    sha = "a" * 40
    world.port.create_check_run(world.repo, sha, "ptm-triage config", "failure", "Invalid config", "bad key")
    assert world.check_runs() == [(sha, "ptm-triage config", "failure", "Invalid config", "bad key")]


def test_missing_issues_and_bad_names_are_permanent_failures(world: World) -> None:
    world.add_issue("exists")
    with pytest.raises(PermanentFailure, match="not found"):
        world.port.add_labels(world.repo, 999, ["ptm"])
    with pytest.raises(PermanentFailure, match="not found"):
        world.port.create_comment(world.repo, 999, "hello")
    with pytest.raises(PermanentFailure, match="not found"):
        world.port.label_events(world.repo, 999)
    with pytest.raises(PermanentFailure, match="owner/name"):
        world.port.repo_labels("../etc")
    with pytest.raises(PermanentFailure, match="not found"):
        world.port.repo_labels("octo-org/gone")
