"""Where a configuration file lives: (owner/name, path) references of an `_extends` chain."""

from __future__ import annotations

from bot.repo_config.model import CONFIG_PATH

FileRef = tuple[str, str]  # (owner/name, path)


def extends_ref(target: str, owner: str) -> FileRef:
    """`repo`, `owner/repo` or `owner/repo:path` (already checked by the schema) -> (owner/repo, path)."""
    name, _, path = target.partition(":")
    full = name if "/" in name else f"{owner}/{name}"
    return full, path or CONFIG_PATH


def label(ref: FileRef) -> str:
    return f"{ref[0]}:{ref[1]}"


def source(chain: list[FileRef]) -> str:
    text = label(chain[0])
    return text if len(chain) == 1 else f"{text} (extends {', '.join(label(r) for r in chain[1:])})"
