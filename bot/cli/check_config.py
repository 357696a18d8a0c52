"""`ptm-triage check-config FILE`: validate a `.github/ptm-triage.yml` locally, with the same schema and
messages as the bot. Exit 0 valid (prints the effective configuration), 1 invalid (prints each problem),
2 usage (no such file)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.repo_config.model import InvalidConfig, RepoConfig, build_config, read_document, summary_lines
from bot.repo_config.safe_yaml import MAX_BYTES
from classifier.model_store import ModelLoadError, read_metadata
from classifier.predict import bundled_model_dir


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommands; each sets `run=callable(args) -> exit code`."""
    parser = subparsers.add_parser(
        "check-config",
        help="validate a .github/ptm-triage.yml file",
        description="Validate a repository configuration file against the schema the bot uses.",
    )
    parser.add_argument("file", metavar="FILE", help="path to a .github/ptm-triage.yml")
    parser.set_defaults(run=check_config)


def check_config(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)  # enough to tell "too large" without reading it all
            size = path.stat().st_size
    except OSError as exc:
        print(f"check-config: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if len(raw) > MAX_BYTES:
        print(f"{path}: the file is {size} bytes; the limit is {MAX_BYTES} bytes")
        return 1
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        print(f"{path}: the file is not UTF-8 text")
        return 1
    try:
        document = read_document(text)
        extends = document.pop("_extends", None)
        config = build_config(document)
    except InvalidConfig as exc:
        for message in exc.errors:
            print(f"{path}: {message}")
        print(f"{len(exc.errors)} problem{'s' if len(exc.errors) != 1 else ''}; the file is invalid")
        return 1
    print(f"{path}: valid")
    if extends is not None:
        print(f"note: _extends: {extends} is merged by the bot; this check covers this file alone")
    for line in summary_lines(config):
        print(f"  {line}")
    for warning in threshold_warnings(config):
        print(f"note: {warning}")
    return 0


def threshold_warnings(config: RepoConfig) -> list[str]:
    """Thresholds below the bundled model's have no effect (a repository may only raise them): say so."""
    try:
        shipped = read_metadata(bundled_model_dir()).thresholds
    except ModelLoadError:
        return []
    warnings = []
    for key, value in (("ptm", config.ptm_threshold), ("category", config.category_threshold)):
        model = shipped.get(key)
        if value is not None and model is not None and value < model:
            warnings.append(f"thresholds.{key} {value:g} is below the model's {model:.3f}, which is used instead")
    return warnings
