"""The maintainers' pages through Flask's test client: status, decisions, playground, STATUS_TOKEN, and
refused webhook requests showing up on the status page and in the log."""

from __future__ import annotations

import base64
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.settings import Settings
from bot.store.config_status import ConfigStatusStore
from bot.store.decisions import DecisionRecord, FeedbackRecord, Records
from bot.store.engine import create_schema
from bot.store.inbox import Inbox
from bot.store.rejections import RejectionStore
from bot.triage.comment import MARKER
from bot.web.app import WEBHOOK_PATH, create_app
from bot.web.verify import sign
from classifier.predict import Classifier, load_default

SECRET = "pages-test-secret"
TOKEN = "status-token-for-tests"
PTM_TITLE = "CUDA out of memory when loading the whisper large-v3 model"
PTM_BODY = "torch.cuda.OutOfMemoryError: CUDA out of memory with the large-v3 checkpoint on a 12 GB GPU."
COMMENT = f"{MARKER}\nThanks! I added the label **ptm: hardware**.\n\n- [ ] your CUDA version\n\n<sub>small print</sub>"


@pytest.fixture(scope="module")
def model() -> Classifier:
    return load_default()


def settings(database_url: str, token: str | None = None) -> Settings:
    return Settings(app_id=None, private_key=None, webhook_secret=SECRET, database_url=database_url,
                    dry_run=True, status_token=token)


@pytest.fixture
def app(inbox: Inbox, sqlite_url: str, model: Classifier) -> Flask:
    create_schema(inbox.engine)
    return create_app(settings(sqlite_url), inbox=inbox, predictor=lambda: model)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    yield app.test_client()


def decision(number: int, **changes: object) -> DecisionRecord:
    record = DecisionRecord(
        repo="octo/models", issue_number=number, delivery_id=f"d-{number}", trigger="opened",
        model_version="m-1", ptm_score=0.97, category="hardware-resources", category_score=0.93,
        scores={"hardware-resources": 0.93, "model-usage": 0.05, "documentation": 0.02},
        labels_applied=("pre-trained model", "ptm: hardware"), comment_id=None, outcome="labeled",
        why="labeled", reasons=("PTM score 0.97 >= 0.88",), dry_run=True, title=PTM_TITLE, tier="comment",
        comment=COMMENT,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def test_status_page_links_every_page_and_offers_refresh(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    for href in ('href="/decisions"', 'href="/playground"', 'href="/setup"', 'href="/metrics"'):
        assert href in page
    assert "No issue triaged yet." in page
    assert '<meta http-equiv="refresh"' not in page
    refreshing = client.get("/?refresh=15").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="15">' in refreshing
    assert '<meta http-equiv="refresh"' not in client.get("/?refresh=7").get_data(as_text=True)  # not offered


def test_decisions_page_shows_the_issue_labels_and_rendered_comment(client: FlaskClient, inbox: Inbox) -> None:
    records = Records(inbox.engine)
    records.record_decision(decision(12))
    records.record_feedback(FeedbackRecord("octo/models", 12, "f-1", "ptm: hardware", "unlabeled", "maint",
                                           "rejected", "hardware-resources", None))
    page = client.get("/decisions").get_data(as_text=True)
    assert 'href="https://github.com/octo/models/issues/12"' in page
    assert "octo/models#12" in page and PTM_TITLE in page
    assert '<span class="label">ptm: hardware</span>' in page
    assert "<strong>ptm: hardware</strong>" in page  # markdown rendered
    assert '<input type="checkbox" disabled aria-label="task"> your CUDA version' in page  # a task list
    assert "<sub>small print</sub>" in page
    assert "ptm-triage:triage" not in page  # the hidden marker is hidden
    assert "<strong>removed</strong>: ptm: hardware" in page and "by maint" in page
    assert ">commented<" in page and "hardware-resources 0.93" in page and "comment</dd>" in page


def test_decisions_filter_by_outcome_repository_and_reason(client: FlaskClient, inbox: Inbox) -> None:
    records = Records(inbox.engine)
    records.record_decision(decision(1))
    records.record_decision(decision(2, comment=None))
    records.record_decision(decision(3, outcome="abstained", why="not-ptm", labels_applied=(), comment=None))
    records.record_decision(decision(4, repo="octo/other", outcome="skipped", why="bot-author",
                                     labels_applied=(), comment=None, reasons=("opened by a bot (x[bot])",)))

    def shown(query: str) -> set[str]:
        page = client.get("/decisions" + query).get_data(as_text=True)
        return {n for n in ("models#1<", "models#2<", "models#3<", "other#4<") if n in page}

    assert shown("") == {"models#1<", "models#2<", "models#3<", "other#4<"}
    assert shown("?outcome=commented") == {"models#1<"}
    assert shown("?outcome=labelled") == {"models#2<"}
    assert shown("?outcome=abstained") == {"models#3<"}
    assert shown("?outcome=skipped") == {"other#4<"}
    assert shown("?repo=octo/other") == {"other#4<"}
    assert shown("?why=not-ptm") == {"models#3<"}
    assert shown("?outcome=nonsense") == shown("")  # an unknown value filters nothing
    page = client.get("/decisions?outcome=skipped").get_data(as_text=True)
    assert "opened by a bot (x[bot])" in page and "<code>bot-author</code>" in page


def test_html_in_a_title_or_comment_is_escaped(client: FlaskClient, inbox: Inbox) -> None:
    Records(inbox.engine).record_decision(
        decision(5, title="<script>alert(1)</script>", comment="hi <img src=x onerror=alert(1)>")
    )
    page = client.get("/decisions").get_data(as_text=True)
    assert "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_status_page_counts_per_repository(client: FlaskClient, inbox: Inbox) -> None:
    records = Records(inbox.engine)
    records.record_decision(decision(1))
    records.record_decision(decision(2, outcome="abstained", why="not-ptm", comment=None))
    page = client.get("/").get_data(as_text=True)
    assert 'href="/decisions?repo=octo/models">octo/models</a>' in page
    row = page.split('octo/models</a></th>', 1)[1].split("</tr>", 1)[0]
    cells = dict(re.findall(r'data-label="([a-z ]+)">([^<]*)<', row))
    assert cells == {"labelled": "0", "commented": "1", "abstained": "1", "skipped": "0", "labels kept": "0 / 0",
                     "calibration estimate": "—", "config": "ok"}  # no calibration estimate in this process


def test_playground_shows_decision_terms_and_comment(client: FlaskClient) -> None:
    page = client.post("/playground", data={"title": PTM_TITLE, "body": PTM_BODY}).get_data(as_text=True)
    assert '<span class="label">ptm: hardware</span>' in page
    assert "Terms behind it" in page and "cuda" in page
    assert "would comment" in page and "<strong>ptm: hardware</strong>" in page
    assert "ptm-triage:triage" not in page


def test_playground_reads_the_whole_text_and_says_when_there_is_none(client: FlaskClient) -> None:
    page = client.post("/playground", data={"title": "", "body": f"\n{PTM_TITLE}\n{PTM_BODY}"}).get_data(as_text=True)
    assert f"<dt>Title read</dt><dd>{PTM_TITLE}</dd>" in page
    empty = client.post("/playground", data={"title": " ", "body": ""}).get_data(as_text=True)
    assert "Paste at least a title" in empty


def test_playground_uses_the_repositorys_last_valid_config(client: FlaskClient, inbox: Inbox) -> None:
    status = ConfigStatusStore(inbox.engine)
    status.record("octo/quiet", True, None, "octo/quiet:.github/ptm-triage.yml",
                  valid_config={"comment": {"enabled": False}})
    status.record("octo/quiet", False, "bad: value", "octo/quiet:.github/ptm-triage.yml")  # broken since
    page = client.post("/playground", data={"title": PTM_TITLE, "body": PTM_BODY, "repo": "octo/quiet"})
    text = page.get_data(as_text=True)
    assert "the last valid configuration of octo/quiet" in text
    assert "comments are turned off" in text and "No comment would be posted." in text
    unknown = client.post("/playground", data={"title": PTM_TITLE, "body": PTM_BODY, "repo": "octo/new"})
    assert "the default configuration (no valid configuration of octo/new seen yet)" in unknown.get_data(as_text=True)


def test_playground_without_a_model_says_so(inbox: Inbox, sqlite_url: str) -> None:
    client = create_app(settings(sqlite_url), inbox=inbox).test_client()
    assert "This process has no model" in client.get("/playground").get_data(as_text=True)


def test_status_token_guards_the_pages_but_not_health_metrics_or_webhook(inbox: Inbox, sqlite_url: str) -> None:
    client = create_app(settings(sqlite_url, TOKEN), inbox=inbox).test_client()
    for path in ("/", "/decisions", "/playground"):
        refused = client.get(path)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith("Basic ")
        assert client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        basic = base64.b64encode(f"anyone:{TOKEN}".encode()).decode()
        assert client.get(path, headers={"Authorization": f"Basic {basic}"}).status_code == 200
        wrong = base64.b64encode(b"anyone:guess").decode()
        assert client.get(path, headers={"Authorization": f"Basic {wrong}"}).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer guess"}).status_code == 401
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path).status_code == 200
    body = b'{"zen": "x", "hook_id": 1}'
    ping = client.post(WEBHOOK_PATH, data=body, headers={
        "X-Hub-Signature-256": sign(SECRET, body), "X-GitHub-Event": "ping", "X-GitHub-Delivery": "p-1"})
    assert ping.status_code == 200


def wait_for_rejections(inbox: Inbox, outcome: str, count: int) -> dict[str, int]:
    """The recorder writes from a timer thread; wait (bounded) until the store has them."""
    store = RejectionStore(inbox.engine)
    deadline = time.monotonic() + 30
    while (counts := store.counts_since(3600)).get(outcome, 0) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return counts


def test_bad_signatures_are_logged_counted_and_bannered(
    client: FlaskClient, inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"action": "opened"}'
    wrong = sign("another-secret", body)
    with caplog.at_level(logging.WARNING, logger="bot.web.webhook"):
        for n in range(2):
            answer = client.post(WEBHOOK_PATH, data=body, headers={
                "X-Hub-Signature-256": wrong, "X-GitHub-Event": "issues", "X-GitHub-Delivery": f"bad-{n}"})
            assert answer.status_code == 401
    assert wait_for_rejections(inbox, "rejected_signature", 2)["rejected_signature"] == 2
    assert "probably differs" not in client.get("/").get_data(as_text=True)  # two are not yet "repeated"

    messages = [r.getMessage() for r in caplog.records]
    assert any("rejected_signature" in m and "delivery bad-1" in m for m in messages)
    assert not any(wrong in m or "opened" in m for m in messages)  # never the signature or the body

    client.post(WEBHOOK_PATH, data=body, headers={
        "X-Hub-Signature-256": wrong, "X-GitHub-Event": "issues", "X-GitHub-Delivery": "bad-2"})
    wait_for_rejections(inbox, "rejected_signature", 3)
    page = client.get("/").get_data(as_text=True)
    assert "The webhook secret probably differs from the App's." in page
    assert "<code>bad-2</code>" in page


def test_other_refusals_are_counted_by_reason(client: FlaskClient, inbox: Inbox) -> None:
    body = b"not json"
    client.post(WEBHOOK_PATH, data=body, headers={
        "X-Hub-Signature-256": sign(SECRET, body), "X-GitHub-Event": "issues", "X-GitHub-Delivery": "b-1"})
    odd = b'{"action": "created"}'
    assert client.post(WEBHOOK_PATH, data=odd, headers={
        "X-Hub-Signature-256": sign(SECRET, odd), "X-GitHub-Event": "discussion",
        "X-GitHub-Delivery": "u-1"}).status_code == 200
    counts = wait_for_rejections(inbox, "unknown_event", 1)
    assert counts == {"bad_request": 1, "unknown_event": 1}
    page = client.get("/").get_data(as_text=True)
    assert "no handler for discussion events" in page and "<code>u-1</code>" in page


def test_a_known_event_with_an_unhandled_action_is_not_a_refusal(client: FlaskClient, inbox: Inbox) -> None:
    body = b'{"action": "closed"}'
    client.post(WEBHOOK_PATH, data=body, headers={
        "X-Hub-Signature-256": sign(SECRET, body), "X-GitHub-Event": "issues", "X-GitHub-Delivery": "c-1"})
    client.post(WEBHOOK_PATH, data=b"{}", headers={"X-GitHub-Event": "issues", "X-GitHub-Delivery": "x"})
    assert wait_for_rejections(inbox, "rejected_signature", 1) == {"rejected_signature": 1}


def test_timestamps_render_in_utc(client: FlaskClient, inbox: Inbox) -> None:
    Records(inbox.engine, clock=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)).record_decision(decision(9))
    assert "2026-01-02 03:04:05 UTC" in client.get("/decisions").get_data(as_text=True)
