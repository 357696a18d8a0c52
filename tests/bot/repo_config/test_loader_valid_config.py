"""The loader keeps each repository's last valid configuration in the store (the playground tries issues
with it); a broken file later does not erase it, a changed valid one replaces it."""

from __future__ import annotations

from pathlib import Path

from bot.repo_config.loader import ConfigLoader
from bot.repo_config.model import CONFIG_PATH, build_config
from bot.store.config_status import ConfigStatusStore
from bot.store.engine import create_schema, make_engine
from tests.support.fake_github import FakeGitHub

REPO = "octo/app"


def test_last_valid_config_survives_a_broken_file(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    create_schema(engine)
    status = ConfigStatusStore(engine)
    loader = ConfigLoader(status=status, fresh_for=0)
    github = FakeGitHub()

    loader.load(github, REPO)  # no file: the defaults are its valid configuration
    assert status.last_valid_config(REPO) == {}
    github.files[(REPO, CONFIG_PATH)] = "dry_run: true\ncomment:\n  enabled: false\n"
    loader.load(github, REPO)
    assert status.last_valid_config(REPO) == {"dry_run": True, "comment": {"enabled": False}}
    github.files[(REPO, CONFIG_PATH)] = "dry_run: 3"
    assert loader.load(github, REPO).error is not None
    stored = status.last_valid_config(REPO)
    assert stored is not None and not build_config(stored).comment.enabled
    github.files[(REPO, CONFIG_PATH)] = "comment:\n  enabled: false\n"
    loader.load(github, REPO)
    assert status.last_valid_config(REPO) == {"comment": {"enabled": False}}
    assert status.last_valid_config("octo/other") is None
    engine.dispose()
