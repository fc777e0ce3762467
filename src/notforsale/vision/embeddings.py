"""Face embeddings: a 128-d descriptor per detected face, or the reason it was skipped.

>>> from notforsale.vision.embeddings import embed_faces          # doctest: +SKIP
>>> results = embed_faces(decoded.rgb, decoded.scale, faces)     # doctest: +SKIP
>>> [r.reason for r in results if isinstance(r, Skipped)]        # doctest: +SKIP
['face too small to embed (21 px wide, needs 40)']

Each face is aligned on CenterFace's five landmarks (:mod:`.align`) and run
through dlib's face-recognition ResNet (:mod:`.face_net`). A face is skipped,
with its reason, rather than guessed at, when it is too small in the image
given, too blurred, mostly outside the frame, or its landmarks cannot be those
of a frontal-enough face.

An embedding is biometric data. :class:`Embedding` keeps its vector out of
``repr`` and has no ``to_dict``: nothing that serializes results can write it by
accident. Only :mod:`notforsale.link.gallery` stores vectors, encrypted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from .align import CHIP_SIZE, chip_transform, extract_chip
from .face_net import shared_face_net
from .faces import Face

#: Narrowest face (box width, in pixels of the image given) that is embedded. Shrunk to
#: 40 px, three faces' descriptors moved 0.23–0.27 from their full-size ones (at 32 px
#: 0.30–0.37, at 20 px 0.45–0.55): below this a face drifts by half the person threshold.
MIN_FACE_PIXELS = 40
#: Least sharpness of the chip (variance of its Laplacian, grey levels², over the inner
#: face). Blurred until it fell below 20, the same faces' descriptors moved 0.31–0.37.
MIN_SHARPNESS = 20.0
#: Most of the chip that may lie outside the image (black) before the face is skipped.
MAX_OUTSIDE = 0.25
#: Chips per network call: bounds the memory of one call.
BATCH = 32


@dataclass(frozen=True, slots=True, repr=False)
class Embedding:
    """A face and its descriptor (biometric data: never shown, logged or stored in clear)."""

    face: Face
    vector: np.ndarray = field(compare=False)

    def __repr__(self) -> str:
        return f"Embedding(box={self.face.box}, vector=<withheld>)"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A face that was not embedded, and why."""

    face: Face
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"box": list(self.face.box), "reason": self.reason}


def decode_side(size: tuple[int, int], faces: Sequence[Face], target: int = 120) -> int:
    """The longer side to decode an image at so its smallest face is ``target`` pixels
    wide (never more than the original): the image to hand :func:`embed_faces`.

    >>> decode_side((4000, 3000), [Face((0, 0, 400, 500), 0.9)])
    1200
    >>> decode_side((800, 600), [Face((0, 0, 40, 50), 0.9)])
    800
    """
    longer = max(size)
    widths = [face.box[2] - face.box[0] for face in faces if face.box[2] > face.box[0]]
    if not widths:
        return longer
    return min(longer, int(np.ceil(longer * target / min(widths))))


def sharpness(chip: np.ndarray) -> float:
    """Variance of the Laplacian over the chip's inner face (eyes to mouth)."""
    grey = cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY)
    inner = grey[35:115, 35:115]
    return float(cv2.Laplacian(inner, cv2.CV_64F).var())


def _plausible(points: np.ndarray) -> bool:
    """Eyes left of each other above the nose and mouth: a face seen from the front
    or three-quarters, not a profile or a false detection's scattered points."""
    left_eye, right_eye, nose, mouth_left, mouth_right = points
    eye_gap = right_eye[0] - left_eye[0]
    if eye_gap <= 0 or mouth_right[0] <= mouth_left[0]:
        return False
    eye_line = (left_eye[1] + right_eye[1]) / 2
    mouth_line = (mouth_left[1] + mouth_right[1]) / 2
    return bool(eye_line < nose[1] < mouth_line + 0.25 * eye_gap
                and (mouth_line - eye_line) > 0.4 * eye_gap)


def embed_faces(rgb: np.ndarray, scale: float, faces: Sequence[Face]
                ) -> list[Embedding | Skipped]:
    """One result per face, in order: an :class:`Embedding` or a :class:`Skipped`.

    ``rgb`` is the image (uint8 RGB) at ``scale`` of the original's pixels, in which
    ``faces`` (boxes and landmarks in the original's pixels) were found; give the
    largest view you have (see :func:`decode_side`).
    """
    results: list[Embedding | Skipped | None] = []
    chips: list[np.ndarray] = []
    waiting: list[int] = []
    height, width = rgb.shape[:2]
    for face in faces:
        face_width = (face.box[2] - face.box[0]) * scale
        if face.landmarks is None or len(face.landmarks) != 5:
            results.append(Skipped(face, "no landmarks for this face"))
            continue
        if face_width < MIN_FACE_PIXELS:
            results.append(Skipped(face, f"face too small to embed ({face_width:.0f} px wide, "
                                         f"needs {MIN_FACE_PIXELS})"))
            continue
        points = np.asarray(face.landmarks, np.float64) * scale
        if not np.isfinite(points).all() or not _plausible(points):
            results.append(Skipped(face, "landmarks of a profile or not a face: not embedded"))
            continue
        matrix = chip_transform(points)
        chip = extract_chip(rgb, matrix)
        inside = cv2.warpAffine(np.full((height, width), 255, np.uint8), matrix,
                                (CHIP_SIZE, CHIP_SIZE), flags=cv2.INTER_NEAREST)
        outside = 1 - float(np.count_nonzero(inside)) / inside.size
        if outside > MAX_OUTSIDE:
            results.append(Skipped(face, f"face cut by the frame ({outside:.0%} of it outside)"))
            continue
        sharp = sharpness(chip)
        if sharp < MIN_SHARPNESS:
            results.append(Skipped(face, f"face too blurred to embed (sharpness {sharp:.0f}, "
                                         f"needs {MIN_SHARPNESS:.0f})"))
            continue
        results.append(None)
        chips.append(chip)
        waiting.append(len(results) - 1)
    net = shared_face_net() if chips else None
    for start in range(0, len(chips), BATCH):
        assert net is not None
        vectors = net.descriptors(np.stack(chips[start:start + BATCH]))
        for index, vector in zip(waiting[start:start + BATCH], vectors, strict=True):
            results[index] = Embedding(faces[index], vector)
    return [result for result in results if result is not None]


def embed_image(data: bytes, faces: Sequence[Face] | None = None,
                threshold: float | None = None) -> list[Embedding | Skipped]:
    """Faces of an encoded image, embedded: detected at the scan's 640 pixels unless
    ``faces`` are given, then embedded on a view decoded for them (ImageError when the
    bytes are not an image)."""
    from ..read.images import decode
    from .faces import DEFAULT_MAX_SIDE, DEFAULT_THRESHOLD, shared_detector

    small = decode(data, DEFAULT_MAX_SIDE)
    if faces is None:
        faces = shared_detector().detect(small.rgb, small.scale,
                                         DEFAULT_THRESHOLD if threshold is None else threshold)
    if not faces:
        return []
    side = decode_side(small.size, faces)
    view = small if side <= max(small.rgb.shape[:2]) else decode(data, side)
    return embed_faces(view.rgb, view.scale, faces)
