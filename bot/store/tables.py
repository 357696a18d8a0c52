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
    # The last valid configuration's merged document (the playground tries issues with it); kept while
    # the file is broken.
    Column("valid_config", JSON, nullable=True),
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
    # Added later (nullable, so older stores gain them in place): what the decisions page shows.
    Column("title", Text, nullable=True),
    Column("tier", String(20), nullable=True),  # comment | label | None (the model's tier)
    Column("comment", Text, nullable=True),  # the exact comment body planned or posted
    # P(PTM-related) at the training mix: what the repository's share estimate is made from.
    Column("base_ptm_score", Float, nullable=True),
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
    # Which job (its delivery id) claimed posting the comment, and when: see Records.claim_comment.
    Column("comment_claimed_by", String(200), nullable=True),
    Column("comment_claimed_at", DateTime(timezone=True), nullable=True),
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

# -- webhook requests refused before the inbox (bot.store.rejections) ---------------------------------
# One row per burst: a process merges the rejections of about a second into one row with a count.
rejected_deliveries = Table(
    "rejected_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("outcome", String(40), nullable=False),  # rejected_signature | bad_request | too_large | unknown_event
    Column("reason", String(300), nullable=False),
    Column("delivery_id", String(100), nullable=True),  # the last one of the burst, when well-formed
    Column("count", Integer, nullable=False),
    Column("received_at", Float, nullable=False),  # epoch seconds of the last one
    Index("ix_rejected_deliveries_received", "received_at"),
)

# -- backfill: resumable runs over a repository's existing issues (bot.store.backfill) ----------------
# One cursor per repository and mode ("dry-run" | "apply"): a rerun resumes at `next_page`.
backfill_runs = Table(
    "backfill_runs",
    metadata,
    Column("repo", String(200), primary_key=True),
    Column("mode", String(10), primary_key=True),
    Column("state", String(10), nullable=False),  # the listing's state filter: open | all
    Column("since", String(40), nullable=True),  # the listing's since filter (ISO 8601), if any
    Column("next_page", Integer, nullable=False),  # the first listing page not finished (1-based)
    Column("finished", Boolean, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The issues a run decided (a rerun skips them): the issue as GitHub listed it, and the decision.
backfill_issues = Table(
    "backfill_issues",
    metadata,
    Column("repo", String(200), primary_key=True),
    Column("mode", String(10), primary_key=True),
    Column("issue_number", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("html_url", String(500), nullable=False),
    Column("author", String(200), nullable=False),
    Column("state", String(10), nullable=False),  # open | closed, when read
    Column("issue_labels", JSON, nullable=False),  # the issue's label names when read (before any write)
    Column("created_at", DateTime(timezone=True), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("outcome", String(20), nullable=False),  # labeled | abstained | skipped
    Column("why", String(60), nullable=False),
    Column("category", String(60), nullable=True),  # the category labelled (or that would be)
    Column("tier", String(10), nullable=True),  # comment | label | None
    Column("predicted", String(60), nullable=True),  # the bot's category for the issue without its labels
    Column("labels", JSON, nullable=False),  # labels added (or that would be)
    Column("ptm_score", Float, nullable=True),
    Column("category_score", Float, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)

# -- what the bot knows of a repository's issues (bot.store.similar, bot.store.issue_history) ---------
# One row per issue seen by triage, the issues.closed/reopened handler or backfill: the similar-issues
# index's plain data (classifier.similar term counts) and what a link to the issue needs.
similar_issues = Table(
    "similar_issues",
    metadata,
    Column("repo", String(200), primary_key=True),
    Column("issue_number", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("url", String(500), nullable=False),  # the issue's html_url
    Column("terms", JSON, nullable=False),  # term -> count
    Column("state", String(10), nullable=False),  # open | closed
    Column("has_answer", Boolean, nullable=False),  # closed after someone other than the bot replied
    Column("private", Boolean, nullable=False),  # the repository's visibility: never linked elsewhere
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# When each issue was opened and closed, and what the model made of it: the resolution-time report.
issue_history = Table(
    "issue_history",
    metadata,
    Column("repo", String(200), primary_key=True),
    Column("issue_number", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),  # None while open
    Column("state", String(10), nullable=False),  # open | closed
    Column("ptm", Boolean, nullable=True),  # the model's PTM decision; None: not classified
    Column("category", String(60), nullable=True),  # the most likely category of a PTM-related issue
    Column("source", String(20), nullable=True),  # webhook | backfill
    Column("updated_at", DateTime(timezone=True), nullable=True),  # GitHub's or the bot's last change
    # What backfill reads of an issue (None for rows written by the webhook handlers).
    Column("title", Text, nullable=True),
    Column("author", String(200), nullable=True),
    Column("html_url", String(500), nullable=True),
    Column("labels", JSON, nullable=True),  # label names when read
    Column("read_at", DateTime(timezone=True), nullable=True),
)

DECISION_TABLES = (
    decisions, triaged_issues, label_removals, feedback, installation_events, similar_issues, issue_history
)

# -- GitHub write pacing shared by every process (bot.store.pacing_state) ------------------------------
# One row per installation: its recent writes and GitHub's "wait until", as one small JSON document.
pacing_state = Table(
    "github_pacing",
    metadata,
    Column("key", String(64), primary_key=True),  # the installation id (or "app")
    Column("document", Text, nullable=False),
    Column("updated_at", Float, nullable=False),  # epoch seconds
)

# -- the last valid configuration of each repository, kept across restarts (bot.store.config_cache) -----
# One row per repository: the files its last valid configuration was read from (repository, path, ETag,
# text), so that a restarted process revalidates with conditional requests (304) and keeps a valid
# configuration when the file has broken meanwhile. Least recently used rows go beyond the capacity.
config_cache = Table(
    "config_cache",
    metadata,
    Column("repo", String(200), primary_key=True),
    Column("files", Text, nullable=False),  # JSON: [[repository, path, etag, text], ...]
    Column("used_at", Float, nullable=False),  # epoch seconds of the last load that consulted it
    Index("ix_config_cache_used_at", "used_at"),
)
