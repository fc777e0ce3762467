"""Processes that open one new database at once migrate it once, not each half of it.

`make test` on two processes failed on a fresh machine: both imported the ASGI module
(`service/main.py`, which opens the default database) and both ran the migrations on the
new SQLite file: "table alembic_version already exists". `uvicorn --workers 4` does the same
on a first start. The migration holds a lock (a file lock beside an SQLite file, an advisory
lock on PostgreSQL).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

OPEN = "from notforsale.store.db import open_database; open_database({url!r})"


@pytest.mark.parametrize("attempt", range(3))
def test_four_processes_open_one_new_sqlite_database(tmp_path: Path, attempt: int) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    children = [subprocess.Popen([sys.executable, "-c", OPEN.format(url=url)],
                                 stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [child.communicate(timeout=120)[1] for child in children]
    assert [child.returncode for child in children] == [0] * 4, errors


@pytest.mark.skipif(not os.environ.get("NOTFORSALE_TEST_PG_URL"),
                    reason="no PostgreSQL server (NOTFORSALE_TEST_PG_URL)")
def test_processes_migrating_postgresql_at_once_take_turns() -> None:
    url = os.environ["NOTFORSALE_TEST_PG_URL"]
    children = [subprocess.Popen([sys.executable, "-c", OPEN.format(url=url)],
                                 stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [child.communicate(timeout=120)[1] for child in children]
    assert [child.returncode for child in children] == [0] * 3, errors
