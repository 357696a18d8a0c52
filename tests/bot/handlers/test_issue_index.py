"""What the bot remembers of issues: triage indexes and records them; close, reopen, edit and delete update it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.handlers import issue_index, triage
from bot.repo_config.model import CommentConfig, default_config
from bot.store.decisions import Records
from bot.store.issue_history import load_history
from bot.store.similar import find_similar, index_issue, is_indexed
from tests.bot.handlers.factories import REPO, StaticConfigs, context, event, issue_payload, prediction
from tests.bot.store.test_similar import TOPICS, issue
from tests.support.fake_github import FakeGitHub

TITLE = "CUDA out of memory loading whisper large-v3 with fp16"
BODY = (
    "torch.cuda.OutOfMemoryError when transcribing a long podcast with whisper large-v3 on my RTX 3060 GPU.\n"
    "Tried to allocate 2.00 GiB; reducing batch size and using fp16 did not help the memory."
)


def payload(number: int, *, action: str = "opened", title: str = TITLE, body: str = BODY, state: str = "open",
            comments: int = 0, closed_at: str | None = None, private: bool = False) -> dict[str, Any]:
    data = issue_payload(number, action=action, title=title, body=body, comments=comments)
    data["issue"].update(state=state, closed_at=closed_at, html_url=f"https://github.com/{REPO}/issues/{number}")
    data["repository"].update(private=private, visibility="private" if private else "public")
    return data


def seed(records: Records) -> None:
    for n, topic in enumerate(TOPICS, start=100):
        index_issue(records.engine, issue(n, REPO, title=topic, body=f"Please look at this: {topic}."))


def test_triage_indexes_the_issue_and_records_its_history(records: Records, github: FakeGitHub) -> None:
    github.add_issue(REPO, 7)
    triage.on_issues_opened(event(payload(7)), context(records, github))
    assert is_indexed(records.engine, REPO, 7)
    [row] = load_history(records.engine, REPO)
    assert (row.number, row.state, row.ptm, row.category, row.source) == (7, "open", True, "hardware-resources",
                                                                          "webhook")
    assert row.created_at.isoformat() == "2026-01-01T00:00:00+00:00"


def test_a_near_duplicate_links_the_earlier_closed_issue(records: Records, github: FakeGitHub) -> None:
    seed(records)
    github.add_issue(REPO, 7)
    triage.on_issues_opened(event(payload(7)), context(records, github))
    closed = payload(7, action="closed", state="closed", comments=3, closed_at="2026-01-04T00:00:00Z")
    issue_index.on_issues_closed(event(closed, delivery="d-2"), context(records, github))

    github.add_issue(REPO, 8)
    body = BODY.replace("a long podcast", "an hour-long lecture") + "\nSame on my second machine."
    triage.on_issues_opened(event(payload(8, body=body), delivery="d-3"), context(records, github))
    [comment] = github.comments(REPO, 8)
    assert "**Similar earlier issues:**" in comment.body
    assert f"(https://github.com/{REPO}/issues/7) (closed, answered)" in comment.body


def test_close_and_reopen_update_index_and_history(records: Records, github: FakeGitHub) -> None:
    github.add_issue(REPO, 7)
    triage.on_issues_opened(event(payload(7)), context(records, github))
    closed = payload(7, action="closed", state="closed", comments=1, closed_at="2026-01-03T12:00:00Z")
    issue_index.on_issues_closed(event(closed, delivery="d-2"), context(records, github))
    [row] = load_history(records.engine, REPO)
    assert (row.state, row.days_to_close, row.ptm) == ("closed", 2.5, True)
    seed(records)
    [hit] = find_similar(records.engine, REPO, TITLE, BODY + "\nAgain.", exclude=8)
    assert (hit.state, hit.has_answer) == ("closed", False), "the only comment is the bot's own"

    reopened = payload(7, action="reopened", comments=1)
    issue_index.on_issues_reopened(event(reopened, delivery="d-3"), context(records, github))
    [row] = load_history(records.engine, REPO)
    assert (row.state, row.closed_at, row.ptm) == ("open", None, True)
    assert find_similar(records.engine, REPO, TITLE, BODY + "\nAgain.", exclude=8)[0].state == "open"


def test_a_close_of_an_unseen_issue_is_remembered_unclassified(records: Records) -> None:
    closed = payload(3, action="closed", state="closed", comments=2, closed_at="2026-01-02T00:00:00Z")
    issue_index.on_issues_closed(event(closed), context(records))
    [row] = load_history(records.engine, REPO)
    assert (row.state, row.ptm, row.days_to_close) == ("closed", None, 1.0)
    assert is_indexed(records.engine, REPO, 3)


def test_a_disabled_repository_is_not_remembered(records: Records) -> None:
    configs = StaticConfigs(replace(default_config(), enabled=False))
    closed = payload(3, action="closed", state="closed", closed_at="2026-01-02T00:00:00Z")
    issue_index.on_issues_closed(event(closed), context(records, configs=configs))
    assert load_history(records.engine) == [] and not is_indexed(records.engine, REPO, 3)


def test_pull_requests_are_not_remembered(records: Records) -> None:
    data = payload(3, action="closed", state="closed", closed_at="2026-01-02T00:00:00Z")
    data["issue"]["pull_request"] = {"url": "https://api.github.com/repos/octo/models/pulls/3"}
    issue_index.on_issues_closed(event(data), context(records))
    assert load_history(records.engine) == []


def test_an_edit_reindexes_only_a_known_issue(records: Records) -> None:
    issue_index.on_issues_edited(event(payload(3, action="edited")), context(records))
    assert not is_indexed(records.engine, REPO, 3)
    seed(records)
    index_issue(records.engine, issue(3, REPO, title="Logo is blurry", body="The logo is blurry on the home page."))
    issue_index.on_issues_edited(event(payload(3, action="edited")), context(records))
    assert [hit.number for hit in find_similar(records.engine, REPO, TITLE, BODY + "\nAgain.", exclude=8)] == [3]


def test_a_deleted_issue_is_forgotten(records: Records, github: FakeGitHub) -> None:
    github.add_issue(REPO, 7)
    triage.on_issues_opened(event(payload(7)), context(records, github))
    issue_index.on_issues_deleted(event(payload(7, action="deleted"), delivery="d-2"), context(records, github))
    assert load_history(records.engine) == [] and not is_indexed(records.engine, REPO, 7)


def test_no_similar_lookup_when_the_part_is_off(records: Records, github: FakeGitHub) -> None:
    seed(records)
    index_issue(records.engine, issue(5, REPO, title=TITLE, body=BODY, state="closed", answered=True))
    config = replace(default_config(), comment=CommentConfig(similar=False))
    github.add_issue(REPO, 8)
    triage.on_issues_opened(event(payload(8, body=BODY + "\nAgain.")), context(records, github,
                                                                              configs=StaticConfigs(config)))
    [comment] = github.comments(REPO, 8)
    assert "Similar" not in comment.body and "issues/5" not in comment.body
    snapshot = triage.payload.issue_snapshot(event(payload(8)))
    assert issue_index.similar_for(context(records), snapshot, config) == ()


def test_a_category_label_at_close_is_the_category(records: Records, github: FakeGitHub) -> None:
    github.add_issue(REPO, 7)
    triage.on_issues_opened(event(payload(7)), context(records, github))  # the model said hardware
    closed = payload(7, action="closed", state="closed", closed_at="2026-01-02T00:00:00Z")
    closed["issue"]["labels"] = [{"name": "pre-trained model"}, {"name": "ptm: environment"}]
    issue_index.on_issues_closed(event(closed, delivery="d-2"), context(records, github))
    [row] = load_history(records.engine, REPO)
    assert (row.ptm, row.category) == (True, "software-environment")


def test_an_issue_triage_skips_is_still_remembered(records: Records, github: FakeGitHub) -> None:
    github.add_issue(REPO, 7, labels=("ptm: usage",))
    data = payload(7)
    data["issue"]["labels"] = [{"name": "ptm: model usage"}]
    decision = triage.triage(event(data), context(records, github), "opened")
    assert (decision.outcome, decision.why) == ("skipped", "already-categorised")
    [row] = load_history(records.engine, REPO)
    assert (row.ptm, row.category) == (True, "model-usage")
    assert is_indexed(records.engine, REPO, 7) and github.comments(REPO, 7) == []


def test_classification_without_labels_or_prediction_is_unknown() -> None:
    snapshot = triage.payload.issue_snapshot(event(payload(7)))
    assert issue_index.classification(snapshot, default_config(), None) == (None, None)
    labeled = replace(snapshot, labels=("Pre-Trained Model",))
    assert issue_index.classification(labeled, default_config(), None) == (True, None)


def test_the_history_counts_the_models_likely_answer_not_the_label_bar() -> None:
    snapshot = triage.payload.issue_snapshot(event(payload(7)))
    unsure = prediction(ptm=0.7, ptm_threshold=0.9, category="model-usage", score=0.5)
    assert not unsure.ptm_related  # no label...
    assert issue_index.classification(snapshot, default_config(), unsure) == (True, "model-usage")  # ...but PTM
    unlikely = prediction(ptm=0.3, ptm_threshold=0.9)
    assert issue_index.classification(snapshot, default_config(), unlikely) == (False, None)
