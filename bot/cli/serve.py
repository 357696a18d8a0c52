"""`ptm-triage serve`: the web server with in-process job threads."""

from __future__ import annotations

import argparse
import errno
import logging
import socket
import sys
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
    port = port_in_use(bind)
    if port is not None:
        print(f"ptm-triage: port {port} is in use; stop the other server or pass --bind", file=sys.stderr)
        return 1
    log.info("listening on http://%s (webhook path /api/github/webhooks)", bind)
    if not settings.has_app_credentials:
        log.info("to register the GitHub App from app.yml, open http://%s/setup", bind)
    return runtime.serve(settings, bind)


def port_in_use(bind: str) -> int | None:
    """The port of a HOST:PORT address another process already listens on; None when it is free (or the
    address is not HOST:PORT, e.g. a unix socket: gunicorn reports those problems itself)."""
    host, sep, port_text = bind.rpartition(":")
    if not sep or not port_text.isdigit() or bind.startswith("unix:"):
        return None
    host = host.strip("[]") or "0.0.0.0"  # noqa: S104 - the address gunicorn would bind
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is no conflict
        try:
            probe.bind((host, int(port_text)))
        except OSError as exc:
            return int(port_text) if exc.errno == errno.EADDRINUSE else None
    return None
