"""Settings for every test and doctest: a fixed fingerprint key, a private config directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTFORSALE_KEY", "test-key")
    monkeypatch.setenv("NOTFORSALE_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
