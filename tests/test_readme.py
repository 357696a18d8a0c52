"""The README's examples stay true: its sample config is valid, and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli.main import build_parser
from bot.repo_config.model import RepoConfig, parse_config

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_sample_repository_config_is_valid() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", README, flags=re.S)
    assert blocks, "the README shows a sample .github/ptm-triage.yml"
    for block in blocks:
        parsed = parse_config(block)
        assert isinstance(parsed, RepoConfig), parsed


def test_every_documented_subcommand_exists() -> None:
    documented = set(re.findall(r"`ptm-triage ([a-z-]+)", README))
    parser = build_parser()
    known = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert documented and documented <= known, documented - known
