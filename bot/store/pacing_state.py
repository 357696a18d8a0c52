"""GitHub write pacing shared by every process of an installation: one small JSON document per key,
changed atomically, in the store or in Redis. `bot.github.pacing.WriteLimiter` decides what the document
says; these classes only keep it and make each change exclusive.

- `SqlPacingState`: a row per key in `github_pacing`. One transaction per change: the row is created if
  missing, then read with SELECT ... FOR UPDATE (PostgreSQL holds the row lock until commit); on SQLite
  the first statement is the INSERT, which takes the database's write lock at once (as BEGIN IMMEDIATE
  would), and the writer flock serialises our processes before SQLite's busy polling has to.
  These commits skip the flush to disk (PostgreSQL: synchronous_commit off for the transaction; SQLite:
  its own connections with synchronous=normal): a power cut may forget the last few writes' slots, which
  costs nothing but a little pacing, while the inbox's commits, which must survive it, keep theirs.
- `RedisPacingState`: a key per installation changed with WATCH/MULTI/EXEC (optimistic: a change that
  raced another is run again on the fresh document). Keys expire an hour after their last change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.engine import WriterLock, make_engine
from bot.store.tables import pacing_state

if TYPE_CHECKING:
    from redis import Redis

REDIS_PREFIX = "ptm-triage:pacing:"
REDIS_TTL = 3600 + 300  # seconds: longer than the longest window (an hour)
_R = TypeVar("_R")
_t = pacing_state


class SqlPacingState:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self._postgres = engine.dialect.name == "postgresql"
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            url = engine.url.update_query_dict({"synchronous": "normal"})
            engine = make_engine(url.render_as_string(hide_password=False), pool_size=2, max_overflow=8)
        self.engine = engine
        self._clock = clock
        dialect = postgresql if self._postgres else sqlite
        self._create = dialect.insert(_t).on_conflict_do_nothing(index_elements=[_t.c.key])
        self._lock = WriterLock(engine.url.database if engine.dialect.name == "sqlite" else None)

    def read(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            document = conn.execute(select(_t.c.document).where(_t.c.key == key)).scalar()
        return str(document) if document else None

    def update(self, key: str, change: Callable[[str | None], tuple[str, _R]]) -> _R:
        with self._lock.held(), self.engine.begin() as conn:
            if self._postgres:
                conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
            conn.execute(self._create, {"key": key, "document": "", "updated_at": self._clock()})
            current = conn.execute(select(_t.c.document).where(_t.c.key == key).with_for_update()).scalar()
            document, result = change(str(current) if current else None)
            if document != current:
                conn.execute(update(_t).where(_t.c.key == key).values(document=document, updated_at=self._clock()))
        return result


class RedisPacingState:
    def __init__(self, redis: Redis, prefix: str = REDIS_PREFIX) -> None:
        self.redis = redis
        self.prefix = prefix

    def read(self, key: str) -> str | None:
        document = self.redis.get(self.prefix + key)
        return _text(document)

    def update(self, key: str, change: Callable[[str | None], tuple[str, _R]]) -> _R:
        from redis.exceptions import WatchError  # redis is an optional extra (scale)

        name = self.prefix + key
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(name)  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
                    document, result = change(_text(pipe.get(name)))
                    pipe.multi()
                    pipe.set(name, document, ex=REDIS_TTL)
                    pipe.execute()
                    return result
                except WatchError:  # another process changed it between our read and our write
                    continue


def _text(value: object) -> str | None:
    if value is None or value == b"" or value == "":
        return None
    return value.decode() if isinstance(value, bytes) else str(value)
