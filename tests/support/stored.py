"""Reading back what the bot stored, for assertions: queries only tests need."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.decisions import DecisionRecord, FeedbackRecord, Records
from bot.store.tables import decisions, feedback


def decisions_for(records: Records, repo: str, issue_number: int) -> list[DecisionRecord]:
    query = (
        select(decisions)
        .where(decisions.c.repo == repo, decisions.c.issue_number == issue_number)
        .order_by(decisions.c.id)
    )
    with records.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    fields = DecisionRecord.__dataclass_fields__
    return [
        DecisionRecord(
            **{
                **{k: row[k] for k in fields},
                "labels_applied": tuple(row["labels_applied"]),
                "reasons": tuple(row["reasons"]),
            }
        )
        for row in rows
    ]


def feedback_for(records: Records, repo: str, issue_number: int) -> list[FeedbackRecord]:
    query = (
        select(feedback)
        .where(feedback.c.repo == repo, feedback.c.issue_number == issue_number)
        .order_by(feedback.c.id)
    )
    with records.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [FeedbackRecord(**{k: row[k] for k in FeedbackRecord.__dataclass_fields__}) for row in rows]
