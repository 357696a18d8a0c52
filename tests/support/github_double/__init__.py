"""An HTTP-level GitHub API double: a small real HTTP server on 127.0.0.1 that the real adapter (PyGithub)
talks to. It keeps state, checks every request and its own answers against GitHub's OpenAPI description
(@octokit/openapi, pinned), and injects faults.

In tests, use the `github_double` fixture (tests/support/github_fixtures.py)::

    def test_x(github_double):
        gh = github_double                     # GitHubDoubleHandle (a DoubleClient + in-process extras)
        gh.url, gh.ghes_url                    # API root (GITHUB_API_URL), and the same under /api/v3
        gh.app_id, gh.private_key_pem          # the App (4242; key pair made at test time, JWTs verified)
        gh.installation_id, gh.repo            # 1001 on "octo-org", with repository "octo-org/hello-ptm"
        gh.bot_login                           # "ptm-triage[bot]": author of everything the App writes
        gh.add_issue(gh.repo, "title", "body", user="alice", labels=["bug"])   # -> {"number": 1, ...}
        gh.add_issue_from_payload(payload, gh.installation_id)  # repo + issue of an `issues` webhook
        gh.add_label(gh.repo, "ptm", "0e8a16", "about a pre-trained model")
        sha = gh.put_file(gh.repo, ".github/ptm-triage.yml", "comment: false\\n")  # a commit on main
        gh.label_event(gh.repo, 1, "unlabeled", "ptm", actor="maintainer")    # a human removes a label
        gh.add_fault("error", method="POST", route="/repos/{owner}/{repo}/issues/{issue_number}/comments",
                     status=502, after_apply=True, count=1)   # also: timeout, secondary_rate_limit,
                                                              # too_many_requests, primary_rate_limit
        gh.set_latency(0.05)
        ... run the code under test against gh.url ...
        gh.issue(gh.repo, 1)["labels"], gh.comments(gh.repo, 1)   # read back state
        gh.api_calls("POST")                   # the request log (method, path, template, status, ...)
        gh.rest_api()("GET", f"/repos/{gh.repo}")  # plain requests with an installation token
        gh.world                               # the live state objects (state.World), in-process only

At teardown the test fails if any request was one GitHub would reject (unknown route or method, missing
or invalid credentials, parameters or body not matching the description) or if an answer of the double
broke the description. Call `gh.take_violations()` in a test that provokes them on purpose.

Behaviour worth knowing:
- Authentication as for Apps: App JWT (RS256, iss = App id, <= 10 min) for /app/... and
  /repos/{o}/{r}/installation, installation tokens (`ghs_...`, one hour) for everything else;
  `gh.expire_tokens()` expires them all. A repository outside the installation answers 404, as GitHub.
- The pinned description allows only `{"labels": [...]}` for POST .../issues/{n}/labels. PyGithub's
  `Issue.add_to_labels` sends a bare JSON array, which the double reports as a violation.
- PyGithub waits 0.25 s between requests and 1 s between writes unless `seconds_between_requests=None,
  seconds_between_writes=None` are given.
- GET answers carry ETags; `If-None-Match` with a current ETag gives 304, which costs no rate limit.
  A file's ETag is its blob sha. `contents/{path}?ref=` takes the default branch or a sha from put_file.
- Responses carry X-RateLimit-* (5000/hour per installation, `gh.set_rate_limit(id, remaining)`) and
  X-GitHub-Request-Id. Lists paginate with `per_page`/`page` and a Link header.

Outside pytest: `python -m tests.support.github_double --port 0 --state-file F` (see __main__.py), or
`process.DoubleProcess` to start one from Python; `client.DoubleClient(url)` drives its control API
(`/_double/...`, listed in control.py).

Modules: spec (OpenAPI index and cache), validation, state, snapshot (state as JSON), render (GitHub's
JSON shapes), auth, api (handler plumbing), routes_app / routes_repo (endpoints), faults, server, control,
client, rest (plain-requests access), process.
"""
