"""Extra looks find tiny background faces and add no face on objects."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from notforsale.vision.multiscale import detect_faces
from tests.conftest import shared_faces


@pytest.mark.parametrize(("name", "low", "high", "looks"), [
    ("no_face_cat.png", 0, 0, ["640", "320"]),       # a cat: no face at any scale
    ("no_face_coffee.png", 0, 0, ["640", "320"]),    # a cup: none either
    ("astronaut.png", 1, 1, ["640"]),                # a portrait: the first look only
    ("three_people.jpg", 3, 3, ["640"]),             # large faces: no tiles needed
])
def test_faces_and_looks(name: str, low: int, high: int, looks: list[str]) -> None:
    detection = detect_faces((shared_faces() / name).read_bytes())
    assert low <= len(detection.faces) <= high
    assert detection.looks == looks


def test_tiles_find_a_crowd_in_the_background() -> None:
    scene = Image.open(shared_faces() / "no_face_coffee.png").convert("RGB").resize((3200, 2256))
    scene.paste(Image.open(shared_faces() / "city.jpg").convert("RGB"), (1700, 1400))
    buffer = io.BytesIO()
    scene.save(buffer, format="PNG")
    detection = detect_faces(buffer.getvalue())
    assert detection.looks[1].startswith("tiles")
    inside = [f for f in detection.faces if f.box[0] >= 1700 and f.box[1] >= 1400]
    assert len(inside) >= 10 and len(inside) == len(detection.faces)  # none on the cup
    assert all(f.landmarks is not None for f in inside)
