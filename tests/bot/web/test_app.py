"""The web app through Flask's test client: signed, unsigned, tampered, oversized and odd deliveries."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.events import Event
from bot.settings import Settings
from bot.store.inbox import DEAD, Inbox, open_inbox
from bot.web.app import WEBHOOK_PATH, create_app
from bot.web.verify import sign
from tests.bot.web.app_support import LIMIT, SECRET, body_for, handles, make_settings, post


@pytest.fixture
def woken() -> list[int]:
    return []


@pytest.fixture
def app(inbox: Inbox, sqlite_url: str, woken: list[int]) -> Flask:
    return create_app(
        make_settings(sqlite_url),
        inbox=inbox,
        handles=handles,
        ready=lambda: True,
        on_accepted=lambda: woken.append(1),
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_signed_delivery_is_committed_and_acknowledged_202(client: FlaskClient, inbox: Inbox, woken: list[int]) -> None:
    status, answer = post(client, body_for(), delivery="d-1")
    assert (status, answer["status"]) == (202, "accepted")
    job = inbox.claim("test", 30)
    assert job is not None
    assert job.event == Event("issues", "opened", "d-1", 9, json.loads(body_for()))
    assert woken == [1]


def test_redelivery_is_acknowledged_once(client: FlaskClient, inbox: Inbox) -> None:
    assert post(client, body_for(), delivery="same")[0] == 202
    status, answer = post(client, body_for(), delivery="same")
    assert (status, answer["status"]) == (200, "duplicate")
    assert inbox.stats().counts["pending"] == 1


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, sign("wrong", b"{}")])
def test_unsigned_or_wrongly_signed_is_401_and_writes_nothing(
    client: FlaskClient, inbox: Inbox, signature: str | None
) -> None:
    assert post(client, body_for(), signature=signature)[0] == 401
    assert sum(inbox.stats().counts.values()) == 0


def test_tampered_body_is_401(client: FlaskClient, inbox: Inbox) -> None:
    body = body_for()
    response = client.post(
        WEBHOOK_PATH,
        data=body.replace(b"CUDA", b"cuda"),
        headers={
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": "t-1",
            "X-Hub-Signature-256": sign(SECRET, body),
        },
    )
    assert response.status_code == 401
    assert inbox.get("t-1") is None


def test_oversized_body_is_413_without_reading_it(client: FlaskClient, inbox: Inbox) -> None:
    body = b"{" + b" " * LIMIT + b"}"
    assert post(client, body)[0] == 413
    assert sum(inbox.stats().counts.values()) == 0


def test_oversized_chunked_body_is_413(client: FlaskClient) -> None:
    body = b"{" + b" " * LIMIT + b"}"
    stream = io.BytesIO(body)  # no Content-Length: the server must stop reading at the limit
    response = client.post(
        WEBHOOK_PATH,
        input_stream=stream,
        headers={
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": "c-1",
            "X-Hub-Signature-256": sign(SECRET, body),
            "Transfer-Encoding": "chunked",
        },
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert stream.tell() < len(body)


def test_signed_non_json_is_400(client: FlaskClient) -> None:
    assert post(client, b"payload=%7B%7D")[0] == 400


@pytest.mark.parametrize("missing", ["X-GitHub-Event", "X-GitHub-Delivery"])
def test_missing_event_headers_are_400(client: FlaskClient, missing: str) -> None:
    body = body_for()
    sent = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "m-1", "X-Hub-Signature-256": sign(SECRET, body)}
    del sent[missing]
    assert client.post(WEBHOOK_PATH, data=body, headers=sent).status_code == 400


def test_ping_is_200_and_not_stored(client: FlaskClient, inbox: Inbox) -> None:
    status, answer = post(
        client, json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1}).encode(), event="ping"
    )
    assert (status, answer["status"]) == (200, "pong")
    assert sum(inbox.stats().counts.values()) == 0


@pytest.mark.parametrize(("event", "action"), [("issues", "closed"), ("star", "created"), ("push", None)])
def test_events_not_handled_are_ignored_without_work(
    client: FlaskClient, inbox: Inbox, event: str, action: str | None
) -> None:
    body = json.dumps({"action": action} if action else {"ref": "refs/heads/main"}).encode()
    status, answer = post(client, body, event=event)
    assert (status, answer["status"]) == (200, "ignored")
    assert sum(inbox.stats().counts.values()) == 0


def test_store_failure_is_503_not_a_lost_202(sqlite_url: str) -> None:
    store = open_inbox(sqlite_url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE inbox")
    client = create_app(make_settings(sqlite_url), inbox=store, handles=handles).test_client()
    assert post(client, body_for())[0] == 503


def test_health_ready_and_metrics(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {"store": True, "runtime": True}
    post(client, body_for())
    text = client.get("/metrics").get_data(as_text=True)
    assert 'ptm_triage_inbox_depth{state="pending"} 1.0' in text
    assert 'ptm_triage_deliveries_total{outcome="accepted"}' in text


def test_readyz_is_503_when_the_runtime_is_not_ready(inbox: Inbox, sqlite_url: str) -> None:
    def broken() -> bool:
        raise RuntimeError("model missing")

    for ready in (lambda: False, broken):
        app = create_app(make_settings(sqlite_url), inbox=inbox, handles=handles, ready=ready)
        assert app.test_client().get("/readyz").status_code == 503


def test_status_page_shows_counts_and_dead_letters_but_no_bodies(client: FlaskClient, inbox: Inbox) -> None:
    post(client, body_for(), delivery="dead-one")
    job = inbox.claim("w", 30)
    assert job is not None
    inbox.dead(job, "PermanentFailure: <script>alert(1)</script>")
    page = client.get("/").get_data(as_text=True)
    assert "dead-one" in page and DEAD in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "loading the model" not in page and SECRET not in page


def test_status_page_lists_repositories_with_an_invalid_config(client: FlaskClient, inbox: Inbox) -> None:
    from bot.store.config_status import ConfigStatusStore

    statuses = ConfigStatusStore(inbox.engine)
    statuses.record("octo/broken", False, 'thresholds.ptm: expected a number between 0 and 1, got "<b>high</b>"',
                    "octo/broken:.github/ptm-triage.yml", sha="0123456789abcdef")
    statuses.record("octo/fine", True, None, "octo/fine:.github/ptm-triage.yml")
    page = client.get("/").get_data(as_text=True)
    assert "octo/broken" in page and "thresholds.ptm: expected a number between 0 and 1" in page
    assert "<b>high</b>" not in page and "0123456789" in page
    assert "octo/fine" not in page


def test_factory_refuses_to_run_without_a_secret(sqlite_url: str, inbox: Inbox) -> None:
    from bot.settings import ConfigurationError

    with pytest.raises(ConfigurationError):
        create_app(Settings(app_id=None, private_key=None, webhook_secret=None), inbox=inbox, handles=handles)


header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        st.binary(max_size=2048),
        st.builds(
            lambda v: json.dumps(v).encode(),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                max_leaves=20,
            ),
        ),
    ),
    event=header_text,
    delivery=header_text,
    sign_it=st.booleans(),
    signature=header_text,
)
def test_fuzzed_deliveries_never_5xx_and_unsigned_never_write(
    client: FlaskClient, inbox: Inbox, body: bytes, event: str, delivery: str, sign_it: bool, signature: str
) -> None:
    before = sum(inbox.stats().counts.values())
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(SECRET, body) if sign_it else signature,
    }
    response = client.post(WEBHOOK_PATH, data=body, headers=headers)
    assert response.status_code < 500
    if not sign_it:
        assert response.status_code == 401
        assert sum(inbox.stats().counts.values()) == before
