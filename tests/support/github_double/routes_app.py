"""App-level endpoints: the App itself, its installations, installation tokens, rate limits."""

from __future__ import annotations

from tests.support.github_double import render
from tests.support.github_double.api import ApiError, Call, Reply, installation_of, not_found, paginate, route
from tests.support.github_double.state import RATE_LIMIT, now_iso


@route("GET /app", auth="app")
def get_app(call: Call) -> Reply:
    assert call.world.app is not None  # authentication needs an App
    return Reply(200, render.app(call.api, call.world.app))


@route("GET /app/installations", auth="app")
def list_installations(call: Call) -> Reply:
    page, headers = paginate(call, list(call.world.installations.values()))
    return Reply(200, [render.installation(call.api, call.world, inst) for inst in page], headers)


@route("GET /app/installations/{installation_id}", auth="app")
def get_installation(call: Call) -> Reply:
    inst = call.world.installations.get(call.int_param("installation_id"))
    if inst is None:
        raise not_found()
    return Reply(200, render.installation(call.api, call.world, inst))


@route("GET /repos/{owner}/{repo}/installation", auth="app")
def get_repo_installation(call: Call) -> Reply:
    wanted = f"{call.params['owner']}/{call.params['repo']}".lower()
    for inst in call.world.installations.values():
        if wanted in {n.lower() for n in inst.repositories}:
            return Reply(200, render.installation(call.api, call.world, inst))
    raise not_found()


@route("POST /app/installations/{installation_id}/access_tokens", auth="app")
def create_token(call: Call) -> Reply:
    inst = call.world.installations.get(call.int_param("installation_id"))
    if inst is None:
        raise not_found()
    if inst.suspended:
        raise ApiError(403, "This installation has been suspended")
    body = call.body or {}
    names = {n.lower() for n in inst.repositories}
    for name in body.get("repositories", []):
        if f"{inst.account}/{name}".lower() not in names and name.lower() not in names:
            raise ApiError(422, "There is at least one repository that does not exist or is not accessible "
                                "to the parent installation.")
    token = call.world.issue_token(inst.id)
    out = {"token": token.token, "expires_at": now_iso(token.expires_at),
           "permissions": body.get("permissions") or render.APP_PERMISSIONS,
           "repository_selection": "selected"}
    return Reply(201, out, applied=True)


@route("GET /installation/repositories")
def installation_repositories(call: Call) -> Reply:
    inst = installation_of(call)
    repos = [r for name in inst.repositories if (r := call.world.repo(name)) is not None]
    page, headers = paginate(call, repos)
    body = {"total_count": len(repos), "repositories": [render.repo(call.api, r) for r in page]}
    return Reply(200, body, headers)


@route("GET /rate_limit", auth="any")
def rate_limit(call: Call) -> Reply:
    inst_id = call.caller.installation_id
    remaining = call.world.rate_remaining.get(inst_id, RATE_LIMIT) if inst_id is not None else RATE_LIMIT
    return Reply(200, render.rate_limit(RATE_LIMIT, remaining, call.world.rate_reset))
