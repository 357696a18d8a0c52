"""The `ptm-triage` command. Subcommands are thin: each parses its arguments and calls one module.

Exit codes: 0 ok, 1 failure, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.commands import app as app_commands
from bot.commands import config as config_commands
from bot.commands import model as model_commands
from bot.commands import ops as ops_commands
from bot.commands import setup as setup_commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ptm-triage",
        description="Triage GitHub issues about pre-trained AI models.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    app_commands.register(subparsers)
    config_commands.register(subparsers)
    model_commands.register(subparsers)
    ops_commands.register(subparsers)
    setup_commands.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except KeyboardInterrupt:
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
