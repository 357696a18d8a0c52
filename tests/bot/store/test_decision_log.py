"""Reading decisions back for the pages: outcomes as people say them, filters, feedback, per-repository counts
(on SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

from bot.store.decision_log import filter_choices, recent_decisions, repo_counts
from bot.store.decisions import DecisionRecord, FeedbackRecord, Records

BASE = DecisionRecord(
    repo="o/a", issue_number=1, delivery_id="d-1", trigger="opened", model_version="m", ptm_score=0.9,
    category="model-usage", category_score=0.8, scores={"model-usage": 0.8, "documentation": 0.15, "x": 0.05},
    labels_applied=("pre-trained model",), comment_id=None, outcome="labeled", why="labeled", reasons=("r",),
    dry_run=True, title="T", tier="label", comment=None,
)


def test_outcomes_filters_and_feedback(records: Records) -> None:
    records.record_decision(BASE)
    records.record_decision(replace(BASE, issue_number=2, delivery_id="d-2", comment="c", tier="comment"))
    records.record_decision(replace(BASE, issue_number=3, delivery_id="d-3", outcome="abstained", why="not-ptm"))
    records.record_decision(replace(BASE, repo="o/b", delivery_id="d-4", outcome="skipped", why="bot-author"))
    records.record_feedback(FeedbackRecord("o/a", 2, "f-1", "ptm: usage", "unlabeled", "m", "corrected",
                                           "model-usage", "documentation"))

    shown = recent_decisions(records.engine)
    assert [(d.repo, d.issue_number, d.outcome) for d in shown] == [
        ("o/b", 1, "skipped"), ("o/a", 3, "abstained"), ("o/a", 2, "commented"), ("o/a", 1, "labelled")]
    commented = recent_decisions(records.engine, outcome="commented")
    assert [d.issue_number for d in commented] == [2]
    assert commented[0].comment == "c" and commented[0].tier == "comment" and commented[0].title == "T"
    assert [(f.verdict, f.new_category) for f in commented[0].feedback] == [("corrected", "documentation")]
    assert commented[0].top_scores == (("model-usage", 0.8), ("documentation", 0.15), ("x", 0.05))
    assert [d.issue_number for d in recent_decisions(records.engine, outcome="labelled")] == [1]
    assert [d.repo for d in recent_decisions(records.engine, repo="o/b")] == ["o/b"]
    assert [d.issue_number for d in recent_decisions(records.engine, why="not-ptm")] == [3]
    assert len(recent_decisions(records.engine, limit=2)) == 2
    assert filter_choices(records.engine) == (["o/a", "o/b"], ["bot-author", "not-ptm"])

    counts = {c.repo: (c.labelled, c.commented, c.abstained, c.skipped) for c in repo_counts(records.engine)}
    assert counts == {"o/a": (1, 1, 1, 0), "o/b": (0, 0, 0, 1)}
