"""Subcommands that run the App: serve, worker, replay, dead-letters (see bot/cli.py)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.settings import ConfigurationError, Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.inbox import Inbox
    from bot.runtime import Runtime

log = logging.getLogger("bot.serve")
SHUTDOWN_TIMEOUT = 25.0  # seconds in-flight jobs get on SIGTERM


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommands; each sets `run=callable(args) -> exit code`."""
    serve = subparsers.add_parser("serve", help="run the web server with in-process workers")
    serve.add_argument("--bind", help="HOST:PORT to listen on (default 0.0.0.0:$PORT; 127.0.0.1 in dry run)")
    serve.set_defaults(run=_serve)

    worker = subparsers.add_parser("worker", help="run workers only (RQ workers when REDIS_URL is set)")
    worker.add_argument("--threads", type=int, help="worker threads (default $WORKER_THREADS)")
    worker.add_argument("--burst", action="store_true", help="exit when there is no work left")
    worker.set_defaults(run=_worker)

    replay = subparsers.add_parser("replay", help="sign and send a saved webhook payload to a running server")
    replay.add_argument("file", type=Path, metavar="FILE.json", help="one webhook payload (a JSON object)")
    replay.add_argument("--event", required=True, help="X-GitHub-Event, e.g. issues")
    replay.add_argument("--url", help="webhook URL (default http://127.0.0.1:$PORT/api/github/webhooks)")
    replay.add_argument("--delivery-id", help="X-GitHub-Delivery (default: a new UUID)")
    replay.set_defaults(run=_replay)

    dead = subparsers.add_parser(
        "dead-letters", help="list or re-run deliveries that exhausted their attempts"
    )
    actions = dead.add_subparsers(dest="dead_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="show dead letters, newest first")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(run=_dead_list)
    retry = actions.add_parser("retry", help="queue dead letters again with fresh attempts")
    retry.add_argument("ids", nargs="*", metavar="ID", help="delivery ids")
    retry.add_argument("--all", action="store_true", help="every dead letter")
    retry.set_defaults(run=_dead_retry)


def _settings(
    *, require_app: bool = True, require_secret: bool = True, local_fallback: bool = False
) -> Settings | None:
    try:
        return load_settings(
            require_app=require_app, require_secret=require_secret, local_fallback=local_fallback
        )
    except ConfigurationError as exc:
        print(f"ptm-triage: configuration error: {exc}", file=sys.stderr)
        return None


def _start(**requirements: bool) -> Settings | None:
    """Settings for a long-running process, with logging set up and start-up notices logged."""
    settings = _settings(**requirements)
    if settings is not None:
        from bot.logs import configure_logging

        configure_logging(settings)
        for notice in settings.notices:
            log.warning(notice)
    return settings


def _build_runtime(settings: Settings, engine: Engine) -> Runtime:
    from bot.runtime import build_runtime

    return build_runtime(settings, engine=engine)


# -- serve -------------------------------------------------------------------------------------------
def _serve(args: argparse.Namespace) -> int:
    settings = _start(local_fallback=True)
    if settings is None:
        return 1
    host = "127.0.0.1" if settings.dry_run and not settings.has_app_credentials else "0.0.0.0"  # noqa: S104
    bind = args.bind or f"{host}:{settings.port}"
    log.info("listening on http://%s (webhook path /api/github/webhooks)", bind)
    if not settings.has_app_credentials:
        log.info("to register the GitHub App from app.yml, open http://%s/setup", bind)
    from bot.wsgi import serve

    return serve(settings, bind)


# -- worker ------------------------------------------------------------------------------------------
def _worker(args: argparse.Namespace) -> int:
    settings = _start(require_secret=False)
    if settings is None:
        return 1
    from bot.inbox import open_inbox

    inbox = open_inbox(settings.database_url, settings.max_attempts)
    runtime = _build_runtime(settings, inbox.engine)
    try:
        if settings.redis_url:
            return _rq_worker(settings, inbox, runtime, burst=args.burst)
        from bot.worker import WorkerPool, run_job, wait_for_signal, worker_name

        if args.burst:  # run what is claimable now, in this thread, then exit
            while (job := inbox.claim(worker_name(":burst"), settings.lease_seconds)) is not None:
                run_job(inbox, job, runtime.handle)
            return 0
        threads = args.threads or max(1, settings.worker_threads)
        pool = WorkerPool(inbox, runtime.handle, threads=threads, lease_seconds=settings.lease_seconds)
        pool.start()
        log.info("worker started (%d threads)", threads)
        wait_for_signal()
        finished = pool.stop(SHUTDOWN_TIMEOUT)
        log.info("worker stopped%s", "" if finished else " (unfinished jobs released)")
        return 0
    finally:
        runtime.close()


def _rq_worker(settings: Settings, inbox: Inbox, runtime: Runtime, *, burst: bool) -> int:
    from bot.queue import JobContext, Sweeper, connect, install_job_context, make_queue, run_rq_worker

    assert settings.redis_url is not None
    connection = connect(settings.redis_url)
    install_job_context(JobContext(inbox, runtime.handle, settings.lease_seconds))
    sweeper = Sweeper(inbox, make_queue(connection))
    if burst:
        sweeper.sweep_once()
    else:
        sweeper.start()
    try:
        run_rq_worker(connection, burst=burst)
    finally:
        sweeper.stop()
    return 0


# -- replay ------------------------------------------------------------------------------------------
def _replay(args: argparse.Namespace) -> int:
    settings = _settings(require_app=False, require_secret=False)
    if settings is None:
        return 1
    if not settings.webhook_secret:
        print("ptm-triage: set WEBHOOK_SECRET to the server's webhook secret.", file=sys.stderr)
        return 1
    try:
        body = args.file.read_bytes()
        payload = json.loads(body)
    except OSError as exc:
        print(f"ptm-triage: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except ValueError:
        print(f"ptm-triage: {args.file} is not JSON.", file=sys.stderr)
        return 1
    if not isinstance(payload, dict):
        print(f"ptm-triage: {args.file} must hold one webhook payload (a JSON object).", file=sys.stderr)
        return 1
    from bot.intake import sign

    url = args.url or f"http://127.0.0.1:{settings.port}/api/github/webhooks"
    delivery_id = args.delivery_id or str(uuid.uuid4())
    request = urllib.request.Request(  # noqa: S310 (the operator's own server)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/ptm-triage-replay",
            "X-GitHub-Event": args.event,
            "X-GitHub-Delivery": delivery_id,
            "X-Hub-Signature-256": sign(settings.webhook_secret, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            status, text = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        print(f"ptm-triage: cannot reach {url} ({exc}). Is `ptm-triage serve` running?", file=sys.stderr)
        return 1
    print(f"{status} {text.strip()} (delivery {delivery_id})")
    return 0 if 200 <= status < 300 else 1


# -- dead letters ------------------------------------------------------------------------------------
def _dead_list(args: argparse.Namespace) -> int:
    settings = _settings(require_app=False, require_secret=False)
    if settings is None:
        return 1
    from bot.inbox import open_inbox

    letters = open_inbox(settings.database_url).dead_letters(limit=args.limit)
    for letter in letters:
        if args.json:
            print(json.dumps({
                "delivery_id": letter.delivery_id, "event": letter.event, "action": letter.action,
                "repo": letter.repo, "attempts": letter.attempts, "updated_at": letter.updated_at,
                "last_error": letter.last_error,
            }))  # fmt: skip
        else:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(letter.updated_at))
            kind = letter.event + (f".{letter.action}" if letter.action else "")
            print(f"{letter.delivery_id}  {kind}  {letter.repo or '-'}  attempts={letter.attempts}  {when}Z")
            print(f"    {letter.last_error or ''}")
    if not letters and not args.json:
        print("No dead letters.")
    return 0


def _dead_retry(args: argparse.Namespace) -> int:
    if bool(args.ids) == bool(args.all):
        print("ptm-triage: give delivery ids or --all (not both).", file=sys.stderr)
        return 2
    settings = _settings(require_app=False, require_secret=False)
    if settings is None:
        return 1
    from bot.inbox import open_inbox

    count = open_inbox(settings.database_url).requeue(None if args.all else args.ids)
    print(f"Queued {count} dead letter(s) again.")
    return 0 if count or args.all else 1
