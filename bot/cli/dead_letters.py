"""`ptm-triage dead-letters list|retry`: deliveries that used up their attempts."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from bot.cli.startup import settings_or_none
from bot.store.inbox import open_inbox


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommands; each sets `run=callable(args) -> exit code`."""
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


def _dead_list(args: argparse.Namespace) -> int:
    settings = settings_or_none(require_app=False, require_secret=False)
    if settings is None:
        return 1
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
    settings = settings_or_none(require_app=False, require_secret=False)
    if settings is None:
        return 1
    inbox = open_inbox(settings.database_url)
    ids: list[str] | None = None
    problems = []
    if not args.all:
        ids = []
        for delivery_id in dict.fromkeys(args.ids):
            found = inbox.get(delivery_id)
            if found is None:
                problems.append(f"no delivery {delivery_id} in the inbox")
            elif found.state != "dead":
                problems.append(f"delivery {delivery_id} is not a dead letter (it is {found.state})")
            else:
                ids.append(delivery_id)
    count = inbox.requeue(ids) if ids is None or ids else 0
    for problem in problems:
        print(f"ptm-triage: {problem}; `ptm-triage dead-letters list` shows the dead letters", file=sys.stderr)
    print(f"Queued {count} dead letter(s) again.")
    return 1 if problems else 0
