"""Helpers shared by the tests (the fixtures live in the top-level conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from notforsale.text.engine import scan_text

#: The read-only shared test data beside the repository (absent in a user's clone).
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_faces() -> Path:
    folder = SHARED / "faces"
    if not folder.is_dir():
        pytest.skip("../shared/data/faces is not here (a user's clone)")
    return folder


def found(text: str, entity: str | None = None) -> list[tuple[str, str]]:
    """(type, written text) of each finding, optionally of one entity type."""
    return [(f.type, text[f.start:f.end]) for f in scan_text(text)
            if entity is None or f.type == entity]
