"""Plain `requests` access to the double's REST API as the App (for tests that want raw HTTP)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import requests

TIMEOUT = 5  # seconds


def app_jwt(private_key_pem: str, app_id: int | str, iat_offset: int = -60, lifetime: int = 540) -> str:
    """An App JWT as GitHub wants it (iat backdated for clock drift, RS256); offsets allow bad ones."""
    now = int(time.time())
    claims = {"iat": now + iat_offset, "exp": now + iat_offset + lifetime, "iss": str(app_id)}
    return jwt.encode(claims, private_key_pem, algorithm="RS256")


def installation_token(base_url: str, private_key_pem: str, app_id: int, installation_id: int) -> str:
    response = requests.post(f"{base_url}/app/installations/{installation_id}/access_tokens",
                             headers={"Authorization": f"Bearer {app_jwt(private_key_pem, app_id)}"},
                             timeout=TIMEOUT)
    if response.status_code != 201:
        raise RuntimeError(f"token request failed: {response.status_code} {response.text[:200]}")
    return str(response.json()["token"])


class RestApi:
    """`api("GET", "/repos/o/r")` with an installation token, against `base_url`."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.request(method, self.base + path, **kwargs)
