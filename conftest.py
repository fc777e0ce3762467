"""Settings for every test and doctest: a fixed fingerprint key, a private config directory,
a private default database (modules imported while tests are collected — the service's
``main`` — must not touch the user's own data directory)."""

from __future__ import annotations

import os
import tempfile

import pytest

_PRIVATE = tempfile.mkdtemp(prefix="notforsale-tests-")
os.environ.setdefault("NOTFORSALE_DB", f"sqlite:///{_PRIVATE}/default.db")
os.environ.setdefault("NOTFORSALE_KEY", "test-key")
os.environ.setdefault("NOTFORSALE_CONFIG_DIR", os.path.join(_PRIVATE, "config"))


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTFORSALE_KEY", "test-key")
    monkeypatch.setenv("NOTFORSALE_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
