"""`ptm-triage worker`: job threads only, or RQ workers when REDIS_URL is set."""

from __future__ import annotations

import argparse
from typing import Any

from bot import runtime
from bot.cli.startup import start


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommand; it sets `run=callable(args) -> exit code`."""
    worker = subparsers.add_parser("worker", help="run workers only (RQ workers when REDIS_URL is set)")
    worker.add_argument("--threads", type=int, help="worker threads (default $WORKER_THREADS)")
    worker.add_argument("--burst", action="store_true", help="exit when there is no work left")
    worker.set_defaults(run=_worker)


def _worker(args: argparse.Namespace) -> int:
    settings = start(require_secret=False)
    if settings is None:
        return 1
    return runtime.run_worker(settings, threads=args.threads, burst=args.burst)
