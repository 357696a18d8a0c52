"""The double's state as JSON and back: `dump(world)` for GET /_double/state and `--state-file`,
`load(world, document)` to seed (ids given in the document are kept)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from tests.support.github_double.state import App, CheckRun, Comment, File, Issue, IssueEvent, Label, World


def dump(world: World) -> dict[str, Any]:
    """Everything the double holds except tokens and rate-limit counters."""
    return {
        "app": None if world.app is None else asdict(world.app),
        "installations": [asdict(i) for i in world.installations.values()],
        "repos": [
            {"full_name": r.full_name, "id": r.id, "default_branch": r.default_branch,
             "private": r.private, "labels": [asdict(lb) for lb in r.labels],
             "issues": [asdict(i) for i in r.issues],
             "files": {path: f.text for path, f in r.files.items()}, "commits": r.commits}
            for r in world.repos.values()
        ],
        "comments": [asdict(c) for c in world.comments.values()],
        "events": [asdict(e) for e in world.events],
        "check_runs": [asdict(c) for c in world.check_runs],
    }


def load(world: World, data: dict[str, Any]) -> None:
    """Add everything in a `dump()`-shaped document (ids given there are kept)."""
    if data.get("app"):
        world.app = App(**data["app"])
    for inst in data.get("installations", []):
        world.add_installation(inst["id"], inst["account"], inst.get("repositories", []))
    for raw in data.get("repos", []):
        repo = world.add_repo(raw["full_name"], default_branch=raw.get("default_branch", "main"),
                              private=raw.get("private", False))
        repo.id = raw.get("id", repo.id)
        for lb in raw.get("labels", []):
            repo.labels.append(Label(lb.get("id") or world.next_id(), lb["name"],
                                     lb.get("color", "ededed"), lb.get("description")))
        for issue in raw.get("issues", []):
            if "id" in issue:
                repo.issues.append(Issue(**issue))
            else:
                world.add_issue(repo, **issue)
        repo.files.update({path: File(text) for path, text in raw.get("files", {}).items()})
        repo.commits.update(raw.get("commits", {}))
    for c in data.get("comments", []):
        world.comments[c["id"]] = Comment(**c)
    world.events.extend(IssueEvent(**e) for e in data.get("events", []))
    world.check_runs.extend(CheckRun(**c) for c in data.get("check_runs", []))
    used = [*world.comments, *(e.id for e in world.events), *(c.id for c in world.check_runs)]
    for repo in world.repos.values():
        used += [repo.id, *(lb.id for lb in repo.labels), *(i.id for i in repo.issues)]
    world.skip_ids(used)
