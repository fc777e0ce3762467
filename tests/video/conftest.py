"""Clips made once per test session from the shared photos (see clips.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_faces
from tests.video import clips


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_faces().parent


@pytest.fixture(scope="session")
def clip(shared: Path) -> clips.ClipMaker:
    """``clip(name, **encoding)``: the clip, made once per name and encoding."""
    made: dict[tuple[str, str], clips.Clip] = {}

    def make(name: str, **encoding: object) -> clips.Clip:
        key = (name, repr(sorted(encoding.items())))
        if key not in made:
            made[key] = clips.CLIPS[name](shared, **encoding)
        return made[key]

    return make
