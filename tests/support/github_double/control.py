"""The control API under `/_double/`: seed state, read state and logs, set faults and latency, reset.

Plain JSON in and out; `client.DoubleClient` wraps it. Routes (body fields in parentheses):

    GET    /_double/health
    POST   /_double/reset
    POST   /_double/seed              (a snapshot.dump()-shaped document)
    GET    /_double/state
    POST   /_double/app               (id, slug, public_key_pem, name?, owner?)
    POST   /_double/installations     (id, account, repositories?)
    POST   /_double/repos             (full_name, installation_id?, default_branch?, private?)
    POST   /_double/labels            (repo, name, color?, description?)
    POST   /_double/issues            (repo, title, body?, user?, labels?, number?, state?, pull_request?)
    POST   /_double/comments          (repo, issue_number, body, user)
    POST   /_double/label-events      (repo, issue_number, action: labeled|unlabeled, label, actor)
    PUT    /_double/files             (repo, path, text)   DELETE (repo, path): a commit; returns {sha}
    GET    /_double/requests?since=N  the request log from entry N (0-based)
    GET    /_double/write-counts?window=S  per installation, most writes received within S seconds
    GET    /_double/violations        DELETE /_double/violations: return them and clear
    GET    /_double/faults            POST: add one (see faults.Fault)   DELETE: remove all, latency 0
    PUT    /_double/latency           (seconds)
    PUT    /_double/rate-limit        (installation_id, remaining)
    POST   /_double/tokens/expire     every installation token expires now
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from tests.support.github_double import snapshot
from tests.support.github_double.state import Repo, World

if TYPE_CHECKING:
    from tests.support.github_double.server import DoubleCore


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def handle(core: DoubleCore, method: str, path: str, query: dict[str, str], raw: bytes) -> tuple[int, Any]:
    try:
        body = json.loads(raw) if raw.strip() else {}
        with core.world.lock:
            return 200, _dispatch(core, method, path.removeprefix("/_double/").rstrip("/"), query, body)
    except ControlError as exc:
        return exc.status, {"error": str(exc)}
    except (ValueError, KeyError, TypeError) as exc:
        return 400, {"error": f"{type(exc).__name__}: {exc}"}


def _repo(world: World, body: dict[str, Any]) -> Repo:
    repo = world.repo(body["repo"])
    if repo is None:
        raise ControlError(404, f"no repository {body['repo']!r}; add it first")
    return repo


def _dispatch(core: DoubleCore, method: str, path: str, query: dict[str, str], body: Any) -> Any:
    world = core.world
    match method, path:
        case "GET", "health":
            return {"ok": True, "spec": core.spec.version}
        case "POST", "reset":
            core.reset()
            return {"ok": True}
        case "POST", "seed":
            snapshot.load(world, body)
            return {"ok": True}
        case "GET", "state":
            return snapshot.dump(world)
        case "POST", "app":
            return asdict(world.set_app(body["id"], body["slug"], body["public_key_pem"],
                                        body.get("name", ""), body.get("owner", "octo-org")))
        case "POST", "installations":
            return asdict(world.add_installation(body["id"], body["account"], body.get("repositories")))
        case "POST", "repos":
            repo = world.add_repo(body["full_name"], body.get("installation_id"),
                                  body.get("default_branch", "main"), body.get("private", False))
            return {"full_name": repo.full_name, "id": repo.id, "default_branch": repo.default_branch}
        case "POST", "labels":
            repo = _repo(world, body)
            if repo.label(body["name"]) is not None:
                raise ControlError(409, f"label {body['name']!r} exists")
            return asdict(world.add_label(repo, body["name"], body.get("color", "ededed"),
                                          body.get("description")))
        case "POST", "issues":
            names = ("title", "body", "user", "labels", "number", "state", "pull_request")
            fields = {k: body[k] for k in names if k in body}
            repo = _repo(world, body)
            if fields.get("number") is not None and repo.issue(fields["number"]) is not None:
                raise ControlError(409, f"issue #{fields['number']} exists")
            return asdict(world.add_issue(repo, **fields))
        case "POST", "comments":
            repo = _repo(world, body)
            issue = repo.issue(body["issue_number"])
            if issue is None:
                raise ControlError(404, "no such issue")
            return asdict(world.add_comment(repo, issue, body["body"], body["user"]))
        case "POST", "label-events":
            repo = _repo(world, body)
            issue = repo.issue(body["issue_number"])
            if issue is None or body["action"] not in ("labeled", "unlabeled"):
                raise ControlError(404 if issue is None else 400, "no such issue or action")
            world.change_label(repo, issue, body["action"], body["label"], body["actor"])
            return asdict(issue)
        case "PUT", "files":
            return {"sha": _repo(world, body).commit_file(body["path"], str(body["text"]))}
        case "DELETE", "files":
            return {"sha": _repo(world, body).commit_file(body["path"], None)}
        case "GET", "requests":
            return core.requests_as_json(int(query.get("since", 0)))
        case "GET", "write-counts":
            return {str(k): v for k, v in core.most_writes_in_window(float(query.get("window", 60))).items()}
        case "GET", "violations":
            return core.violations_as_json()
        case "DELETE", "violations":
            return [asdict(v) for v in core.take_violations()]
        case "GET", "faults":
            return core.faults.listing()
        case "POST", "faults":
            return core.faults.add(**body).public()
        case "DELETE", "faults":
            core.faults.clear()
            return {"ok": True}
        case "PUT", "latency":
            core.faults.latency = float(body["seconds"])
            return {"ok": True}
        case "PUT", "rate-limit":
            world.rate_remaining[int(body["installation_id"])] = int(body["remaining"])
            return {"ok": True}
        case "POST", "tokens/expire":
            for token in world.tokens.values():
                token.expires_at = 0
            return {"ok": True}
    raise ControlError(404, f"no control route {method} /_double/{path}")
