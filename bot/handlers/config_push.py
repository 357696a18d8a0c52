"""A push to the default branch: drop the cached configuration, and when the push touched
`.github/ptm-triage.yml`, validate it and report on the pushed commit with a check run, so the
maintainer who broke (or fixed) the file sees it where they pushed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.errors import PermanentFailure
from bot.events import Event
from bot.handlers.context import HandlerContext
from bot.repo_config.loader import ConfigResult
from bot.repo_config.model import CONFIG_PATH
from bot.repo_config.summary import summary_lines

CHECK_NAME = "ptm-triage config"


def on_push(event: Event, ctx: HandlerContext) -> None:
    payload = event.payload
    repo = event.repo
    repository = payload.get("repository")
    if repo is None or not isinstance(repository, Mapping):
        return
    default_branch = repository.get("default_branch") or repository.get("master_branch")
    if payload.get("ref") != f"refs/heads/{default_branch}" or payload.get("deleted") is True:
        return
    # Any push to the default branch may change a file some config reads (`_extends` bases live at
    # other paths); invalidating is free: the next load revalidates with a conditional request.
    ctx.configs.invalidate(repo)
    sha = payload.get("after")
    if not touches_config(payload) or not isinstance(sha, str) or not sha.strip("0"):
        return
    result = ctx.configs.load(ctx.github, repo, sha=sha)
    if result.error is None:
        ctx.log.info("config of %s is valid (%s)", repo, result.source)
    else:
        ctx.log.warning("config of %s is invalid: %d problems", repo, len(result.errors) or 1)
    if ctx.github is None or ctx.dry_run:
        return
    title, summary = check_run_text(result)
    try:
        ctx.github.create_check_run(
            repo, sha, CHECK_NAME, "success" if result.error is None else "failure", title, summary
        )
    except PermanentFailure as exc:  # e.g. an installation that has not granted checks: write yet
        ctx.log.warning("could not report the config check on %s: %s", repo, exc)


def touches_config(payload: Mapping[str, Any]) -> bool:
    """Whether any commit of the push (or its head commit) added, changed or removed the config file."""
    commits = payload.get("commits")
    listed = [c for c in commits if isinstance(c, Mapping)] if isinstance(commits, list) else []
    head = payload.get("head_commit")
    if isinstance(head, Mapping):
        listed.append(head)
    for commit in listed:
        for kind in ("added", "modified", "removed"):
            paths = commit.get(kind)
            if isinstance(paths, list) and CONFIG_PATH in paths:
                return True
    return False


def check_run_text(result: ConfigResult) -> tuple[str, str]:
    """(title, markdown summary). Messages quote bits of the file, so they go in a code block:
    nothing in them can mention anyone or format the page."""
    if result.error is None:
        if result.source.startswith("defaults"):
            return "No configuration file: the defaults apply", _summary_of(result)
        return "Configuration is valid", f"Read from `{result.source}`.\n\n{_summary_of(result)}"
    errors = result.errors or (result.error,)
    block = "\n".join(errors)
    fence = "`" * max(3, _longest_backtick_run(block) + 1)
    count = f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
    summary = (
        f"{count} in `{result.source}`:\n\n{fence}text\n{block}\n{fence}\n\n"
        f"Until this is fixed, ptm-triage keeps using {result.fallback or 'the defaults'}.\n"
        f"Check a change before pushing it: `ptm-triage check-config {CONFIG_PATH}`. "
        "Every key is described in the JSON Schema shipped with ptm-triage "
        "(`bot/schemas/ptm-triage.schema.json`)."
    )
    return f"{CONFIG_PATH} is invalid ({count})", summary


def _summary_of(result: ConfigResult) -> str:
    return "\n".join(f"- {line}" for line in _escape(summary_lines(result.config)))


def _escape(lines: list[str]) -> list[str]:
    """Label names and logins come from the file: keep them from mentioning or formatting."""
    table = str.maketrans({"@": "@\u200b", "`": "'", "<": "&lt;", ">": "&gt;", "*": r"\*", "_": r"\_"})
    return [line.translate(table) for line in lines]


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest
