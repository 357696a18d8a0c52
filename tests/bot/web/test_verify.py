"""Signature check and envelope parsing, without any web server."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json

import pytest

from bot.events import Envelope, load_payload, trim_payload
from bot.web.verify import BadRequest, SignatureError, TooLarge, sign, verify, verify_signature
from tests.bot.web.delivery import parse_delivery

SECRET = "s3cret-for-tests"
LIMIT = 1 << 20


def headers(body: bytes, **overrides: str | None) -> dict[str, str]:
    values: dict[str, str | None] = {
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "X-Hub-Signature-256": sign(SECRET, body),
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def issues_body(**extra: object) -> bytes:
    payload = {
        "action": "opened",
        "issue": {"number": 1, "title": "t", "body": "b", "comments_url": "https://x/c", "url": "https://x"},
        "repository": {"full_name": "octo/repo", "hooks_url": "https://x/h", "html_url": "https://h"},
        "installation": {"id": 42},
        "sender": {"login": "alice", "avatar_url": "https://a"},
        "enterprise": {"id": 1},
        **extra,
    }
    return json.dumps(payload).encode()


def test_sign_matches_github_algorithm() -> None:
    body = b'{"zen":"hi"}'
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert sign(SECRET, body) == expected


@pytest.mark.parametrize(
    "signature",
    [None, "", "sha256=", "sha1=abc", "sha256=" + "0" * 64, sign("other-secret", b"{}"), "sha256=zz\u00e9"],
)
def test_bad_signatures_are_401(signature: str | None) -> None:
    with pytest.raises(SignatureError) as err:
        verify_signature(SECRET, b"{}", signature)
    assert err.value.status == 401


def test_empty_secret_never_verifies() -> None:
    with pytest.raises(SignatureError):
        verify_signature("", b"{}", sign("", b"{}"))


def test_signature_is_checked_before_parsing() -> None:
    body = b"not json at all"
    with pytest.raises(SignatureError):
        parse_delivery(
            headers(body, **{"X-Hub-Signature-256": "sha256=00"}), body, secret=SECRET, max_body_bytes=LIMIT
        )


def test_tampered_body_is_rejected() -> None:
    body = issues_body()
    tampered = body.replace(b"alice", b"mallory")
    with pytest.raises(SignatureError):
        parse_delivery(headers(body), tampered, secret=SECRET, max_body_bytes=LIMIT)


def test_parses_a_signed_delivery_into_a_trimmed_event() -> None:
    body = issues_body()
    event = parse_delivery(headers(body), body, secret=SECRET, max_body_bytes=LIMIT)
    assert (event.name, event.action, event.installation_id, event.repo) == (
        "issues",
        "opened",
        42,
        "octo/repo",
    )
    assert event.delivery_id == "72d3162e-cc78-11e3-81ab-4c9367dc0958"
    assert "enterprise" not in event.payload
    assert event.payload["issue"] == {"number": 1, "title": "t", "body": "b", "url": "https://x"}
    assert event.payload["repository"] == {"full_name": "octo/repo", "html_url": "https://h"}
    assert event.payload["sender"] == {"login": "alice"}


def test_header_names_are_case_insensitive() -> None:
    body = issues_body()
    lowered = {k.lower(): v for k, v in headers(body).items()}
    assert parse_delivery(lowered, body, secret=SECRET, max_body_bytes=LIMIT).name == "issues"


@pytest.mark.parametrize(
    ("body", "overrides"),
    [
        (b"not json", {}),
        (b"\xff\xfe{}", {}),
        (b"[1, 2]", {}),
        (b'"string"', {}),
        (b"[" * 100_000 + b"]" * 100_000, {}),
        (b'{"action": 5}', {}),
        (b'{"installation": "x"}', {}),
        (b'{"installation": {"id": -1}}', {}),
        (b'{"installation": {"id": true}}', {}),
        (b"{}", {"X-GitHub-Event": None}),
        (b"{}", {"X-GitHub-Delivery": None}),
        (b"{}", {"X-GitHub-Event": "Issues; DROP"}),
        (b"{}", {"X-GitHub-Delivery": "a" * 200}),
        (b"{}", {"X-GitHub-Delivery": "../etc/passwd"}),
    ],
)
def test_malformed_deliveries_are_400(body: bytes, overrides: dict[str, str | None]) -> None:
    with pytest.raises(BadRequest) as err:
        parse_delivery(headers(body, **overrides), body, secret=SECRET, max_body_bytes=LIMIT)
    assert err.value.status == 400


def test_deeply_nested_but_valid_json_is_400_not_a_crash() -> None:
    body = json.dumps({"issue": json.loads("[" * 900 + "]" * 900)}).encode()
    with contextlib.suppress(BadRequest):  # either outcome is fine; a RecursionError escaping is not
        parse_delivery(headers(body), body, secret=SECRET, max_body_bytes=LIMIT)


def test_too_large_is_413_before_verifying() -> None:
    body = b"x" * 2048
    with pytest.raises(TooLarge) as err:
        parse_delivery({}, body, secret=SECRET, max_body_bytes=1024)
    assert err.value.status == 413


def test_trim_keeps_the_envelope_keys() -> None:
    payload = {
        "action": "created",
        "ref": "refs/heads/main",
        "before": "a",
        "after": "b",
        "commits": [],
        "deleted": True,  # a deleted branch: the config push handler must see it
        "head_commit": {"id": "b"},
        "repositories_added": [{"full_name": "o/r"}],
        "changes": {"x": 1},
        "label": {"name": "bug"},
        "hook": {"config": {"secret": "***"}},
        "enterprise": {},
    }
    trimmed = trim_payload(payload)
    assert set(trimmed) == set(payload) - {"hook", "enterprise"}


def test_verify_returns_the_routing_fields_and_the_body_as_signed() -> None:
    body = issues_body()
    envelope = verify(
        body,
        signature=sign(SECRET, body),
        event="issues",
        delivery_id="d-1",
        secret=SECRET,
        max_body_bytes=LIMIT,
    )
    assert envelope == Envelope("issues", "opened", "d-1", 42, "octo/repo", body.decode())


def test_verify_checks_the_signature_before_the_headers_and_the_body() -> None:
    with pytest.raises(SignatureError):
        verify(b"not json", signature=None, event=None, delivery_id=None, secret=SECRET, max_body_bytes=LIMIT)


@pytest.mark.parametrize("body", [b'{"action": "opened", "x": "\xff"}', "{\"a\": 1}".encode("utf-16")])
def test_verify_refuses_a_body_that_is_not_utf8(body: bytes) -> None:
    with pytest.raises(BadRequest):
        verify(
            body, signature=sign(SECRET, body), event="issues", delivery_id="d", secret=SECRET, max_body_bytes=LIMIT
        )


def test_load_payload_trims_a_stored_body_like_parse_delivery() -> None:
    body = issues_body()
    event = parse_delivery(headers(body), body, secret=SECRET, max_body_bytes=LIMIT)
    assert load_payload(body.decode()) == event.payload
    assert load_payload(json.dumps(event.payload)) == event.payload  # trimming twice changes nothing


def test_trimming_hostile_nesting_keeps_deep_values_without_recursion_errors() -> None:
    deep: object = {"avatar_url": "x", "login": "a"}
    for _ in range(600):
        deep = {"next": deep}
    trimmed = load_payload(json.dumps({"sender": {"avatar_url": "y", "nested": deep}}, indent=None))
    assert trimmed["sender"].keys() == {"nested"}
