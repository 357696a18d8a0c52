"""A dict that keeps its `capacity` most recently used keys: the loader's per-repository caches stay
bounded however many repositories install the App."""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")


class LruDict(OrderedDict[_K, _V]):
    """Not thread-safe on its own: the loader holds its lock around every use."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity

    def get(self, key: _K, default: _V | None = None) -> _V | None:  # type: ignore[override]
        if key not in self:
            return default
        self.move_to_end(key)
        return self[key]

    def __setitem__(self, key: _K, value: _V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.capacity:
            self.popitem(last=False)
