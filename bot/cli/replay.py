"""`ptm-triage replay FILE.json`: sign a saved webhook payload and send it to a running server."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from bot.cli.startup import settings_or_none
from bot.web.verify import sign


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommand; it sets `run=callable(args) -> exit code`."""
    replay = subparsers.add_parser("replay", help="sign and send a saved webhook payload to a running server")
    replay.add_argument("file", type=Path, metavar="FILE.json", help="one webhook payload (a JSON object)")
    replay.add_argument("--event", required=True, help="X-GitHub-Event, e.g. issues")
    replay.add_argument("--url", help="webhook URL (default http://127.0.0.1:$PORT/api/github/webhooks)")
    replay.add_argument("--delivery-id", help="X-GitHub-Delivery (default: a new UUID)")
    replay.set_defaults(run=_replay)

def _replay(args: argparse.Namespace) -> int:
    settings = settings_or_none(require_app=False, require_secret=False)
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


