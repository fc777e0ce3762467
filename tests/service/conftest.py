"""Service fixtures: a fresh database per test on SQLite always, on PostgreSQL when CI gives one.

``NOTFORSALE_TEST_PG_URL`` (set by ``scripts/test_postgres.sh``, which ``make test`` runs)
names a PostgreSQL server; each test gets a schema-fresh database there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from notforsale.service.app import create_app
from notforsale.service.settings import ServiceSettings
from notforsale.store import repository
from notforsale.store.db import open_database

PG_URL = os.environ.get("NOTFORSALE_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    assert PG_URL is not None
    name = "nfs_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        open_database.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from _fresh_url(request.param, tmp_path)


@pytest.fixture
def client(db_url: str) -> TestClient:
    return TestClient(create_app(ServiceSettings(db_url=db_url, max_body_bytes=64 * 1024,
                                                 max_upload_bytes=5 * 1024 * 1024)))


@pytest.fixture
def token(db_url: str) -> str:
    with open_database(db_url)() as session:
        return repository.create_token(session, "alice")


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
