"""Each face ends embedded or skipped with its reason; vectors never show."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from notforsale.read.images import decode
from notforsale.vision.embeddings import Embedding, Skipped, embed_faces
from notforsale.vision.faces import Face, shared_detector
from tests.conftest import shared_faces


def _astronaut() -> tuple[np.ndarray, Face]:
    rgb = decode((shared_faces() / "astronaut.png").read_bytes(), 100_000).rgb
    (face,) = shared_detector().detect(rgb, 1.0)
    return rgb, face


def _shrunk(rgb: np.ndarray, width: int) -> tuple[np.ndarray, Face]:
    small = cv2.resize(rgb, None, fx=width / 88, fy=width / 88, interpolation=cv2.INTER_AREA)
    faces = shared_detector().detect(small, 1.0, 0.3)
    return small, max(faces, key=lambda f: f.box[2] - f.box[0])


def _cases():  # type: ignore[no-untyped-def]
    rgb, face = _astronaut()
    blurred = cv2.GaussianBlur(rgb, (0, 0), 3)
    shifted = np.zeros_like(rgb)
    shifted[:, :rgb.shape[1] - 215] = rgb[:, 215:]  # the face's left half leaves the frame
    moved = dataclasses.replace(face, box=(face.box[0] - 215, face.box[1], face.box[2] - 215,
                                           face.box[3]),
                                landmarks=tuple((x - 215, y) for x, y in face.landmarks or ()))
    mirrored_marks = face.landmarks or ()
    profile = dataclasses.replace(face, landmarks=(mirrored_marks[1], mirrored_marks[0],
                                                   *mirrored_marks[2:]))
    small, tiny = _shrunk(rgb, 30)
    return [
        ("a clear face", rgb, face, None),
        ("a 30-pixel face", small, tiny, "too small"),
        ("a blurred face", blurred, face, "too blurred"),
        ("a face half out of the frame", shifted, moved, "cut by the frame"),
        ("eyes swapped: no frontal face", rgb, profile, "profile"),
        ("no landmarks", rgb, dataclasses.replace(face, landmarks=None), "no landmarks"),
    ]


@pytest.mark.parametrize("index", range(6))
def test_embedded_or_skipped_with_reason(index: int) -> None:
    label, rgb, face, reason = _cases()[index]
    (result,) = embed_faces(rgb, 1.0, [face])
    if reason is None:
        assert isinstance(result, Embedding), label
        assert result.vector.shape == (128,)
    else:
        assert isinstance(result, Skipped), label
        assert reason in result.reason, (label, result.reason)


def test_one_result_per_face_in_order() -> None:
    rgb, face = _astronaut()
    bare = dataclasses.replace(face, landmarks=None)
    results = embed_faces(rgb, 1.0, [bare, face, bare])
    assert [type(r).__name__ for r in results] == ["Skipped", "Embedding", "Skipped"]


def test_the_vector_never_shows() -> None:
    rgb, face = _astronaut()
    (result,) = embed_faces(rgb, 1.0, [face])
    assert isinstance(result, Embedding)
    assert "withheld" in repr(result) and str(result.vector[0])[:6] not in repr(result)
    assert not hasattr(result, "to_dict")


def test_scale_maps_boxes_back() -> None:
    # the same face embedded from a half-size view lands close to the full view's
    rgb, face = _astronaut()
    half = cv2.resize(rgb, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    full, small = embed_faces(rgb, 1.0, [face])[0], embed_faces(half, 0.5, [face])[0]
    assert isinstance(full, Embedding) and isinstance(small, Embedding)
    assert np.linalg.norm(full.vector - small.vector) < 0.3
