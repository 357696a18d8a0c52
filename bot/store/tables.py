"""Every table of the store, on one MetaData: `create_schema` creates them all, and no table module
imports the engine module that creates them.

SQLAlchemy Core tables, so the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# -- the inbox: one row per accepted delivery (bot.store.inbox) ---------------------------------------
inbox_table = Table(
    "inbox",
    metadata,
    Column("delivery_id", String(100), primary_key=True),
    Column("event", String(64), nullable=False),
    Column("action", String(64)),
    Column("installation_id", BigInteger),
    Column("repo", String(255)),
    Column("payload", Text, nullable=False),
    Column("state", String(8), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("available_at", Float, nullable=False),  # epoch seconds: not claimable before
    Column("lease_until", Float),
    Column("claimed_by", String(120)),  # "<worker id>:<claim token>" of the current lease
    Column("enqueued_at", Float),  # last hand-off to RQ (scale-out mode)
    Column("last_error", Text),  # exception type and a redacted, truncated message
    Column("received_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_inbox_state_available", "state", "available_at"),
)

# -- repository configuration status (bot.store.config_status) --------------------------------------
config_status = Table(
    "config_status",
    metadata,
    Column("repo", String(200), primary_key=True),
    Column("ok", Boolean, nullable=False),
    Column("error", Text, nullable=True),
    Column("source", String(500), nullable=False),
    Column("sha", String(64), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


# -- what the bot did and what humans said (bot.store.decisions) -------------------------------------
decisions = Table(
    "triage_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(200), nullable=False),
    Column("issue_number", Integer, nullable=False),
    Column("delivery_id", String(100), nullable=False),
    Column("trigger", String(20), nullable=False),
    Column("model_version", String(100), nullable=True),
    Column("ptm_score", Float, nullable=True),
    Column("category", String(60), nullable=True),
    Column("category_score", Float, nullable=True),
    Column("scores", JSON, nullable=False),
    Column("labels_applied", JSON, nullable=False),
    Column("comment_id", BigInteger, nullable=True),
    Column("outcome", String(20), nullable=False),
    Column("why", String(60), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("delivery_id", "repo", "issue_number", name="uq_triage_decisions_delivery"),
)

# One row per issue the bot wrote to (or was about to): what it applied and where its comment is.
triaged_issues = Table(
    "triaged_issues",
    metadata,
    Column("repo", String(200), primary_key=True),
    Column("issue_number", Integer, primary_key=True),
    Column("category", String(60), nullable=True),
    Column("labels", JSON, nullable=False),
    Column("comment_id", BigInteger, nullable=True),
    # none | pending (about to post: look for it before posting again) | posted | deleted
    Column("comment_state", String(20), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

label_removals = Table(
    "label_removals",
    metadata,
    Column("repo", String(200), primary_key=True),
    Column("issue_number", Integer, primary_key=True),
    Column("label", String(200), primary_key=True),  # case-folded: GitHub label names ignore case
    Column("actor", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

feedback = Table(
    "triage_feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo", String(200), nullable=False),
    Column("issue_number", Integer, nullable=False),
    Column("delivery_id", String(100), nullable=False),
    Column("label", String(200), nullable=False),
    Column("action", String(20), nullable=False),  # labeled | unlabeled
    Column("actor", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # confirmed | corrected | rejected
    Column("old_category", String(60), nullable=True),
    Column("new_category", String(60), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("delivery_id", "label", "action", name="uq_triage_feedback_delivery"),
)

installation_events = Table(
    "installation_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", String(100), nullable=False, unique=True),
    Column("installation_id", BigInteger, nullable=True),
    Column("event", String(40), nullable=False),
    Column("action", String(40), nullable=True),
    Column("account", String(200), nullable=True),
    Column("repositories_added", JSON, nullable=False),
    Column("repositories_removed", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

DECISION_TABLES = (decisions, triaged_issues, label_removals, feedback, installation_events)
