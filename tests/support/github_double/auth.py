"""Authentication as GitHub does it for Apps: an RS256 JWT signed with the App's private key (checked against
its public key, `iss` = the App id, at most 10 minutes of validity) or an installation token `ghs_...`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import jwt

from tests.support.github_double.state import World

JWT_MAX_LIFETIME = 600  # seconds: GitHub refuses App JWTs valid for longer
CLOCK_DRIFT = 60  # seconds of clock skew tolerated on `iat`


@dataclass(frozen=True)
class Caller:
    kind: Literal["app", "installation", "anonymous"]
    installation_id: int | None = None


class AuthError(Exception):
    """401 from GitHub; the message is the one GitHub gives."""


def authenticate(world: World, authorization: str | None, now: float | None = None) -> Caller:
    now = time.time() if now is None else now
    if not authorization:
        raise AuthError("Requires authentication")
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() not in ("bearer", "token") or not credential:
        raise AuthError("Bad credentials")
    if credential.startswith("ghs_"):
        token = world.tokens.get(credential)
        if token is None or token.expires_at <= now:
            raise AuthError("Bad credentials")
        return Caller("installation", token.installation_id)
    if credential.count(".") == 2:
        verify_app_jwt(world, credential, now)
        return Caller("app")
    raise AuthError("Bad credentials")


def verify_app_jwt(world: World, token: str, now: float) -> None:
    app = world.app
    if app is None:
        raise AuthError("A JSON web token could not be decoded")
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256":
            raise AuthError("A JSON web token could not be decoded")
        claims = jwt.decode(token, app.public_key_pem, algorithms=["RS256"],
                            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False,
                                     "require": ["iat", "exp", "iss"]})
    except jwt.PyJWTError as exc:
        raise AuthError("A JSON web token could not be decoded") from exc
    iat, exp = claims["iat"], claims["exp"]
    if not isinstance(iat, int | float) or iat > now + CLOCK_DRIFT:
        raise AuthError("'Issued at' claim ('iat') must be an Integer representing the time that the "
                        "assertion was issued")
    if not isinstance(exp, int | float) or exp <= now:
        raise AuthError("'Expiration time' claim ('exp') must be a numeric value representing the future "
                        "time at which the assertion expires")
    if exp - iat > JWT_MAX_LIFETIME + CLOCK_DRIFT or exp > now + JWT_MAX_LIFETIME + CLOCK_DRIFT:
        raise AuthError("'Expiration time' claim ('exp') is too far in the future")
    if str(claims["iss"]) != str(app.id):
        raise AuthError("Integration not found")
