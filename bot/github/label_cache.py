"""The labels each repository is known to have, so that a warm repository costs no label listing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

LABEL_CACHE_TTL = 10 * 60  # seconds; a label deleted meanwhile is recreated grey by add_labels


class LabelCache:
    """The label names each repository is known to have, shared by the jobs of one process."""

    def __init__(self, ttl: float = LABEL_CACHE_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._labels: dict[str, tuple[float, set[str]]] = {}

    def known(self, repo: str) -> frozenset[str] | None:
        with self._lock:
            entry = self._labels.get(repo)
            if entry is None or self._clock() - entry[0] > self._ttl:
                return None
            return frozenset(entry[1])

    def remember(self, repo: str, names: Iterable[str], *, fresh: bool = False) -> None:
        """Add names; `fresh=True` means `names` is the full list just read from GitHub."""
        folded = {name.casefold() for name in names}
        with self._lock:
            entry = self._labels.get(repo)
            if fresh or entry is None:
                self._labels[repo] = (self._clock(), folded)
            else:
                entry[1].update(folded)
