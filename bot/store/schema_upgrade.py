"""Bring an existing store up to the tables' definition: columns added since it was created.

Only nullable columns are added in place (old rows read as NULL), so a store created by an older release
keeps working after an upgrade without a migration tool. Several processes may start at once: a column
another process added meanwhile is fine.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from bot.store.tables import metadata

log = logging.getLogger(__name__)


def add_missing_columns(engine: Engine) -> list[str]:
    """Add the nullable columns the store's existing tables lack; returns "table.column" for each."""
    inspector = inspect(engine)
    present = set(inspector.get_table_names())
    quote = engine.dialect.identifier_preparer.quote
    added: list[str] = []
    for table in metadata.sorted_tables:
        if table.name not in present:
            continue
        have = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in have:
                continue
            if not column.nullable:
                raise RuntimeError(f"the store's table {table.name} lacks the required column {column.name}")
            kind = column.type.compile(dialect=engine.dialect)
            # Constants from tables.py only, quoted by the dialect.
            ddl = f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}"
            try:
                with engine.begin() as conn:
                    conn.execute(text(ddl))
            except DBAPIError:
                columns = {c["name"] for c in inspect(engine).get_columns(table.name)}
                if column.name not in columns:
                    raise
                continue  # another process added it first
            log.info("store upgraded: added %s.%s", table.name, column.name)
            added.append(f"{table.name}.{column.name}")
    return added
