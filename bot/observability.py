"""Prometheus metrics, defined once. Modules import the metric they update; /metrics renders them all.

Several gunicorn web processes share their metrics through prometheus-client's multiprocess mode: each
process writes its values to files in PROMETHEUS_MULTIPROC_DIR (set up by bot/web/gunicorn_conf.py before
any process imports prometheus-client), and `exposition()` sums them, so one scrape sees every process.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's own switch, read once at its import

DELIVERIES = Counter(
    "ptm_triage_deliveries_total",
    "Webhook deliveries by outcome (accepted, duplicate, ignored, ping, rejected_signature, bad_request, too_large)",
    ["outcome"],
)
# Set from the store by whichever process renders /metrics: the latest value is the true one.
INBOX_DEPTH = Gauge(
    "ptm_triage_inbox_depth", "Inbox rows waiting or running", ["state"], multiprocess_mode="mostrecent"
)
INBOX_OLDEST_AGE = Gauge(
    "ptm_triage_inbox_oldest_age_seconds", "Age of the oldest row not yet done", multiprocess_mode="mostrecent"
)
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


def exposition() -> bytes:
    """Every metric in Prometheus' text format: summed over all processes in multiprocess mode."""
    if not os.environ.get(MULTIPROC_DIR_ENV):
        return generate_latest()
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus-client leaves it unannotated
    return generate_latest(registry)
