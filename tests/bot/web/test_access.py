"""STATUS_TOKEN: a bearer token or the password of basic auth, nothing else."""

from __future__ import annotations

import base64

import pytest

from bot.web.access import authorised

TOKEN = "tok-for-tests"


def basic(user_password: bytes) -> str:
    return "Basic " + base64.b64encode(user_password).decode()


@pytest.mark.parametrize(("header", "ok"), [
    (f"Bearer {TOKEN}", True),
    (f"bearer   {TOKEN} ", True),
    (basic(f"admin:{TOKEN}".encode()), True),
    (basic(f":{TOKEN}".encode()), True),
    (basic(TOKEN.encode()), False),  # no colon: a user name only
    (basic(f"{TOKEN}:".encode()), False),
    ("Basic !!!not-base64", False),
    (f"Token {TOKEN}", False),
    ("Bearer", False),
    ("", False),
    (None, False),
])
def test_authorised(header: str | None, ok: bool) -> None:
    assert authorised(header, TOKEN) is ok
