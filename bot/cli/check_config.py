"""`ptm-triage check-config FILE`: validate a `.github/ptm-triage.yml` locally, with the same schema and
messages as the bot. Exit 0 valid (prints the effective configuration), 1 invalid (prints each problem),
2 usage (no such file)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.repo_config.model import InvalidConfig, RepoConfig, build_config, read_document
from bot.repo_config.safe_yaml import MAX_BYTES
from bot.repo_config.summary import summary_lines
from bot.triage.policy import repository_policy
from classifier.model_store import ModelLoadError


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
    for line in expected_lines(config):
        print(line)
    return 0


def expected_lines(config: RepoConfig) -> list[str]:
    """What the setting should give, read off the bundled model's out-of-fold curve, at a few shares."""
    from classifier.predict import load_default  # scikit-learn loads only when needed

    try:
        model = load_default()
    except ModelLoadError:
        return []
    curve = model.curve
    lines = ["expected, from the bundled model's held-out issues (a repository's own share is estimated "
             "from the issues the bot sees):"]
    for share in (curve.base_share, 0.10, 0.80):
        policy = repository_policy(model, config, share)
        where = f"at {share:.0%} PTM-related issues" + (" (the training mix)" if share == curve.base_share else "")
        for tier, thresholds in (("labels", policy.label), ("comments", policy.comment)):
            e = curve.expected(thresholds.ptm, thresholds.category, share)
            lines.append(f"  {where}, {tier}: PTM precision {e.ptm_precision:.2f}, recall {e.ptm_recall:.2f}; "
                         f"category precision {e.category_precision:.2f}, coverage {e.category_coverage:.2f}")
    return lines
