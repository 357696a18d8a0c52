"""What the double keeps of its traffic: each request it answered, and each violation of GitHub's description."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """A request GitHub would reject, or an answer of the double that breaks GitHub's description."""

    kind: str  # unknown_route | method | unimplemented | auth | request | response | double
    method: str
    path: str
    message: str


@dataclass(frozen=True)
class RequestRecord:
    seq: int
    method: str
    path: str
    template: str | None
    status: int
    started: float  # epoch seconds
    duration_ms: float
    installation_id: int | None
    fault: str | None
    query: str = ""  # the query string as sent (e.g. which page of a listing)
