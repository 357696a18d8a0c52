"""`ptm-triage serve`: the web server with in-process job threads."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from bot import runtime
from bot.cli.startup import start

log = logging.getLogger("bot.serve")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommand; it sets `run=callable(args) -> exit code`."""
    serve = subparsers.add_parser("serve", help="run the web server with in-process workers")
    serve.add_argument("--bind", help="HOST:PORT to listen on (default 0.0.0.0:$PORT; 127.0.0.1 in dry run)")
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    settings = start(local_fallback=True)
    if settings is None:
        return 1
    host = "127.0.0.1" if settings.dry_run and not settings.has_app_credentials else "0.0.0.0"  # noqa: S104
    bind = args.bind or f"{host}:{settings.port}"
    log.info("listening on http://%s (webhook path /api/github/webhooks)", bind)
    if not settings.has_app_credentials:
        log.info("to register the GitHub App from app.yml, open http://%s/setup", bind)
    return runtime.serve(settings, bind)
