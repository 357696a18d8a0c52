"""Refusals are merged per (outcome, reason) and written as one row per window, off the request thread."""

from __future__ import annotations

from bot.store.rejections import Rejection
from bot.web.rejections import RejectionRecorder


class Store:
    def __init__(self) -> None:
        self.batches: list[list[Rejection]] = []

    def record(self, rejections: list[Rejection]) -> None:
        self.batches.append(rejections)


def test_a_burst_is_one_row_per_reason() -> None:
    store = Store()
    recorder = RejectionRecorder(lambda: store, clock=lambda: 100.0)  # type: ignore[arg-type,return-value]
    recorder.note("rejected_signature", "does not match", "d-1")
    recorder.note("rejected_signature", "does not match", None)
    recorder.note("rejected_signature", "does not match", "d-3")
    recorder.note("too_large", "body larger than 10 bytes", None)
    recorder.flush()
    assert store.batches == [[
        Rejection("rejected_signature", "does not match", "d-3", 3, 100.0),
        Rejection("too_large", "body larger than 10 bytes", None, 1, 100.0),
    ]]
    recorder.note("bad_request", "not JSON", "d-4")
    recorder.flush()
    assert store.batches[-1] == [Rejection("bad_request", "not JSON", "d-4", 1, 100.0)]
