"""`ptm-triage backfill OWNER/NAME`: the webhook pipeline over a repository's existing issues.

A dry run (writes nothing to GitHub) unless `--apply`. Progress goes to stderr (a bar on a terminal,
plain lines otherwise); the report (HTML and JSON) to `--output`. Exit 0 finished (or stopped at
--limit), 1 failed or interrupted (progress kept: run the same command again), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import runtime
from bot.cli.backfill_progress import StreamProgress
from bot.cli.startup import settings_or_none
from bot.errors import PermanentFailure, RetryLater
from bot.github.client import AppClientFactory, WriteLimits
from bot.github.issue_listing import IssueLister
from bot.handlers.context import HandlerContext
from bot.jobs.backfill import Backfill, BackfillOptions, RunSummary
from bot.jobs.backfill_html import render_html
from bot.jobs.backfill_report import build_report
from bot.logs import JobLogger, configure_logging
from bot.store.backfill import BackfillStore
from bot.store.engine import make_engine
from classifier.taxonomy import load_taxonomy

_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
HOUR = 3600.0  # seconds: the longest wait for a write slot (GitHub's hourly window)
PACING_NOTE = 5.0  # seconds: a wait for a write slot at least this long is shown
log = logging.getLogger("bot.backfill")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommand; it sets `run=callable(args) -> exit code`."""
    parser = subparsers.add_parser(
        "backfill", help="run the bot over a repository's existing issues (a dry run unless --apply)",
        description="Read the repository's existing issues through the App's installation and decide each "
        "as if it had just been opened. Without --apply nothing is written to GitHub: the decisions are "
        "recorded and a report (HTML and JSON) is written. An interrupted run continues where it stopped.",
    )
    parser.add_argument("repo", metavar="OWNER/NAME")
    parser.add_argument("--state", choices=("open", "all"), default="open", help="which issues (default open)")
    parser.add_argument("--since", metavar="DATE", help="only issues updated since DATE (YYYY-MM-DD or ISO 8601)")
    parser.add_argument("--limit", type=int, metavar="N", help="decide at most N issues in this run")
    parser.add_argument("--apply", action="store_true", help="write labels and comments, at the pacing limits")
    parser.add_argument("--restart", action="store_true", help="forget an earlier run and start from the first page")
    parser.add_argument("--output", type=Path, metavar="DIR", help="report directory (default ./backfill-OWNER-NAME)")
    parser.set_defaults(run=run_backfill)


def _error(message: str, code: int = 1) -> int:
    print(f"ptm-triage backfill: {message}", file=sys.stderr)
    return code


def since_timestamp(value: str) -> str | None:
    """GitHub's `since` (ISO 8601, UTC) from a date or a timestamp; None when unreadable."""
    if _DATE.fullmatch(value):
        value += "T00:00:00Z"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_backfill(args: argparse.Namespace) -> int:
    if not _REPO.fullmatch(args.repo) or any(part in (".", "..") for part in args.repo.split("/")):
        return _error(f"{args.repo!r} is not a repository name: give OWNER/NAME", 2)
    since = None if args.since is None else since_timestamp(args.since)
    if args.since is not None and since is None:
        return _error(f"--since {args.since!r}: give a date such as 2024-01-31 or an ISO 8601 time", 2)
    if args.limit is not None and args.limit < 1:
        return _error("--limit must be at least 1", 2)
    settings = settings_or_none(require_app=False, require_secret=False)
    if settings is None:
        return 1
    if not settings.has_app_credentials:
        return _error("backfill reads issues through the GitHub App: set APP_ID and PRIVATE_KEY "
                      "(or PRIVATE_KEY_PATH) to the App's credentials")
    if args.apply and settings.dry_run:
        return _error("DRY_RUN is set, so --apply could write nothing: unset DRY_RUN to apply")
    options = BackfillOptions(args.repo, args.state, since, args.limit, args.apply, args.restart)
    output = args.output or Path(f"backfill-{args.repo.replace('/', '-')}")
    configure_logging(replace(settings, log_level="WARNING", log_format="text"))  # the progress is the output
    progress = StreamProgress(sys.stderr)

    def paced(seconds: float) -> None:
        if seconds >= PACING_NOTE:
            progress.waiting(seconds, "pacing writes (GITHUB_WRITES_PER_MINUTE, GITHUB_WRITES_PER_HOUR)")
        time.sleep(seconds)

    # One command, one thread: wait for a write slot here rather than give up the issue half written.
    limits = WriteLimits(settings.github_writes_per_minute, settings.github_writes_per_hour, max_inline_wait=HOUR)
    engine = make_engine(settings.database_url)
    # Pacing shared with the running bot (the store or Redis), so both together stay within the limits.
    factory = AppClientFactory(settings, limits=limits, sleep=paced, pacing=runtime.write_pacing(settings, engine))
    rt = runtime.build_runtime(settings, engine=engine, github_factory=factory)
    lister = IssueLister.for_app(settings, factory)
    try:
        return _run(options, output, rt, factory, lister, progress)
    finally:
        lister.close()
        rt.close()


def _run(
    options: BackfillOptions, output: Path, rt: runtime.Runtime, factory: AppClientFactory, lister: IssueLister,
    progress: StreamProgress,
) -> int:
    try:
        installation_id = lister.installation_for(options.repo)
    except (PermanentFailure, RetryLater) as exc:
        return _error(str(exc))
    ctx = HandlerContext(
        github=factory.for_installation(installation_id), predictor=rt.predictor, records=rt.records,
        configs=rt.configs, dry_run=not options.apply, label_cache=rt.label_cache,
        log=JobLogger(log, {"delivery_id": f"backfill-{options.mode}", "repo": options.repo,
                            "installation_id": installation_id}),
    )
    store = BackfillStore(rt.engine)
    backfill = Backfill(options, source=lister, installation_id=installation_id, ctx=ctx, store=store,
                        progress=progress)
    cursor = backfill.cursor()
    if cursor.finished:
        print(f"The {options.mode} backfill of {options.repo} is finished; writing its report again "
              "(--restart runs it again).", file=sys.stderr)
    summary = RunSummary(options.repo, options.mode, finished=cursor.finished)
    code, problem = 0, None
    try:
        summary = backfill.run(cursor)
    except KeyboardInterrupt:
        code, problem = 1, "interrupted"
    except (RetryLater, PermanentFailure) as exc:
        code, problem = 1, str(exc)
    progress.close()
    if problem is not None:
        print(f"ptm-triage backfill: stopped: {problem}. The progress is kept: run the same command again "
              "to continue.", file=sys.stderr)
    elif summary.stopped_by_limit:
        print(f"Stopped after {summary.decided} issues (--limit); run the command again to continue.",
              file=sys.stderr)
    finished = store.cursor(options.repo, options.mode)
    report = build_report(
        options.repo, options.mode, store.issues(options.repo, options.mode), backfill.config(),
        slugs=load_taxonomy().slugs, finished=bool(finished and finished.finished),
        generated_at=datetime.now(UTC),
    )
    try:
        output.mkdir(parents=True, exist_ok=True)
        (output / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
        (output / "report.html").write_text(render_html(report), "utf-8")
    except OSError as exc:
        return _error(f"cannot write the report to {output}: {exc.strerror or exc}")
    outcomes = ", ".join(f"{name} {count}" for name, count in sorted(report["outcomes"].items())) or "none"
    print(f"{options.repo}: {report['issues']} issues decided ({outcomes}); "
          f"{'nothing written to GitHub (dry run)' if not options.apply else 'labels and comments written'}")
    print(f"report: {output / 'report.html'} and {output / 'report.json'}")
    return code
