"""CenterFace finds each face on the shared photos and none on the cat and the cup."""

from __future__ import annotations

import pytest

from notforsale.read.images import decode
from notforsale.vision.faces import DEFAULT_MAX_SIDE, shared_detector
from tests.conftest import shared_faces

EXPECTED = {
    "astronaut.png": (1, 1),
    "two_people.jpg": (2, 2),
    "two_people_b.jpg": (2, 2),
    "three_people.jpg": (3, 3),
    "city.jpg": (15, 19),  # "~17, several small or partly hidden" (README of shared/)
    "no_face_cat.png": (0, 0),
    "no_face_coffee.png": (0, 0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_face_counts(name: str) -> None:
    image = decode((shared_faces() / name).read_bytes(), DEFAULT_MAX_SIDE)
    faces = shared_detector().detect(image.rgb, image.scale)
    low, high = EXPECTED[name]
    assert low <= len(faces) <= high, f"{name}: {len(faces)} faces"
    width, height = image.size
    for face in faces:
        x0, y0, x1, y1 = face.box
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        assert 0 < face.score <= 1


def test_boxes_are_in_original_pixels() -> None:
    data = (shared_faces() / "three_people.jpg").read_bytes()  # 2000 px wide
    small = decode(data, 320)
    large = decode(data, 1280)
    boxes_small = sorted(f.box for f in shared_detector().detect(small.rgb, small.scale))
    boxes_large = sorted(f.box for f in shared_detector().detect(large.rgb, large.scale))
    assert len(boxes_small) == len(boxes_large) == 3
    for a, b in zip(boxes_small, boxes_large, strict=True):
        assert all(abs(u - v) < 60 for u, v in zip(a, b, strict=True)), (a, b)
