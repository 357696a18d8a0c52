"""GitHub App authentication: the App's JWT and cached installation access tokens.

No HTTP here: `InstallationTokens` is handed a `fetch(installation_id, jwt)` function (the client module
makes the POST /app/installations/{id}/access_tokens call), so the caching and locking can be tested alone.
Tokens, JWTs and keys never go into a log line, an exception message or a repr.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

JWT_BACKDATE = 60  # seconds; GitHub's advice against clock drift between us and GitHub
JWT_LIFETIME = 9 * 60  # seconds after the real "now"; GitHub refuses more than 10 minutes
TOKEN_REFRESH_MARGIN = 5 * 60  # seconds; refresh a token this long before it expires, so no job outlives it


class AppCredentialsError(ValueError):
    """The App ID or private key cannot be used; the message says what to fix and never shows the key."""


def load_app_key(private_key: str) -> RSAPrivateKey:
    """Parse the App's PEM private key once, with a fix-it message instead of a cryptography traceback."""
    if "-----BEGIN" not in private_key:
        raise AppCredentialsError(
            "PRIVATE_KEY is not a PEM private key: paste the whole .pem file GitHub generated for the App "
            "(from -----BEGIN ... to -----END ...), or point PRIVATE_KEY_PATH at it"
        )
    try:
        key = load_pem_private_key(private_key.replace("\\n", "\n").encode(), password=None)
    except (ValueError, TypeError):
        raise AppCredentialsError(
            "PRIVATE_KEY could not be read as an unencrypted PEM private key: generate a new key on the "
            "App's settings page and use the downloaded .pem file as is"
        ) from None  # the parser's own message could quote key material
    if not isinstance(key, RSAPrivateKey):
        raise AppCredentialsError("PRIVATE_KEY must be the RSA key GitHub generated for the App")
    return key


@dataclass(frozen=True)
class AppJwt:
    """Signs the short-lived JWT that authenticates the App itself (RS256, iss = App ID)."""

    app_id: str
    key: RSAPrivateKey = field(repr=False)

    @classmethod
    def from_settings(cls, app_id: int | str, private_key: str) -> AppJwt:
        app_id_text = str(app_id).strip()
        if not app_id_text.isdigit():
            raise AppCredentialsError(
                "APP_ID must be the numeric App ID shown on the App's settings page"
            )
        return cls(app_id=app_id_text, key=load_app_key(private_key))

    def sign(self, now: float) -> str:
        issued = int(now)
        claims = {"iat": issued - JWT_BACKDATE, "exp": issued + JWT_LIFETIME, "iss": self.app_id}
        return jwt.encode(claims, self.key, algorithm="RS256")


@dataclass(frozen=True)
class AccessToken:
    token: str = field(repr=False)
    expires_at: float  # epoch seconds


TokenFetch = Callable[[int, str], AccessToken]


class InstallationTokens:
    """Installation access tokens, cached per installation until shortly before they expire.

    Thread-safe. When many threads need a token for the same installation at once, one of them fetches it
    and the others wait for that result; different installations do not wait for each other.
    """

    def __init__(
        self,
        app_jwt: AppJwt,
        fetch: TokenFetch,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = TOKEN_REFRESH_MARGIN,
    ) -> None:
        self._app_jwt = app_jwt
        self._fetch = fetch
        self._clock = clock
        self._margin = refresh_margin
        self._tokens: dict[int, AccessToken] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

    def _fresh(self, installation_id: int) -> AccessToken | None:
        cached = self._tokens.get(installation_id)
        if cached is not None and self._clock() < cached.expires_at - self._margin:
            return cached
        return None

    def app_jwt(self) -> str:
        return self._app_jwt.sign(self._clock())

    def token(self, installation_id: int) -> str:
        cached = self._fresh(installation_id)
        if cached is not None:
            return cached.token
        with self._guard:
            lock = self._locks.setdefault(installation_id, threading.Lock())
        with lock:
            cached = self._fresh(installation_id)  # another thread may have refreshed it meanwhile
            if cached is None:
                cached = self._fetch(installation_id, self.app_jwt())
                self._tokens[installation_id] = cached
            return cached.token

    def invalidate(self, installation_id: int, token: str | None = None) -> None:
        """Forget a token GitHub refused (only that token, if given, so a fresh one is kept)."""
        with self._guard:
            cached = self._tokens.get(installation_id)
            if cached is not None and (token is None or cached.token == token):
                del self._tokens[installation_id]
