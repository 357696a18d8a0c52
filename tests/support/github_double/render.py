"""The double's state as GitHub's REST representations.

`api` is the API root the client used (e.g. `http://127.0.0.1:PORT` or `http://127.0.0.1:PORT/api/v3`):
PyGithub follows the `url` fields it is given, so they must point back at the double.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from tests.support.github_double.state import (
    App,
    CheckRun,
    Comment,
    File,
    Installation,
    Issue,
    IssueEvent,
    Label,
    Repo,
    World,
    is_bot,
    now_iso,
)

WEB = "https://github.com"
CREATED = "2024-01-01T00:00:00Z"
APP_PERMISSIONS = {"issues": "write", "metadata": "read", "contents": "read", "checks": "write"}
APP_EVENTS = ["issues", "installation", "installation_repositories", "push"]
Json = dict[str, Any]


def user(api: str, login: str) -> Json:
    uid = _stable_id(login)
    return {
        "login": login, "id": uid, "node_id": f"U_{uid}", "avatar_url": f"{WEB}/avatars/{uid}",
        "gravatar_id": "", "url": f"{api}/users/{login}", "html_url": f"{WEB}/{login}",
        "followers_url": f"{api}/users/{login}/followers",
        "following_url": f"{api}/users/{login}/following{{/other_user}}",
        "gists_url": f"{api}/users/{login}/gists{{/gist_id}}",
        "starred_url": f"{api}/users/{login}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/users/{login}/subscriptions",
        "organizations_url": f"{api}/users/{login}/orgs", "repos_url": f"{api}/users/{login}/repos",
        "events_url": f"{api}/users/{login}/events{{/privacy}}",
        "received_events_url": f"{api}/users/{login}/received_events",
        "type": "Bot" if is_bot(login) else "User", "site_admin": False,
    }


def app(api: str, a: App) -> Json:
    return {
        "id": a.id, "slug": a.slug, "node_id": f"A_{a.id}", "client_id": f"Iv1.{a.id:016x}",
        "owner": user(api, a.owner), "name": a.name, "description": "", "external_url": WEB,
        "html_url": f"{WEB}/apps/{a.slug}", "created_at": CREATED, "updated_at": CREATED,
        "permissions": APP_PERMISSIONS, "events": APP_EVENTS,
    }


def installation(api: str, world: World, inst: Installation) -> Json:
    a = world.app
    return {
        # The list operation's schema wants the account as user AND enterprise; both shapes fit this.
        "id": inst.id, "repository_selection": "selected",
        "account": user(api, inst.account) | {"name": inst.account, "slug": inst.account,
                                              "created_at": CREATED, "updated_at": CREATED},
        "access_tokens_url": f"{api}/app/installations/{inst.id}/access_tokens",
        "repositories_url": f"{api}/installation/repositories",
        "html_url": f"{WEB}/settings/installations/{inst.id}", "app_id": a.id if a else 0,
        "app_slug": a.slug if a else "", "target_id": _stable_id(inst.account), "target_type": "Organization",
        "permissions": APP_PERMISSIONS, "events": APP_EVENTS, "created_at": CREATED, "updated_at": CREATED,
        "single_file_name": None, "suspended_by": None, "suspended_at": None,
    }


def repo(api: str, r: Repo, full: bool = False) -> Json:
    base = f"{api}/repos/{r.full_name}"
    out: Json = {
        "id": r.id, "node_id": f"R_{r.id}", "name": r.name, "full_name": r.full_name,
        "owner": user(api, r.owner), "private": r.private, "html_url": f"{WEB}/{r.full_name}",
        "description": None, "fork": False, "url": base, "homepage": None, "language": "Python",
        "forks": 0, "forks_count": 0, "stargazers_count": 0, "watchers": 0, "watchers_count": 0, "size": 1,
        "default_branch": r.default_branch, "open_issues": _open(r), "open_issues_count": _open(r),
        "has_issues": True, "has_projects": False, "has_wiki": False, "has_pages": False,
        "has_downloads": True, "has_discussions": False, "archived": False, "disabled": False,
        "license": None, "mirror_url": None, "pushed_at": CREATED, "created_at": CREATED,
        "updated_at": CREATED,
        "clone_url": f"{WEB}/{r.full_name}.git", "git_url": f"git://github.com/{r.full_name}.git",
        "ssh_url": f"git@github.com:{r.full_name}.git", "svn_url": f"{WEB}/{r.full_name}",
    }
    for name in ("archive", "assignees", "blobs", "branches", "collaborators", "comments", "commits",
                 "compare", "contents", "contributors", "deployments", "downloads", "events", "forks",
                 "git_commits", "git_refs", "git_tags", "hooks", "issue_comment", "issue_events", "issues",
                 "keys", "labels", "languages", "merges", "milestones", "notifications", "pulls", "releases",
                 "stargazers", "statuses", "subscribers", "subscription", "tags", "teams", "trees"):
        out[f"{name}_url"] = f"{base}/{name.replace('_', '/')}"
    if full:
        out |= {"network_count": 0, "subscribers_count": 0}
    return out


def label(api: str, r: Repo, lb: Label) -> Json:
    url = f"{api}/repos/{r.full_name}/labels/{quote(lb.name, safe='')}"
    return {"id": lb.id, "node_id": f"LA_{lb.id}", "url": url,
            "name": lb.name, "description": lb.description, "color": lb.color, "default": False}


def issue(api: str, world: World, r: Repo, i: Issue) -> Json:
    base = f"{api}/repos/{r.full_name}/issues/{i.number}"
    comments = sum(1 for c in world.comments.values() if c.repo == r.full_name and c.issue_number == i.number)
    out: Json = {
        "id": i.id, "node_id": f"I_{i.id}", "url": base, "repository_url": f"{api}/repos/{r.full_name}",
        "labels_url": f"{base}/labels{{/name}}", "comments_url": f"{base}/comments",
        "events_url": f"{base}/events", "timeline_url": f"{base}/timeline",
        "html_url": f"{WEB}/{r.full_name}/issues/{i.number}", "number": i.number, "state": i.state,
        "state_reason": None, "title": i.title, "body": i.body, "user": user(api, i.user),
        "labels": [label(api, r, lb) for name in i.labels if (lb := r.label(name)) is not None],
        "assignee": None, "assignees": [], "milestone": None, "locked": False, "active_lock_reason": None,
        "comments": comments, "closed_at": i.closed_at, "created_at": i.created_at, "updated_at": i.updated_at,
        "author_association": "NONE",
    }
    if i.pull_request:
        out["pull_request"] = {"url": f"{api}/repos/{r.full_name}/pulls/{i.number}",
                               "html_url": f"{WEB}/{r.full_name}/pull/{i.number}",
                               "diff_url": f"{WEB}/{r.full_name}/pull/{i.number}.diff",
                               "patch_url": f"{WEB}/{r.full_name}/pull/{i.number}.patch"}
    return out


def comment(api: str, c: Comment) -> Json:
    return {
        "id": c.id, "node_id": f"IC_{c.id}", "url": f"{api}/repos/{c.repo}/issues/comments/{c.id}",
        "html_url": f"{WEB}/{c.repo}/issues/{c.issue_number}#issuecomment-{c.id}", "body": c.body,
        "user": user(api, c.user), "created_at": c.created_at, "updated_at": c.updated_at,
        "issue_url": f"{api}/repos/{c.repo}/issues/{c.issue_number}", "author_association": "NONE",
    }


def issue_event(api: str, r: Repo, e: IssueEvent) -> Json:
    lb = r.label(e.label)
    return {
        "id": e.id, "node_id": f"LE_{e.id}", "url": f"{api}/repos/{r.full_name}/issues/events/{e.id}",
        "actor": user(api, e.actor), "event": e.event, "commit_id": None, "commit_url": None,
        "created_at": e.created_at, "performed_via_github_app": None,
        "label": {"name": e.label, "color": lb.color if lb else "ededed"},
    }


def content_file(api: str, r: Repo, path: str, f: File) -> Json:
    data = f.text.encode()
    url = f"{api}/repos/{r.full_name}/contents/{path}?ref={r.default_branch}"
    html = f"{WEB}/{r.full_name}/blob/{r.default_branch}/{path}"
    git = f"{api}/repos/{r.full_name}/git/blobs/{f.sha}"
    return {
        "type": "file", "encoding": "base64", "size": len(data), "name": path.rsplit("/", 1)[-1],
        "path": path, "content": base64.encodebytes(data).decode(), "sha": f.sha, "url": url,
        "git_url": git, "html_url": html,
        "download_url": f"https://raw.githubusercontent.com/{r.full_name}/{r.default_branch}/{path}",
        "_links": {"self": url, "git": git, "html": html},
    }


def check_run(api: str, world: World, c: CheckRun) -> Json:
    a = world.app
    return {
        "id": c.id, "node_id": f"CR_{c.id}", "head_sha": c.head_sha, "external_id": "", "name": c.name,
        "url": f"{api}/repos/{c.repo}/check-runs/{c.id}", "html_url": f"{WEB}/{c.repo}/runs/{c.id}",
        "details_url": None, "status": c.status, "conclusion": c.conclusion, "started_at": c.created_at,
        "completed_at": c.created_at if c.status == "completed" else None,
        "output": {"title": c.title, "summary": c.summary, "text": None, "annotations_count": 0,
                   "annotations_url": f"{api}/repos/{c.repo}/check-runs/{c.id}/annotations"},
        "check_suite": {"id": c.id + 1}, "app": app(api, a) if a else None, "pull_requests": [],
    }


def rate_limit(limit: int, remaining: int, reset: int) -> Json:
    core = {"limit": limit, "remaining": remaining, "reset": reset, "used": limit - remaining}
    search = {"limit": 30, "remaining": 30, "reset": reset, "used": 0}
    return {"resources": {"core": core, "search": search}, "rate": core}


def error(status: int, message: str, docs: str = "https://docs.github.com/rest") -> Json:
    return {"message": message, "documentation_url": docs, "status": str(status)}


def timestamp() -> str:
    return now_iso()


def _open(r: Repo) -> int:
    return sum(1 for i in r.issues if i.state == "open")


def _stable_id(login: str) -> int:
    # Deterministic ids for users so that repeated reads agree.
    return 1 + sum((i + 1) * ord(ch) for i, ch in enumerate(login)) % 10_000_000
