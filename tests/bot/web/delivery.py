"""Verify a delivery and read it as a worker would: `bot.web.verify.verify`, then `bot.events.load_payload`."""

from __future__ import annotations

from collections.abc import Mapping

from bot.events import Event, load_payload
from bot.web.verify import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verify


def parse_delivery(headers: Mapping[str, str], body: bytes, *, secret: str | bytes, max_body_bytes: int) -> Event:
    folded = {name.lower(): value for name, value in headers.items()}
    envelope = verify(
        body,
        signature=folded.get(SIGNATURE_HEADER.lower()),
        event=folded.get(EVENT_HEADER.lower()),
        delivery_id=folded.get(DELIVERY_HEADER.lower()),
        secret=secret,
        max_body_bytes=max_body_bytes,
    )
    return Event(envelope.name, envelope.action, envelope.delivery_id, envelope.installation_id,
                 load_payload(envelope.body))
