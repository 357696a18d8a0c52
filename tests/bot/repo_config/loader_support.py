"""What the ConfigLoader tests share: repository names, a settable clock, and helpers to put and count files."""

from __future__ import annotations

from bot.repo_config.model import CONFIG_PATH
from tests.support.fake_github import FakeGitHub

REPO = "octo/app"
ORG = "octo/.github"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def put(github: FakeGitHub, repo: str, text: str, path: str = CONFIG_PATH) -> None:
    github.files[(repo, path)] = text


def reads(github: FakeGitHub) -> list[tuple[str, str, str | None]]:
    return [args for name, args in github.calls if name == "read_file"]  # type: ignore[misc]
