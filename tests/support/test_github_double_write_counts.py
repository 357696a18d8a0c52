"""The double counts content-creating requests per installation in any window, as GitHub's secondary
limit does: writes only (not reads, not the App's token requests), each installation apart."""

from __future__ import annotations

from tests.support.github_fixtures import GitHubDoubleHandle


def test_writes_are_counted_per_installation_in_any_window(github_double: GitHubDoubleHandle) -> None:
    gh = github_double
    number = gh.add_issue(gh.repo, "CUDA out of memory", "body", user="alice")["number"]
    api = gh.rest_api()
    for name in ("a", "b", "c"):
        assert api("POST", f"/repos/{gh.repo}/issues/{number}/labels", json={"labels": [name]}).status_code == 200
    assert api("GET", f"/repos/{gh.repo}/issues/{number}").status_code == 200
    assert gh.most_writes_in_window(60.0) == {gh.installation_id: 3}
    assert gh.most_writes_in_window(1e-9) == {gh.installation_id: 1}  # shorter than the clock resolution
