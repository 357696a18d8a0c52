"""The `ptm-triage` command. Subcommands are thin: each parses its arguments and calls one module.

Exit codes: 0 ok, 1 failure, 2 usage error.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from bot.cli import backfill, check_config, dead_letters, manifest, model, replay, report, serve, worker


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ptm-triage",
        description="Triage GitHub issues about pre-trained AI models.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in (serve, worker, replay, dead_letters, check_config, model, report, manifest, backfill):
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except KeyboardInterrupt:
        return 1
    return code

