"""Creating the schema: several processes starting at once on a fresh store all come up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.store.engine import make_engine
from bot.store.tables import metadata

SCRIPT = "import sys; from bot.store.engine import create_schema, make_engine; create_schema(make_engine(sys.argv[1]))"


@pytest.mark.slow
def test_processes_starting_together_on_a_fresh_sqlite_file_all_create_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    processes = [subprocess.Popen([sys.executable, "-c", SCRIPT, url], stderr=subprocess.PIPE, text=True)
                 for _ in range(6)]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0] * 6, errors
    assert set(metadata.tables) <= set(inspect(make_engine(url)).get_table_names())
