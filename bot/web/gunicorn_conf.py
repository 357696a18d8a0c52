"""Gunicorn settings for the web processes (`gunicorn -c python:bot.web.gunicorn_conf ...`, the
Procfile's web line): one /metrics for all of them.

Gunicorn reads this module in its master process before it forks the web processes and before anything
imports prometheus-client, so setting PROMETHEUS_MULTIPROC_DIR here switches every web process to
multiprocess mode (bot/observability.py). Each start gets a fresh directory: a new temporary one,
removed when the master exits, or the operator's PROMETHEUS_MULTIPROC_DIR emptied of old files. When a web
process exits, its live gauges are dropped; its counters stay in the totals, as counters should.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # as bot.observability (not imported: it loads prometheus-client)


def _fresh_metrics_dir() -> tuple[Path, bool]:
    """The directory for this start, and whether it is ours to remove at exit."""
    configured = os.environ.get(MULTIPROC_DIR_ENV, "").strip()
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # values of a previous start would be added to this one's
            stale.unlink()
        return path, False
    path = Path(tempfile.mkdtemp(prefix="ptm-triage-metrics-"))
    os.environ[MULTIPROC_DIR_ENV] = str(path)
    return path, True


_metrics_dir, _remove_at_exit = _fresh_metrics_dir()


def child_exit(_server: Any, worker: Any) -> None:
    """A web process exited: drop its live gauges (imported here, after the directory is set)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(_metrics_dir))  # type: ignore[no-untyped-call]


def on_exit(_server: Any) -> None:
    if _remove_at_exit:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
