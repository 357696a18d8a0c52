"""Engine and schema registry shared by every table of the store (SQLite file or PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import MetaData

# Every table module defines its tables on this one MetaData, so `create_all` sees them all.
metadata = MetaData()
