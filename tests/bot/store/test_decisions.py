"""Records on SQLite and PostgreSQL: idempotent writes, removals, state, the keep report."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli.main import main
from bot.store.decisions import DecisionRecord, FeedbackRecord, Records
from bot.store.engine import make_engine
from tests.support.stored import decisions_for, feedback_for

MU = "ptm: model usage"
DOC = "ptm: documentation"


def decision(delivery: str = "d1", outcome: str = "labeled", comment_id: int | None = None) -> DecisionRecord:
    return DecisionRecord(
        repo="octo/a",
        issue_number=1,
        delivery_id=delivery,
        trigger="opened",
        model_version="m1",
        ptm_score=0.9,
        category="model-usage",
        category_score=0.8,
        scores={"model-usage": 0.8},
        labels_applied=("pre-trained model", "ptm: model usage"),
        comment_id=comment_id,
        outcome=outcome,
        why="labeled",
        reasons=("r1", "r2"),
        dry_run=False,
    )


def test_decision_round_trip_and_redelivery_upserts(records: Records) -> None:
    records.record_decision(decision())
    records.record_decision(decision(comment_id=99))  # the retried job records again
    records.record_decision(decision(delivery="d2", outcome="skipped"))
    stored = decisions_for(records, "octo/a", 1)
    assert [d.delivery_id for d in stored] == ["d1", "d2"]
    assert stored[0] == decision(comment_id=99)
    assert stored[1].outcome == "skipped"
    assert decisions_for(records, "octo/a", 2) == []


def test_issue_state_merges(records: Records) -> None:
    assert records.issue_state("octo/a", 1) is None
    records.note_applied("octo/a", 1, category="model-usage", labels=["pre-trained model", MU])
    records.note_applied("octo/a", 1, category=None, labels=["PTM: model usage"], comment_state="pending")
    records.note_applied("octo/a", 1, category=None, labels=(), comment_id=5, comment_state="posted")
    state = records.issue_state("octo/a", 1)
    assert state is not None
    assert state.labels == ("pre-trained model", "ptm: model usage")
    assert (state.category, state.comment_id, state.comment_state) == ("model-usage", 5, "posted")


def test_removals_are_case_insensitive_and_forgettable(records: Records) -> None:
    records.record_removal("octo/a", 1, "PTM: Hardware", "maint")
    records.record_removal("octo/a", 1, "ptm: hardware", "maint")  # redelivery
    records.record_removal("octo/a", 2, "bug", "maint")
    assert records.removed_labels("octo/a", 1) == {"ptm: hardware"}
    records.forget_removal("octo/a", 1, "Ptm: Hardware")
    assert records.removed_labels("octo/a", 1) == frozenset()
    assert records.removed_labels("octo/a", 2) == {"bug"}


def test_feedback_once_per_delivery(records: Records) -> None:
    item = FeedbackRecord(
        "octo/a", 1, "d9", "ptm: model usage", "unlabeled", "maint", "rejected", "model-usage", None
    )
    records.record_feedback(item)
    records.record_feedback(item)
    assert feedback_for(records, "octo/a", 1) == [item]


def test_keep_report(records: Records) -> None:
    records.note_applied("octo/a", 1, category="model-usage", labels=["pre-trained model", MU])
    records.note_applied("octo/a", 2, category="documentation", labels=["pre-trained model", DOC])
    records.note_applied("octo/b", 1, category=None, labels=["pre-trained model"])
    records.record_removal("octo/a", 2, "PTM: Documentation", "maint")
    records.record_removal("octo/a", 3, "ptm: documentation", "maint")  # not the bot's: not counted
    records.record_feedback(
        FeedbackRecord(
            "octo/a", 2, "d1", "ptm: documentation", "unlabeled", "maint", "rejected", "documentation", None
        )
    )
    rows = {row.repo: row for row in records.keep_report()}
    assert (rows["octo/a"].applied, rows["octo/a"].kept, rows["octo/a"].rejected) == (4, 3, 1)
    assert (rows["octo/b"].applied, rows["octo/b"].kept) == (1, 1)
    assert (rows["(all)"].applied, rows["(all)"].kept, rows["(all)"].rejected) == (5, 4, 1)
    assert rows["(all)"].keep_rate == pytest.approx(0.8)
    only_b = records.keep_report("octo/b")
    assert [row.repo for row in only_b] == ["octo/b", "(all)"]
    assert only_b[-1].applied == 1


def test_installation_events_recorded_once(records: Records) -> None:
    for _ in range(2):
        records.record_installation(
            delivery_id="i1",
            installation_id=42,
            event="installation",
            action="created",
            account="octo",
            added=["octo/a"],
        )
    with records.engine.connect() as conn:
        count = conn.execute(text("SELECT COUNT(*) FROM installation_events")).scalar_one()
    assert count == 1


def test_ping(records: Records, tmp_path: Path) -> None:
    assert records.ping()
    broken = Records(make_engine("postgresql://nobody@127.0.0.1:1/none"))
    assert not broken.ping()


def test_report_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'report.db'}"
    engine = make_engine(url)
    store = Records(engine)
    store.create_schema()
    store.note_applied("octo/a", 1, category="model-usage", labels=["pre-trained model", MU])
    store.record_removal("octo/a", 1, MU, "maint")
    for number in range(1, 41):  # the repository's recent issues, mostly about its model
        store.record_decision(replace(decision(f"s{number}"), issue_number=number,
                                      base_ptm_score=0.97 if number % 5 else 0.05))
    engine.dispose()

    assert main(["report", "--database-url", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["repository", "applied", "kept"]
    assert lines[1].split()[:4] == ["octo/a", "2", "1", "50.0%"]
    assert lines[2].split()[:4] == ["(all)", "2", "1", "50.0%"]
    estimate = next(line for line in lines if line.startswith("octo/a: "))
    assert "PTM-related (from 40 issues: its own issues)" in estimate
    assert 0.6 < int(estimate.split(": ")[1].split("%")[0]) / 100 < 0.9  # 80% of its issues, shrunk a little

    assert main(["report", "--database-url", url, "--json", "--repo", "octo/a"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["repo"] == "octo/a" and rows[0]["ptm_share_issues"] == 40
    assert rows[-1]["repo"] == "(all)" and "ptm_share" not in rows[-1]
    assert main(["report", "--database-url", url, "--format", "json", "--repo", "octo/a"]) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == rows
    assert main(["report", "--database-url", url, "--format", "html"]) == 2
    assert "--format html and --plot go with --resolution" in capsys.readouterr().err

    assert main(["report", "--database-url", url, "--json", "--repo", "octo/zzz"]) == 1
    assert "octo/zzz is unknown to the store" in capsys.readouterr().err


def test_claim_comment_is_won_once_until_it_goes_stale(database_url: str) -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    engine = make_engine(database_url)
    records = Records(engine, clock=lambda: now[0])
    records.create_schema()

    def claim(number: int, claimant: str, category: str | None = None) -> bool:
        return records.claim_comment("octo/a", number, claimant=claimant, category=category, stale_after=300)

    try:
        assert claim(1, "d1", "hardware-resources")
        assert claim(1, "d1")  # the same job's retry takes its claim back at once
        assert not claim(1, "d2")  # another job waits while the first may be posting
        records.note_applied("octo/a", 1, category=None, labels=[MU])  # labels written meanwhile
        now[0] += timedelta(seconds=299)
        assert not claim(1, "d2"), "writing labels does not refresh or release the claim"
        now[0] += timedelta(seconds=2)  # the first job is gone for good: its claim can be taken over
        assert claim(1, "d2")
        records.note_applied("octo/a", 1, category=None, labels=(), comment_id=5, comment_state="posted")
        now[0] += timedelta(hours=1)
        assert not claim(1, "d2") and not claim(1, "d3")  # posted stays posted
        records.note_applied("octo/a", 2, category=None, labels=[MU])  # labelled, no comment yet
        assert claim(2, "d4", "model-usage")
        state = records.issue_state("octo/a", 2)
        assert state is not None and (state.comment_state, state.category, state.labels) == (
            "pending", "model-usage", (MU,))
    finally:
        engine.dispose()
