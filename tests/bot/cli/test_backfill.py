"""`ptm-triage backfill` end to end: the real command, the real GitHub adapter, the HTTP GitHub double
(every request checked against GitHub's OpenAPI description) and a SQLite store."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import func, select

from bot.cli.main import main
from bot.store.engine import make_engine
from bot.store.tables import backfill_issues, decisions
from tests.support.github_fixtures import GitHubDoubleHandle

LIST_ROUTE = "/repos/{owner}/{repo}/issues"
ISSUES = 250
PULL_REQUESTS = 10  # listed with the issues: 260 items, 3 pages of 100
# (title, body, the maintainers' own labels): what the bundled model labels, comments on, or leaves alone.
TEXTS = [
    ("CUDA out of memory when loading the whisper large-v3 model",
     "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB on my 12 GB GPU.", ["gpu"]),
    ("pip install fails with a dependency conflict between torch 2.1 and transformers",
     "ERROR: pip's dependency resolver found conflicting versions of torch and transformers when installing "
     "the model requirements.", ["install"]),
    ("Typo in the contributing guide", "The word 'recieve' is misspelt in CONTRIBUTING.md.", ["docs"]),
    ("Cannot download the llama-2-7b weights from the Hugging Face hub: 401 gated repo",
     "OSError: You are trying to access a gated repo. Make sure to request access and pass a token with "
     "huggingface-cli login.", []),
    ("Add dark mode to the settings page", "It would be nice to have a dark theme.", ["enhancement"]),
]


def seed(gh: GitHubDoubleHandle) -> None:
    world = gh.world
    with world.lock:
        repo = world.repo(gh.repo)
        assert repo is not None
        for n in range(1, ISSUES + PULL_REQUESTS + 1):
            title, body, labels = TEXTS[n % len(TEXTS)]
            created = f"2024-03-{1 + n // 24:02d}T{n % 24:02d}:00:00Z"
            world.add_issue(repo, f"{title} (#{n})", body, user=f"user{n % 7}", labels=labels,
                            state="closed" if n % 4 == 0 else "open", pull_request=n % 26 == 0,
                            created_at=created)


@pytest.fixture
def gh(github_double: GitHubDoubleHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitHubDoubleHandle:
    seed(github_double)
    for name in ("WEBHOOK_SECRET", "DRY_RUN", "PRIVATE_KEY_PATH", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APP_ID", str(github_double.app_id))
    monkeypatch.setenv("PRIVATE_KEY", github_double.private_key_pem)
    monkeypatch.setenv("GITHUB_API_URL", github_double.url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/store.db")
    monkeypatch.setenv("GITHUB_WRITES_PER_MINUTE", "100000")  # pacing has its own tests; here it must not wait
    monkeypatch.setenv("GITHUB_WRITES_PER_HOUR", "1000000")
    return github_double


def backfill(tmp_path: Path, repo: str, *args: str) -> int:
    return main(["backfill", repo, "--state", "all", "--output", str(tmp_path / "report"), *args])


def report(tmp_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((tmp_path / "report" / "report.json").read_text())
    return data


def pages_read(gh: GitHubDoubleHandle) -> Counter[int]:
    """How often each page of the issue listing was answered with 200."""
    return Counter(int(parse_qs(call["query"])["page"][0]) for call in gh.api_calls("GET", LIST_ROUTE)
                   if call["status"] == 200)


def writes(gh: GitHubDoubleHandle) -> list[dict[str, Any]]:
    """Requests that change a repository (an installation token is not a write to GitHub's data)."""
    return [call for call in gh.api_calls() if call["method"] != "GET" and call["path"].startswith("/repos/")]


def store_rows(tmp_path: Path, query: Any) -> list[Any]:
    engine = make_engine(f"sqlite:///{tmp_path}/store.db")
    try:
        with engine.connect() as conn:
            return list(conn.execute(query).all())
    finally:
        engine.dispose()


@pytest.mark.slow  # whole backfills of a repository over HTTP
def test_dry_run_prints_progress_writes_both_reports_and_nothing_to_github(
    gh: GitHubDoubleHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert backfill(tmp_path, gh.repo) == 0
    out, err = capsys.readouterr()
    assert "page 1/3: 97 issues, 3 pull requests skipped" in err
    assert "page 3/3" in err and "250 issues decided" in err
    assert f"{gh.repo}: 250 issues decided" in out and "nothing written to GitHub (dry run)" in out
    assert writes(gh) == []
    assert pages_read(gh) == {1: 1, 2: 1, 3: 1}

    data = report(tmp_path)
    assert data["issues"] == ISSUES and data["mode"] == "dry-run" and data["finished"] is True
    assert sum(data["outcomes"].values()) == ISSUES
    hardware = data["categories"]["hardware-resources"]
    cuda = [n for n in range(1, ISSUES + PULL_REQUESTS + 1) if n % len(TEXTS) == 0 and n % 26]
    closed = [n for n in cuda if n % 4 == 0]
    assert hardware["total"] == len(cuda) == 50  # every CUDA issue
    assert (hardware["comment"], hardware["label"]) == (50 - len(closed), len(closed)) != (50, 0)  # closed: quiet
    assert data["samples"]["category"]["hardware-resources"][0]["labels"] == ["pre-trained model", "ptm: hardware"]
    assert len(data["samples"]["tier"]["comment"]) == 5
    # No label_map: their labels against the bot's categories.
    agreement = data["agreement"]
    assert agreement["kind"] == "co_occurrence"
    rows = {row["label"]: dict(zip(agreement["columns"], row["cells"], strict=True)) for row in agreement["rows"]}
    assert rows["gpu"]["hardware-resources"] == 50 and rows["enhancement"]["none"] == 50
    html = (tmp_path / "report" / "report.html").read_text()
    assert f"Backfill of {gh.repo}" in html and "dry run: nothing was written to GitHub" in html
    assert "CUDA out of memory when loading the whisper large-v3 model (#5)" in html

    # Recorded like webhook decisions, marked as the backfill's.
    recorded = store_rows(tmp_path, select(decisions.c.trigger, func.count()).group_by(decisions.c.trigger))
    assert recorded == [("backfill", ISSUES)]
    history = store_rows(tmp_path, select(backfill_issues.c.state, backfill_issues.c.closed_at)
                         .where(backfill_issues.c.issue_number == 4))
    assert history[0][0] == "closed" and history[0][1] is not None


@pytest.mark.slow  # whole backfills of a repository over HTTP
def test_interrupted_run_resumes_without_rereading_finished_pages(
    gh: GitHubDoubleHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gh.add_fault("error", method="GET", route=LIST_ROUTE, status=502, after=2, count=None)
    assert backfill(tmp_path, gh.repo) == 1
    err = capsys.readouterr().err
    assert "The progress is kept: run the same command again to continue" in err
    assert report(tmp_path)["finished"] is False and report(tmp_path)["issues"] == 193
    first_run_done = datetime.now(UTC)

    gh.clear_faults()
    assert backfill(tmp_path, gh.repo) == 0
    err = capsys.readouterr().err
    assert "resuming at page 3, 193 issues already decided" in err
    assert pages_read(gh) == {1: 1, 2: 1, 3: 1}
    data = report(tmp_path)
    assert data["issues"] == ISSUES and data["finished"] is True
    # The issues of the first two pages were decided once, by the first run.
    decided_at = store_rows(tmp_path, select(backfill_issues.c.issue_number, backfill_issues.c.decided_at))
    again = [n for n, at in decided_at if n <= 200 and at.replace(tzinfo=UTC) > first_run_done]
    assert again == []
    assert store_rows(tmp_path, select(func.count()).select_from(decisions)) == [(ISSUES,)]


@pytest.mark.slow  # whole backfills of a repository over HTTP
def test_limit_stops_a_run_that_the_next_one_continues_and_label_map_gives_agreement(
    gh: GitHubDoubleHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gh.put_file(gh.repo, ".github/ptm-triage.yml",
                "label_map:\n  gpu: hardware-resources\n  install: software-environment\n")
    assert backfill(tmp_path, gh.repo, "--limit", "120") == 0
    assert "Stopped after 120 issues (--limit)" in capsys.readouterr().err
    assert report(tmp_path)["issues"] == 120 and report(tmp_path)["finished"] is False

    assert backfill(tmp_path, gh.repo) == 0
    assert pages_read(gh) == {1: 1, 2: 2, 3: 1}  # the unfinished page 2 is read again, page 1 is not
    data = report(tmp_path)
    assert data["issues"] == ISSUES
    agreement = data["agreement"]
    assert agreement["kind"] == "label_map" and agreement["judged"] == 100
    hardware = agreement["categories"]["hardware-resources"]
    assert hardware == {"humans": 50, "bot": 50, "both": 50, "precision": 1.0, "recall": 1.0}


def test_rate_limits_are_waited_out(gh: GitHubDoubleHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gh.add_fault("too_many_requests", method="GET", route=LIST_ROUTE, retry_after=1, count=1)
    assert backfill(tmp_path, gh.repo, "--limit", "3") == 0
    assert "waiting 1s: list_issues: GitHub rate limit (HTTP 429)" in capsys.readouterr().err


@pytest.mark.slow  # whole backfills of a repository over HTTP
def test_apply_twice_posts_no_duplicate_comment_and_labels_each_issue_once(
    gh: GitHubDoubleHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    label_route = "/repos/{owner}/{repo}/issues/{issue_number}/labels"
    assert backfill(tmp_path, gh.repo, "--apply") == 0
    assert "labels and comments written" in capsys.readouterr().out
    first = report(tmp_path)
    label_posts = Counter(call["path"] for call in gh.api_calls("POST", label_route))
    assert len(label_posts) == first["outcomes"]["labeled"] and set(label_posts.values()) == {1}
    comments = Counter(c["issue_number"] for c in gh.state()["comments"])
    assert len(comments) == first["tiers"]["comment"] > 0 and set(comments.values()) == {1}

    listed, written = len(gh.api_calls("GET", LIST_ROUTE)), len(writes(gh))
    assert backfill(tmp_path, gh.repo, "--apply") == 0  # finished: no issue read or written again
    assert "is finished; writing its report again" in capsys.readouterr().err
    assert (len(gh.api_calls("GET", LIST_ROUTE)), len(writes(gh))) == (listed, written)

    categorised = {n for (n,) in store_rows(tmp_path, select(backfill_issues.c.issue_number)
                                            .where(backfill_issues.c.category.is_not(None)))}
    assert backfill(tmp_path, gh.repo, "--apply", "--restart") == 0  # every issue through the pipeline again
    whys = dict(store_rows(tmp_path, select(backfill_issues.c.issue_number, backfill_issues.c.why)))
    assert {whys[n] for n in categorised} == {"already-categorised"}
    # An issue the first run gave only the PTM label may get its category now (the repository's
    # calibration learnt from the first run), but no issue gets a label or a comment twice.
    second_posts = Counter(call["path"] for call in gh.api_calls("POST", label_route)) - label_posts
    assert not {int(path.split("/")[-2]) for path in second_posts} & categorised
    assert set(Counter(c["issue_number"] for c in gh.state()["comments"]).values()) == {1}
    labelled_twice = [i for i in gh.state()["repos"][0]["issues"] if len(i["labels"]) != len(set(i["labels"]))]
    assert labelled_twice == []


def test_usage_and_setup_errors(gh: GitHubDoubleHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert backfill(tmp_path, "not-a-repo") == 2
    assert backfill(tmp_path, gh.repo, "--since", "last week") == 2
    assert backfill(tmp_path, "octo-org/elsewhere") == 1
    assert "the App is not installed on octo-org/elsewhere" in capsys.readouterr().err
    monkeypatch.delenv("APP_ID")
    monkeypatch.delenv("PRIVATE_KEY")
    monkeypatch.setenv("DRY_RUN", "1")
    assert backfill(tmp_path, gh.repo) == 1
    assert "backfill reads issues through the GitHub App: set APP_ID and PRIVATE_KEY" in capsys.readouterr().err
