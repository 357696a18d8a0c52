"""The webhook envelope that travels from intake to handlers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    """One accepted delivery. `payload` is the parsed JSON body; handlers parse what they need once."""

    name: str  # X-GitHub-Event, e.g. "issues"
    action: str | None  # payload["action"], when the event has one
    delivery_id: str  # X-GitHub-Delivery: the idempotency key
    installation_id: int | None
    payload: Mapping[str, Any]

    @property
    def repo(self) -> str | None:
        """owner/name of the repository the event is about, when there is one."""
        repository = self.payload.get("repository")
        if isinstance(repository, Mapping):
            full_name = repository.get("full_name")
            if isinstance(full_name, str):
                return full_name
        return None
