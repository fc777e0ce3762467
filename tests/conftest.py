"""Helpers shared by the tests (the fixtures live in the top-level conftest.py)."""

from __future__ import annotations

from notforsale.text.engine import scan_text


def found(text: str, entity: str | None = None) -> list[tuple[str, str]]:
    """(type, written text) of each finding, optionally of one entity type."""
    return [(f.type, text[f.start:f.end]) for f in scan_text(text)
            if entity is None or f.type == entity]
