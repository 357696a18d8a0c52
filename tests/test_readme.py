"""The README's and the guides' examples stay true: the sample config is valid, and the commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli.main import build_parser
from bot.repo_config.model import RepoConfig, parse_config

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
GUIDES = [README, *(path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs").glob("*.md")))]


def test_the_sample_repository_config_is_valid() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", CONFIGURATION, flags=re.S)
    assert blocks, "docs/configuration.md shows a sample .github/ptm-triage.yml"
    for block in blocks:
        parsed = parse_config(block)
        assert isinstance(parsed, RepoConfig), parsed


def test_every_documented_subcommand_exists() -> None:
    documented = {command for text in GUIDES for command in re.findall(r"`ptm-triage ([a-z-]+)", text)}
    parser = build_parser()
    known = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert documented and documented <= known, documented - known


def test_the_readme_links_to_guides_that_exist() -> None:
    for target in re.findall(r"\]\(((?:docs/)?[\w./-]+\.(?:md|png))\)", README):
        assert (ROOT / target).is_file(), target
