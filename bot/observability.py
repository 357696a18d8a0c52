"""Prometheus metrics, defined once. Modules import the metric they update; /metrics renders them all."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

DELIVERIES = Counter(
    "ptm_triage_deliveries_total",
    "Webhook deliveries by outcome (accepted, duplicate, ignored, ping, rejected_signature, bad_request, too_large)",
    ["outcome"],
)
INBOX_DEPTH = Gauge("ptm_triage_inbox_depth", "Inbox rows waiting or running", ["state"])
INBOX_OLDEST_AGE = Gauge("ptm_triage_inbox_oldest_age_seconds", "Age of the oldest row not yet done")
JOB_LATENCY = Histogram(
    "ptm_triage_job_seconds",
    "Time from claiming a job to finishing it",
    ["event", "outcome"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
JOB_RETRIES = Counter("ptm_triage_job_retries_total", "Jobs scheduled for another attempt", ["reason"])
DEAD_LETTERS = Counter("ptm_triage_dead_letters_total", "Jobs that exhausted their attempts")
GITHUB_CALLS = Counter(
    "ptm_triage_github_calls_total", "Requests made to the GitHub API", ["method", "status"]
)
DECISIONS = Counter(
    "ptm_triage_decisions_total",
    "Triage decisions by outcome (labeled, abstained, skipped) and category",
    ["outcome", "category"],
)
