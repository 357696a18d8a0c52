"""App JWT and the installation token cache (no HTTP: the fetch function is a stub)."""

from __future__ import annotations

import threading
import time
from functools import cache

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.github.auth import (
    JWT_BACKDATE,
    AccessToken,
    AppCredentialsError,
    AppJwt,
    InstallationTokens,
    load_app_key,
)

NOW = 1_700_000_000.0


@cache
def pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_jwt_is_rs256_backdated_and_short_lived() -> None:
    app = AppJwt.from_settings(12345, pem())
    token = app.sign(NOW)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = jwt.decode(
        token, app.key.public_key(), algorithms=["RS256"], options={"verify_exp": False, "verify_iat": False}
    )
    assert claims["iss"] == "12345"
    assert claims["iat"] == NOW - JWT_BACKDATE
    assert claims["exp"] - claims["iat"] <= 600  # GitHub refuses JWTs valid for more than 10 minutes
    assert claims["exp"] > NOW


def test_jwt_verifies_now_with_the_public_key() -> None:
    app = AppJwt.from_settings("777", pem())
    claims = jwt.decode(app.sign(time.time()), app.key.public_key(), algorithms=["RS256"])
    assert claims["iss"] == "777"


def test_key_and_app_id_never_show_in_repr() -> None:
    app = AppJwt.from_settings(1, pem())
    assert "PRIVATE" not in repr(app) and "RSAPrivateKey" not in repr(app)
    assert "tok-secret" not in repr(AccessToken("tok-secret", NOW))


@pytest.mark.parametrize(
    "value",
    ["", "not a key", "-----BEGIN RSA " "PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"],
)
def test_bad_private_keys_get_a_fix_it_message_without_the_key(value: str) -> None:
    with pytest.raises(AppCredentialsError) as caught:
        load_app_key(value)
    assert "PRIVATE_KEY" in str(caught.value)
    assert "AAAA" not in str(caught.value)
    assert caught.value.__cause__ is None


def test_non_rsa_keys_and_non_numeric_app_ids_are_refused() -> None:
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    with pytest.raises(AppCredentialsError, match="RSA"):
        load_app_key(ec_pem)
    with pytest.raises(AppCredentialsError, match="APP_ID"):
        AppJwt.from_settings("my-app", pem())


def test_a_key_with_escaped_newlines_is_accepted() -> None:
    load_app_key(pem().replace("\n", "\\n"))


class Fetcher:
    def __init__(self, lifetime: float = 3600, delay: float = 0.0) -> None:
        self.calls: list[int] = []
        self.jwts: list[str] = []
        self.lifetime = lifetime
        self.delay = delay
        self.clock = NOW

    def __call__(self, installation_id: int, app_jwt: str) -> AccessToken:
        if self.delay:
            time.sleep(self.delay)  # widen the race window for the concurrency test
        self.calls.append(installation_id)
        self.jwts.append(app_jwt)
        return AccessToken(f"tok-{installation_id}-{len(self.calls)}", self.clock + self.lifetime)


def tokens_with(fetch: Fetcher) -> InstallationTokens:
    return InstallationTokens(AppJwt.from_settings(9, pem()), fetch, clock=lambda: fetch.clock)


def test_tokens_are_cached_per_installation_until_shortly_before_expiry() -> None:
    fetch = Fetcher()
    tokens = tokens_with(fetch)
    assert tokens.token(1) == "tok-1-1"
    assert tokens.token(1) == "tok-1-1"
    assert tokens.token(2) == "tok-2-2"
    assert fetch.calls == [1, 2]
    fetch.clock += 3600 - 6 * 60  # six minutes before expiry: still good
    assert tokens.token(1) == "tok-1-1"
    fetch.clock += 2 * 60  # four minutes before expiry: inside the refresh margin
    assert tokens.token(1) == "tok-1-3"
    assert fetch.calls == [1, 2, 1]
    assert all(jwt.get_unverified_header(value)["alg"] == "RS256" for value in fetch.jwts)


def test_invalidate_drops_only_the_refused_token() -> None:
    fetch = Fetcher()
    tokens = tokens_with(fetch)
    first = tokens.token(1)
    tokens.invalidate(1, "some-older-token")
    assert tokens.token(1) == first
    tokens.invalidate(1, first)
    assert tokens.token(1) != first
    assert fetch.calls == [1, 1]


def test_many_threads_needing_a_token_cause_one_fetch() -> None:
    fetch = Fetcher(delay=0.05)
    tokens = tokens_with(fetch)
    start = threading.Barrier(12)
    seen: list[str] = []

    def worker(installation_id: int) -> None:
        start.wait()
        seen.append(tokens.token(installation_id))

    threads = [threading.Thread(target=worker, args=(1 + i % 2,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(fetch.calls) == [1, 2]
    assert len(set(seen)) == 2 and len(seen) == 12


def test_a_failed_fetch_is_not_cached() -> None:
    fetch = Fetcher()
    failures = [RuntimeError("GitHub is down")]

    def flaky(installation_id: int, app_jwt: str) -> AccessToken:
        if failures:
            raise failures.pop()
        return fetch(installation_id, app_jwt)

    tokens = InstallationTokens(AppJwt.from_settings(9, pem()), flaky, clock=lambda: NOW)
    with pytest.raises(RuntimeError):
        tokens.token(3)
    assert tokens.token(3) == "tok-3-1"
