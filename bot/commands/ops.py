"""Subcommands of `ptm-triage` (see bot/cli.py)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: "argparse._SubParsersAction[Any]") -> None:
    """Add this module's subcommands; each sets `run=callable(args) -> exit code`."""
