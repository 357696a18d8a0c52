"""The last valid configuration of each repository, kept in the store so that a restart keeps it.

A row holds the files that configuration was read from, each with its ETag and text. After a restart the
loader asks GitHub for them with If-None-Match (an unchanged file answers 304, which costs no rate limit),
and when a file has broken meanwhile it still has the last valid one. The table is a least-recently-used
cache of `capacity` repositories (10,000 by default): adding one more removes the least recently used.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.tables import config_cache

CAPACITY = 10_000  # repositories
TOUCH_AFTER = 60.0  # seconds: a repository used more often than this is not re-marked on every load
_t = config_cache


@dataclass(frozen=True)
class CachedFile:
    repo: str  # owner/name of the repository holding the file (the org's .github, an _extends base)
    path: str
    etag: str | None
    text: str | None  # None: the file did not exist


class ConfigCacheStore:
    def __init__(self, engine: Engine, capacity: int = CAPACITY, clock: Callable[[], float] = time.time) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.engine = engine
        self.capacity = capacity
        self._clock = clock
        self._dialect = postgresql if engine.dialect.name == "postgresql" else sqlite

    def get(self, repo: str) -> tuple[CachedFile, ...] | None:
        """The files of the repository's last valid configuration, marking it used; None when unknown."""
        with self.engine.begin() as conn:
            row = conn.execute(select(_t.c.files, _t.c.used_at).where(_t.c.repo == repo)).first()
            if row is None:
                return None
            now = self._clock()
            if now - float(row.used_at) > TOUCH_AFTER:
                conn.execute(update(_t).where(_t.c.repo == repo).values(used_at=now))
        return tuple(CachedFile(*entry) for entry in json.loads(row.files))

    def put(self, repo: str, files: Sequence[CachedFile]) -> None:
        """Remember the files of a valid configuration; the least recently used rows beyond capacity go."""
        document = json.dumps([[f.repo, f.path, f.etag, f.text] for f in files], separators=(",", ":"))
        now = self._clock()
        insert = self._dialect.insert(_t).values(repo=repo, files=document, used_at=now)
        upsert = insert.on_conflict_do_update(
            index_elements=[_t.c.repo], set_={"files": insert.excluded.files, "used_at": now}
        )
        with self.engine.begin() as conn:
            conn.execute(upsert)
            excess = int(conn.execute(select(func.count()).select_from(_t)).scalar_one()) - self.capacity
            if excess > 0:
                oldest = select(_t.c.repo).order_by(_t.c.used_at, _t.c.repo).limit(excess).scalar_subquery()
                conn.execute(delete(_t).where(_t.c.repo.in_(oldest)))

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(_t)).scalar_one())

