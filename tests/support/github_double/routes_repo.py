"""Repository endpoints the bot uses: repository, issues, labels, comments, events, contents, check runs.

Every write made with an installation token acts as the App's bot user (`<slug>[bot]`).
"""

from __future__ import annotations

import re
from typing import Any

from tests.support.github_double import render
from tests.support.github_double.api import (
    ApiError,
    Call,
    Reply,
    accessible_repo,
    not_found,
    paginate,
    route,
    validation_failed,
)
from tests.support.github_double.state import CheckRun, Comment, Issue, Repo, now_iso

COLOR = re.compile(r"[0-9a-fA-F]{6}")
MAX_COMMENT = 65536  # characters, GitHub's limit on comment bodies


def _issue(call: Call, repo: Repo) -> Issue:
    issue = repo.issue(call.int_param("issue_number"))
    if issue is None:
        raise not_found()
    return issue


def _comment(call: Call, repo: Repo) -> Comment:
    comment = call.world.comments.get(call.int_param("comment_id"))
    if comment is None or comment.repo != repo.full_name:
        raise not_found()
    return comment


def _bot(call: Call) -> str:
    assert call.world.app is not None
    return call.world.app.bot_login


@route("GET /repos/{owner}/{repo}")
def get_repo(call: Call) -> Reply:
    return Reply(200, render.repo(call.api, accessible_repo(call), full=True))


@route("GET /repos/{owner}/{repo}/issues")
def list_issues(call: Call) -> Reply:
    """Issues and pull requests, as GitHub lists them: `state`, `since` (updated at or after), `sort`
    (created | updated), `direction`, paginated."""
    repo = accessible_repo(call)
    state = call.query.get("state", "open")
    since = call.query.get("since")
    items = [i for i in repo.issues if state == "all" or i.state == state]
    if since:  # the double's timestamps all have GitHub's one format, so they compare as text
        items = [i for i in items if i.updated_at >= since]
    sort = "updated_at" if call.query.get("sort") == "updated" else "created_at"
    items.sort(key=lambda i: (getattr(i, sort), i.number), reverse=call.query.get("direction", "desc") == "desc")
    page, headers = paginate(call, items)
    return Reply(200, [render.issue(call.api, call.world, repo, i) for i in page], headers)


@route("GET /repos/{owner}/{repo}/issues/{issue_number}")
def get_issue(call: Call) -> Reply:
    repo = accessible_repo(call)
    return Reply(200, render.issue(call.api, call.world, repo, _issue(call, repo)))


@route("GET /repos/{owner}/{repo}/labels")
def list_labels(call: Call) -> Reply:
    repo = accessible_repo(call)
    page, headers = paginate(call, repo.labels)
    return Reply(200, [render.label(call.api, repo, lb) for lb in page], headers)


@route("GET /repos/{owner}/{repo}/labels/{name}")
def get_label(call: Call) -> Reply:
    repo = accessible_repo(call)
    label = repo.label(call.params["name"])
    if label is None:
        raise not_found()
    return Reply(200, render.label(call.api, repo, label))


@route("POST /repos/{owner}/{repo}/labels")
def create_label(call: Call) -> Reply:
    repo = accessible_repo(call)
    body = call.body
    if repo.label(body["name"]) is not None:
        raise validation_failed("Label", "already_exists", "name")
    color = body.get("color", "ededed").lstrip("#")
    if not COLOR.fullmatch(color):
        raise validation_failed("Label", "invalid", "color")
    if len(body.get("description") or "") > 100:
        raise validation_failed("Label", "invalid", "description")
    label = call.world.add_label(repo, body["name"], color, body.get("description"))
    return Reply(201, render.label(call.api, repo, label), applied=True)


@route("GET /repos/{owner}/{repo}/issues/{issue_number}/labels")
def list_issue_labels(call: Call) -> Reply:
    repo = accessible_repo(call)
    issue = _issue(call, repo)
    labels = [lb for name in issue.labels if (lb := repo.label(name)) is not None]
    page, headers = paginate(call, labels)
    return Reply(200, [render.label(call.api, repo, lb) for lb in page], headers)


@route("POST /repos/{owner}/{repo}/issues/{issue_number}/labels")
def add_issue_labels(call: Call) -> Reply:
    repo = accessible_repo(call)
    issue = _issue(call, repo)
    raw: list[Any] = (call.body or {}).get("labels", [])
    names = [item if isinstance(item, str) else item["name"] for item in raw]
    for name in names:  # GitHub creates labels that do not exist yet, and never duplicates one
        call.world.change_label(repo, issue, "labeled", name, _bot(call))
    labels = [lb for name in issue.labels if (lb := repo.label(name)) is not None]
    return Reply(200, [render.label(call.api, repo, lb) for lb in labels], applied=True)


@route("GET /repos/{owner}/{repo}/issues/{issue_number}/comments")
def list_comments(call: Call) -> Reply:
    repo = accessible_repo(call)
    issue = _issue(call, repo)
    found = sorted((c for c in call.world.comments.values()
                    if c.repo == repo.full_name and c.issue_number == issue.number), key=lambda c: c.id)
    page, headers = paginate(call, found)
    return Reply(200, [render.comment(call.api, c) for c in page], headers)


@route("POST /repos/{owner}/{repo}/issues/{issue_number}/comments")
def create_comment(call: Call) -> Reply:
    repo = accessible_repo(call)
    issue = _issue(call, repo)
    body = call.body["body"]
    if not body.strip() or len(body) > MAX_COMMENT:
        raise validation_failed("IssueComment", "invalid" if body.strip() else "missing_field", "body")
    comment = call.world.add_comment(repo, issue, body, _bot(call))
    return Reply(201, render.comment(call.api, comment), applied=True)


@route("GET /repos/{owner}/{repo}/issues/comments/{comment_id}")
def get_comment(call: Call) -> Reply:
    return Reply(200, render.comment(call.api, _comment(call, accessible_repo(call))))


@route("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}")
def edit_comment(call: Call) -> Reply:
    comment = _comment(call, accessible_repo(call))
    body = call.body["body"]
    if not body.strip() or len(body) > MAX_COMMENT:
        raise validation_failed("IssueComment", "invalid", "body")
    comment.body = body
    comment.updated_at = now_iso()
    return Reply(200, render.comment(call.api, comment), applied=True)


@route("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}")
def delete_comment(call: Call) -> Reply:
    comment = _comment(call, accessible_repo(call))
    del call.world.comments[comment.id]
    return Reply(204, applied=True)


def _label_events(call: Call) -> tuple[Repo, list[dict[str, Any]]]:
    repo = accessible_repo(call)
    issue = _issue(call, repo)
    events = [render.issue_event(call.api, repo, e) for e in call.world.events
              if e.repo == repo.full_name and e.issue_number == issue.number]
    return repo, events


@route("GET /repos/{owner}/{repo}/issues/{issue_number}/events")
def list_events(call: Call) -> Reply:
    _, events = _label_events(call)
    page, headers = paginate(call, events)
    return Reply(200, page, headers)


@route("GET /repos/{owner}/{repo}/issues/{issue_number}/timeline")
def list_timeline(call: Call) -> Reply:
    _, events = _label_events(call)
    page, headers = paginate(call, events)
    return Reply(200, page, headers)


@route("GET /repos/{owner}/{repo}/contents/{path}")
def get_content(call: Call) -> Reply:
    repo = accessible_repo(call)
    ref = call.query.get("ref")
    files = repo.files_at(ref)
    if files is None:
        raise ApiError(404, f"No commit found for the ref {ref}")
    path = call.params["path"].strip("/")
    file = files.get(path)
    if file is None:
        raise not_found()
    return Reply(200, render.content_file(call.api, repo, path, file), {"ETag": file.etag})


@route("POST /repos/{owner}/{repo}/check-runs")
def create_check_run(call: Call) -> Reply:
    repo = accessible_repo(call)
    body = call.body
    if not re.fullmatch(r"[0-9a-f]{40}", body["head_sha"]):
        raise validation_failed("CheckRun", "invalid", "head_sha")
    conclusion = body.get("conclusion")
    status = "completed" if conclusion else body.get("status", "queued")
    if status == "completed" and not conclusion:
        raise validation_failed("CheckRun", "missing_field", "conclusion")
    output = body.get("output") or {}
    run = CheckRun(call.world.next_id(), repo.full_name, body["head_sha"], body["name"], status, conclusion,
                   output.get("title"), output.get("summary"))
    call.world.check_runs.append(run)
    return Reply(201, render.check_run(call.api, call.world, run), applied=True)


@route("GET /repos/{owner}/{repo}/commits/{ref}/check-runs")
def list_check_runs_for_ref(call: Call) -> Reply:
    repo = accessible_repo(call)
    name = call.query.get("check_name")
    runs = [r for r in call.world.check_runs if r.repo == repo.full_name and r.head_sha == call.params["ref"]
            and (name is None or r.name == name)]
    page, headers = paginate(call, runs)
    return Reply(200, {"total_count": len(runs),
                       "check_runs": [render.check_run(call.api, call.world, r) for r in page]}, headers)
