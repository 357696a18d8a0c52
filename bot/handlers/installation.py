"""Installation bookkeeping: who installed the App where, recorded and logged. Nothing else happens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.events import Event
from bot.handlers.context import HandlerContext


def _repo_names(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [
        repo["full_name"]
        for repo in value
        if isinstance(repo, Mapping) and isinstance(repo.get("full_name"), str)
    ]


def _account(event: Event) -> str | None:
    installation = event.payload.get("installation")
    if isinstance(installation, Mapping):
        account = installation.get("account")
        if isinstance(account, Mapping) and isinstance(account.get("login"), str):
            login: str = account["login"]
            return login
    return None


def _record(event: Event, ctx: HandlerContext, added: list[str], removed: list[str]) -> None:
    ctx.records.record_installation(
        delivery_id=event.delivery_id,
        installation_id=event.installation_id,
        event=event.name,
        action=event.action,
        account=_account(event),
        added=added,
        removed=removed,
    )
    ctx.log.info(
        "installation %s %s by %s: %d repositories added, %d removed",
        event.installation_id, event.action, _account(event), len(added), len(removed),
    )


def on_installation(event: Event, ctx: HandlerContext) -> None:
    """created / deleted / suspend / unsuspend / new_permissions_accepted."""
    payload: Mapping[str, Any] = event.payload
    added = _repo_names(payload.get("repositories")) if event.action == "created" else []
    removed = _repo_names(payload.get("repositories")) if event.action == "deleted" else []
    _record(event, ctx, added, removed)


def on_installation_repositories(event: Event, ctx: HandlerContext) -> None:
    """added / removed: the installation's repository selection changed."""
    _record(
        event,
        ctx,
        _repo_names(event.payload.get("repositories_added")),
        _repo_names(event.payload.get("repositories_removed")),
    )
