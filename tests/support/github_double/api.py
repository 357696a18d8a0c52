"""The shape of an API handler: a `Call` in, a `Reply` out, `ApiError` for GitHub's error answers.

Handlers register with `@route("METHOD /template", auth=...)`; the set of registered keys is also the set
of operations whose schemas are taken from the OpenAPI description.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from tests.support.github_double import render
from tests.support.github_double.auth import Caller
from tests.support.github_double.state import Installation, Repo, World

Auth = Literal["app", "installation", "any", "none"]  # none: GitHub asks for no credentials
MAX_PER_PAGE = 100


@dataclass
class Call:
    world: World
    api: str  # the API root the client used, for the URLs in responses
    url: str  # this request's URL without query, for Link headers
    params: dict[str, str]  # decoded path parameters
    query: dict[str, str]
    body: Any
    headers: Mapping[str, str]
    caller: Caller

    def int_param(self, name: str) -> int:
        return int(self.params[name])


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    applied: bool = False  # the call changed state (a write)


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        out = render.error(self.status, self.message)
        if self.errors is not None:
            out["errors"] = self.errors
        return out


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Route:
    handler: Handler
    auth: Auth


ROUTES: dict[str, Route] = {}


def route(key: str, auth: Auth = "installation") -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ROUTES[key] = Route(fn, auth)
        return fn

    return register


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def validation_failed(resource: str, code: str, field_name: str) -> ApiError:
    return ApiError(422, "Validation Failed", [{"resource": resource, "code": code, "field": field_name}])


def installation_of(call: Call) -> Installation:
    inst = call.world.installations.get(call.caller.installation_id or -1)
    if inst is None:
        raise ApiError(401, "Bad credentials")
    return inst


def accessible_repo(call: Call) -> Repo:
    """The repository in the path, if the calling installation may see it (else 404, as GitHub answers)."""
    full_name = f"{call.params['owner']}/{call.params['repo']}"
    repo = call.world.repo(full_name)
    inst = installation_of(call)
    if repo is None or repo.full_name.lower() not in {n.lower() for n in inst.repositories}:
        raise not_found()
    return repo


def paginate(call: Call, items: Sequence[Any]) -> tuple[list[Any], dict[str, str]]:
    """One page of `items` by `per_page`/`page`, with GitHub's Link header."""
    per_page = max(1, min(int(call.query.get("per_page", 30)), MAX_PER_PAGE))
    page = max(1, int(call.query.get("page", 1)))
    last = max(1, math.ceil(len(items) / per_page))
    chunk = list(items[(page - 1) * per_page: page * per_page])
    links = []
    extra = {k: v for k, v in call.query.items() if k not in ("page", "per_page")}

    def link(n: int, rel: str) -> str:
        return f'<{call.url}?{urlencode({**extra, "per_page": per_page, "page": n})}>; rel="{rel}"'

    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links += [link(1, "first"), link(page - 1, "prev")]
    return chunk, ({"Link": ", ".join(links)} if links else {})
