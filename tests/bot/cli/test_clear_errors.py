"""Setup mistakes end in one message that says what to do, never in a traceback."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.cli.serve import port_in_use
from bot.events import Envelope
from bot.store.decisions import DecisionRecord, Records
from bot.store.engine import make_engine
from bot.store.inbox import open_inbox

PASSWORD = "hunter2-not-shown"


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DRY_RUN", "1")
    monkeypatch.setenv("WEBHOOK_SECRET", "a-webhook-secret-for-tests")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/store.db")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "DATABASE_URL is not a database URL; use one like sqlite:///"),
        (f"mysql://triage:{PASSWORD}@db.example/triage", "the 'mysql' database is not supported; use SQLite"),
        ("postgresql+nosuchdriver://db.example/triage", "unknown driver 'nosuchdriver'"),
        (f"postgresql://triage:{PASSWORD}@127.0.0.1:1/triage",
         "cannot connect to the database postgresql+psycopg://triage:***@127.0.0.1:1/triage"),
        ("sqlite:////proc/ptm-triage/store.db", "cannot create the directory of the SQLite file"),
        ("sqlite:///store.db?synchronous=sometimes", "synchronous must be full or normal"),
    ],
)
def test_a_bad_database_url_stops_the_worker_with_a_fix(
    url: str, message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    code, _, err = run(["worker", "--burst"], capsys)
    assert code == 1
    assert message in err and PASSWORD not in err


def test_a_bad_database_url_stops_serve_before_it_listens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://triage:{PASSWORD}@127.0.0.1:1/triage")
    code, _, err = run(["serve", "--bind", "127.0.0.1:0"], capsys)
    assert code == 1 and "start the PostgreSQL server, or fix the host, port" in err
    assert "listening on" not in err and PASSWORD not in err
    monkeypatch.setenv("DATABASE_URL", "sqlite:////proc/ptm-triage/store.db")
    code, _, err = run(["serve", "--bind", "127.0.0.1:0"], capsys)
    assert code == 1 and "cannot create the directory of the SQLite file" in err
    monkeypatch.delenv("WEBHOOK_SECRET")  # serve generates one into a file beside the database
    code, _, err = run(["serve", "--bind", "127.0.0.1:0"], capsys)
    assert code == 1 and "cannot use /proc/ptm-triage" in err and "check the path in DATABASE_URL" in err


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


def test_a_second_serve_on_a_busy_port_says_so_before_listening(
    busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["serve", "--bind", f"127.0.0.1:{busy_port}"], capsys)
    assert code == 1
    assert f"port {busy_port} is in use; stop the other server or pass --bind" in err
    assert "listening on" not in err


def test_port_in_use(busy_port: int) -> None:
    assert port_in_use(f"127.0.0.1:{busy_port}") == busy_port
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = int(free.getsockname()[1])
    assert port_in_use(f"127.0.0.1:{port}") is None
    assert port_in_use("unix:/tmp/ptm-triage.sock") is None


def write_data(path: Path, repos: int, *, ptm: bool | None = None, categories: int = 3) -> Path:
    slugs = ["hardware-resources", "software-environment", "model-usage"][:categories]
    with path.open("w") as handle:
        for n in range(40):
            related = (n % 3 != 0) if ptm is None else ptm
            record = {"title": f"made-up issue {n}", "body": "made-up text", "ptm": related,
                      "category": slugs[n % len(slugs)] if related else None, "repo": f"octo/r{n % repos}"}
            handle.write(json.dumps(record) + "\n")
    return path


@pytest.mark.parametrize(
    ("repos", "ptm", "categories", "cv", "message"),
    [
        (1, None, 3, "0", "issues from one repository (octo/r0); training needs at least 2, because it calibrates"),
        (3, None, 3, "5", "issues from 3 repositories; training needs at least 5"),
        (3, None, 3, "5", "or pass --cv 3 or less"),
        (4, True, 3, "0", "every issue in the data is PTM-related (ptm is true on every line)"),
        (4, False, 3, "0", "every issue in the data is not PTM-related"),
        (4, None, 1, "0", "every PTM-related issue in the data has the category hardware-resources"),
    ],
)
def test_train_says_what_the_data_lacks(
    repos: int, ptm: bool | None, categories: int, cv: str, message: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_data(tmp_path / "data.jsonl", repos, ptm=ptm, categories=categories)
    code, _, err = run(["train", "--data", str(data), "--output", str(tmp_path / "model"), "--cv", cv], capsys)
    assert code == 1 and message in err
    assert not (tmp_path / "model").exists()


def test_retrying_an_unknown_dead_letter_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inbox = open_inbox(f"sqlite:///{tmp_path}/store.db", max_attempts=1)
    for delivery_id in ("dead-1", "waiting-1"):
        inbox.accept(Envelope("issues", "opened", delivery_id, 7, "octo/repo", "{}"))
    job = inbox.claim("test-worker", 60, "dead-1")
    assert job is not None and inbox.dead(job, "boom")
    inbox.engine.dispose()

    code, out, err = run(["dead-letters", "retry", "12345", "dead-1", "waiting-1"], capsys)
    assert code == 1
    assert "no delivery 12345 in the inbox; `ptm-triage dead-letters list` shows the dead letters" in err
    assert "delivery waiting-1 is not a dead letter (it is pending)" in err
    assert "Queued 1 dead letter(s) again." in out  # the known one still goes


def test_report_on_a_repository_the_store_does_not_know(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["report", "--repo", "nope/nope"], capsys)
    assert code == 1
    assert "nope/nope is unknown to the store" in err and "it is empty" in err

    engine = make_engine(f"sqlite:///{tmp_path}/store.db")
    records = Records(engine)
    records.record_decision(DecisionRecord(
        repo="octo/app", issue_number=1, delivery_id="d-1", trigger="opened", model_version=None, ptm_score=0.99,
        category="hardware-resources", category_score=0.99, scores={}, labels_applied=("ptm: hardware",),
        comment_id=None, outcome="labeled", why="labeled", reasons=(), dry_run=False,
    ))
    records.note_applied("octo/app", 1, category="hardware-resources", labels=("ptm: hardware",))
    engine.dispose()
    code, _, err = run(["report", "--repo", "nope/nope"], capsys)
    assert code == 1 and "no decision or issue of it is recorded; it knows octo/app" in err
    code, out, _ = run(["report", "--repo", "Octo/App"], capsys)  # GitHub names ignore case
    assert code == 0 and out.splitlines()[1].split()[:3] == ["octo/app", "1", "1"]


def test_manifest_without_base_url_warns_that_the_urls_are_placeholders(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["manifest"], capsys)
    assert code == 0 and json.loads(out)["hook_attributes"]["url"].startswith("https://example.com/")
    assert "no --base-url, so the URLs above" in err and "pass --base-url https://YOUR-HOST" in err
    code, out, err = run(["manifest", "--base-url", "https://triage.example.org"], capsys)
    assert code == 0 and err == ""
