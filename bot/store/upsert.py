"""Insert-or-update on SQLite and PostgreSQL, so a repeated write (a retried job) leaves one row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def upsert(conn: Connection, table: Table, values: Mapping[str, Any], keys: Sequence[str]) -> None:
    """Insert, or update the row with the same `keys`: the same call twice leaves one row."""
    updates = {k: v for k, v in values.items() if k not in keys}
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        module: Any = sqlite if dialect == "sqlite" else postgresql
        statement = module.insert(table).values(**values)
        if updates:
            statement = statement.on_conflict_do_update(index_elements=list(keys), set_=updates)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=list(keys))
        conn.execute(statement)
        return
    match = [table.c[k] == values[k] for k in keys]
    if conn.execute(select(table.c[keys[0]]).where(*match)).first() is None:
        conn.execute(table.insert().values(**values))
    elif updates:
        conn.execute(table.update().where(*match).values(**updates))


def insert_if_absent(conn: Connection, table: Table, values: Mapping[str, Any], keys: Sequence[str]) -> bool:
    """Insert unless a row with the same `keys` exists; True when this call inserted it."""
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        module: Any = sqlite if dialect == "sqlite" else postgresql
        statement = (module.insert(table).values(**values).on_conflict_do_nothing(index_elements=list(keys))
                     .returning(table.c[keys[0]]))  # rowcount is not reported for this statement on psycopg
        return conn.execute(statement).first() is not None
    if conn.execute(select(table.c[keys[0]]).where(*[table.c[k] == values[k] for k in keys])).first() is not None:
        return False
    conn.execute(table.insert().values(**values))
    return True
