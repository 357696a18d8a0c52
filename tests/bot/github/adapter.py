"""The GitHub adapter over the HTTP double: what test_github_client.py and test_github_http.py share."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.github.client import AppClientFactory, RequestPolicy
from bot.github.port import GitHubPort
from bot.observability import GITHUB_CALLS
from bot.settings import Settings
from tests.support.github_fixtures import GitHubDoubleHandle

MARKER = "<!-- ptm-triage:triage -->"
FAST = RequestPolicy(timeout=1, attempts=3, base_delay=0.0, max_delay=0.0)
HOLD = 1.5  # seconds a "timeout" fault holds its answer: longer than FAST.timeout
TOKENS = "/app/installations/{installation_id}/access_tokens"
ISSUE = "/repos/{owner}/{repo}/issues/{issue_number}"
LABELS = "/repos/{owner}/{repo}/labels"
ISSUE_LABELS = "/repos/{owner}/{repo}/issues/{issue_number}/labels"
COMMENTS = "/repos/{owner}/{repo}/issues/{issue_number}/comments"
EVENTS = "/repos/{owner}/{repo}/issues/{issue_number}/events"
CONTENTS = "/repos/{owner}/{repo}/contents/{path}"
CHECK_RUNS = "/repos/{owner}/{repo}/check-runs"
CONFIG = ".github/ptm-triage.yml"  # absent from the double's repository: a one-request read (404)


def make_factory(gh: GitHubDoubleHandle, url: str | None = None, **kwargs: Any) -> AppClientFactory:
    kwargs.setdefault("policy", FAST)
    settings = Settings(app_id=gh.app_id, private_key=gh.private_key_pem, webhook_secret="x",
                        github_api_url=url or gh.url)
    return AppClientFactory(settings, **kwargs)


@pytest.fixture
def gh(github_double: GitHubDoubleHandle) -> GitHubDoubleHandle:
    github_double.add_issue(github_double.repo, "CUDA out of memory", "body", user="alice")
    return github_double


@pytest.fixture
def factory(gh: GitHubDoubleHandle) -> Iterator[AppClientFactory]:
    made = make_factory(gh)
    yield made
    made.close()


@pytest.fixture
def client(factory: AppClientFactory, gh: GitHubDoubleHandle) -> GitHubPort:
    return factory.for_installation(gh.installation_id)


def calls() -> dict[tuple[str, str], float]:
    out = {}
    for metric in GITHUB_CALLS.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total"):
                out[(sample.labels["method"], sample.labels["status"])] = sample.value
    return out


def sent(gh: GitHubDoubleHandle, method: str | None = None, template: str | None = None) -> int:
    return len(gh.api_calls(method, template))


def settled(gh: GitHubDoubleHandle, requests: int) -> list[dict[str, Any]]:
    """The double's request log once it holds `requests` entries: a held ("timeout") request is logged
    when the double finally answers, after the client gave up."""
    deadline = time.monotonic() + 10 * HOLD
    while len(log := gh.core.requests_as_json()) < requests and time.monotonic() < deadline:
        time.sleep(0.05)
    return log
