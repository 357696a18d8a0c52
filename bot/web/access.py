"""The optional STATUS_TOKEN in front of the pages that show repository names and issue titles.

A request passes with `Authorization: Bearer TOKEN` (scripts) or basic auth whose password is the token
(a browser asks for it once; any user name). Compared in constant time. Health, readiness, metrics and the
webhook never come here.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from flask import Response, request

REALM = "ptm-triage"


def authorised(header: str | None, token: str) -> bool:
    """Whether an Authorization header carries `token` as a bearer token or a basic-auth password."""
    if not header:
        return False
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        given = value.encode("utf-8", "replace")
    elif scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return False
        given = decoded.partition(b":")[2]
    else:
        return False
    return hmac.compare_digest(given, token.encode("utf-8"))


def require_token(token: str | None) -> Response | None:
    """A 401 asking for the token unless the current request carries it (None: no token configured)."""
    if token is None or authorised(request.headers.get("Authorization"), token):
        return None
    return Response(
        "These pages need the STATUS_TOKEN: as the password of basic auth, or as a bearer token.\n",
        401,
        {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"', "Cache-Control": "no-store"},
        mimetype="text/plain",
    )
