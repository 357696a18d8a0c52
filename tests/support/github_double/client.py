"""A small Python client for the double's control API (works for in-process and separate-process doubles)."""

from __future__ import annotations

from typing import Any

import requests

TIMEOUT = 10  # seconds


class DoubleClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = requests.Session()

    def _call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = self._http.request(method, f"{self.base_url}/_double/{path}", json=body, params=params,
                                      timeout=TIMEOUT)
        if response.status_code != 200:
            raise RuntimeError(f"control {method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    # ---- seeding -------------------------------------------------------------------------------------
    def reset(self) -> None:
        self._call("POST", "reset")

    def seed(self, document: dict[str, Any]) -> None:
        self._call("POST", "seed", document)

    def set_app(self, app_id: int, slug: str, public_key_pem: str, name: str = "") -> dict[str, Any]:
        return dict(self._call("POST", "app", {"id": app_id, "slug": slug, "public_key_pem": public_key_pem,
                                               "name": name}))

    def add_installation(self, installation_id: int, account: str,
                         repositories: list[str] | None = None) -> dict[str, Any]:
        body = {"id": installation_id, "account": account, "repositories": repositories or []}
        return dict(self._call("POST", "installations", body))

    def add_repo(self, full_name: str, installation_id: int | None = None, default_branch: str = "main",
                 private: bool = False) -> dict[str, Any]:
        return dict(self._call("POST", "repos", {"full_name": full_name, "installation_id": installation_id,
                                                 "default_branch": default_branch, "private": private}))

    def add_label(self, repo: str, name: str, color: str = "ededed",
                  description: str | None = None) -> dict[str, Any]:
        return dict(self._call("POST", "labels", {"repo": repo, "name": name, "color": color,
                                                  "description": description}))

    def add_issue(self, repo: str, title: str, body: str | None = None, **fields: Any) -> dict[str, Any]:
        """Fields: user, labels, number, state, pull_request. Returns the stored issue (with `number`)."""
        return dict(self._call("POST", "issues", {"repo": repo, "title": title, "body": body, **fields}))

    def add_issue_from_payload(self, payload: dict[str, Any], installation_id: int) -> dict[str, Any]:
        """Make the double hold the repository and issue of an `issues` webhook payload (e.g. a real
        example), with the repository in `installation_id`."""
        repository, issue = payload["repository"], payload["issue"]
        self.add_repo(repository["full_name"], installation_id, repository.get("default_branch") or "main")
        labels = [lb["name"] for lb in issue.get("labels", [])]
        return self.add_issue(repository["full_name"], issue["title"], issue.get("body"),
                              user=issue["user"]["login"], labels=labels, number=issue["number"],
                              state=issue.get("state", "open"), pull_request="pull_request" in issue)

    def add_comment(self, repo: str, issue_number: int, body: str, user: str) -> dict[str, Any]:
        return dict(self._call("POST", "comments", {"repo": repo, "issue_number": issue_number, "body": body,
                                                    "user": user}))

    def label_event(self, repo: str, issue_number: int, action: str, label: str,
                    actor: str) -> dict[str, Any]:
        """A human (or anyone) adds/removes a label: changes the issue and records a timeline event."""
        return dict(self._call("POST", "label-events", {"repo": repo, "issue_number": issue_number,
                                                        "action": action, "label": label, "actor": actor}))

    def put_file(self, repo: str, path: str, text: str) -> str:
        """Commit `text` to `path` on the default branch; returns the commit sha (for push payloads and
        `contents?ref=`)."""
        return str(self._call("PUT", "files", {"repo": repo, "path": path, "text": text})["sha"])

    def delete_file(self, repo: str, path: str) -> str:
        return str(self._call("DELETE", "files", {"repo": repo, "path": path})["sha"])

    # ---- behaviour -----------------------------------------------------------------------------------
    def add_fault(self, kind: str = "error", **spec: Any) -> dict[str, Any]:
        """Fields (faults.Fault): method, route, status, after_apply, count, probability, seed,
        retry_after, hold, after (matching requests let through first)."""
        return dict(self._call("POST", "faults", {"kind": kind, **spec}))

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "faults"))

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def set_latency(self, seconds: float) -> None:
        self._call("PUT", "latency", {"seconds": seconds})

    def set_rate_limit(self, installation_id: int, remaining: int) -> None:
        self._call("PUT", "rate-limit", {"installation_id": installation_id, "remaining": remaining})

    def expire_tokens(self) -> None:
        self._call("POST", "tokens/expire")

    # ---- inspection ----------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return dict(self._call("GET", "state"))

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """The request log: seq, method, path, template, status, started, duration_ms, installation_id,
        fault."""
        return list(self._call("GET", "requests", since=since))

    def most_writes_in_window(self, window: float = 60.0) -> dict[int, int]:
        """Per installation, the most content-creating requests the double received within any `window`
        seconds (GitHub's secondary limit counts them per minute)."""
        counts = self._call("GET", "write-counts", window=window)
        return {int(k): int(v) for k, v in counts.items()}

    def violations(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "violations"))

    def take_violations(self) -> list[dict[str, Any]]:
        """The violations so far, cleared (for tests that provoke them on purpose)."""
        return list(self._call("DELETE", "violations"))

    def issue(self, repo: str, number: int) -> dict[str, Any]:
        for r in self.state()["repos"]:
            if r["full_name"].lower() == repo.lower():
                for issue in r["issues"]:
                    if issue["number"] == number:
                        return dict(issue)
        raise KeyError(f"{repo}#{number}")

    def comments(self, repo: str, issue_number: int) -> list[dict[str, Any]]:
        return [c for c in self.state()["comments"]
                if c["repo"].lower() == repo.lower() and c["issue_number"] == issue_number]

    def close(self) -> None:
        self._http.close()
