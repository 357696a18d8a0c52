"""`ptm-triage manifest [--base-url URL] [--app-yml FILE]`: print the GitHub App manifest made from app.yml.

With --base-url, the deployment's address replaces app.yml's placeholders (webhook URL, redirect URL of
the /setup flow, home page). Exit 0 printed, 1 app.yml invalid, 2 bad --base-url/--webhook-url.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.registration.manifest import ManifestError, build_manifest, load_definition, manifest_json, normalise_base_url


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommands; each sets `run=callable(args) -> exit code`."""
    parser = subparsers.add_parser(
        "manifest",
        help="print the GitHub App manifest (JSON) made from app.yml",
        description="Print the GitHub App manifest made from app.yml. Open /setup on a running "
        "`ptm-triage serve` to register the App with it in the browser.",
    )
    parser.add_argument("--base-url", help="the deployment's address, e.g. https://triage.example.org")
    parser.add_argument("--webhook-url", help="where GitHub sends webhooks (default BASE/api/github/webhooks)")
    parser.add_argument("--app-yml", type=Path, help="another app.yml (default: the one ptm-triage ships)")
    parser.set_defaults(run=print_manifest)


def print_manifest(args: argparse.Namespace) -> int:
    try:
        base = None if args.base_url is None else normalise_base_url(args.base_url)
    except ManifestError as exc:
        print(f"ptm-triage manifest: {exc}", file=sys.stderr)
        return 2
    try:
        definition = load_definition(args.app_yml)
    except ManifestError as exc:
        print(f"ptm-triage manifest: {exc}", file=sys.stderr)
        return 1
    try:
        manifest = build_manifest(definition, base, webhook_url=args.webhook_url)
    except ManifestError as exc:
        print(f"ptm-triage manifest: {exc}", file=sys.stderr)
        return 2
    print(manifest_json(manifest))
    if base is None:
        print("ptm-triage manifest: warning: no --base-url, so the URLs above (webhook, setup redirect, home "
              "page) are app.yml's placeholders; pass --base-url https://YOUR-HOST (the address GitHub can "
              "reach this deployment at) to fill them in", file=sys.stderr)
    return 0
