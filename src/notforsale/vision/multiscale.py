"""Faces at more than one scale: a second look where the first one cannot see.

The scan looks at an image once, shrunk to 640 pixels. That misses faces that
become a few pixels there (a crowd in the background of a large photo) and can
split or miss a face that fills more than the frame. :func:`detect_faces`
adds, only where it pays:

- **tiles**: when the original has at least twice the 640 view's resolution and
  the first look found no face or a small one (under :data:`SMALL_FACE` pixels
  in the 640 view), the image is decoded at up to :data:`TILE_VIEW` pixels and
  looked at in overlapping 640-pixel tiles;
- **a down-scaled look** at 320 pixels, when the first look found no face (a face
  filling more than the frame). On the shared photos it has not yet found a face the
  640 view missed: CenterFace at 640 already finds faces 1,350 px wide and cut by the
  frame (bench/multiscale.py); it costs ~25 ms on images without faces only.

A face found only by a second look must score :data:`EXTRA_THRESHOLD` (above
the first look's 0.4): on the shared photos, this keeps the cat and the coffee
cup at zero faces. Looks are merged by non-maximum suppression, and a box lying
mostly inside a larger face is dropped. A portrait (one face filling much of
the frame: a face pack) costs the first look only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..read.images import decode
from .faces import DEFAULT_MAX_SIDE, DEFAULT_THRESHOLD, Face, FaceDetector, shared_detector

TILE_VIEW = 1920
TILE = 640
OVERLAP = 96
DOWN_VIEW = 320
#: A face narrower than this in the 640 view calls for tiles.
SMALL_FACE = 24
EXTRA_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Detection:
    """Faces (boxes in the original's pixels) and the looks that were taken."""

    faces: list[Face]
    looks: list[str] = field(default_factory=list)


def _shifted(face: Face, dx: float, dy: float) -> Face:
    x0, y0, x1, y1 = face.box
    marks = tuple((x + dx, y + dy) for x, y in face.landmarks) if face.landmarks else None
    return dataclasses.replace(face, box=(round(x0 + dx), round(y0 + dy), round(x1 + dx),
                                          round(y1 + dy)), landmarks=marks)


def _starts(length: int) -> list[int]:
    if length <= TILE:
        return [0]
    step = TILE - OVERLAP
    starts = list(range(0, length - TILE, step))
    return starts + [length - TILE]


def _merge(first: list[Face], extra: list[Face]) -> list[Face]:
    """First-look faces kept; an extra face kept unless it overlaps a kept one."""
    kept = list(first)
    for face in sorted(extra, key=lambda f: -f.score):
        if all(_overlap(face.box, other.box) < 0.3 for other in kept):
            kept.append(face)
    return kept


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over the smaller box's area (so a box inside another counts as 1)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / max(smaller, 1)


def detect_faces(data: bytes, threshold: float = DEFAULT_THRESHOLD,
                 detector: FaceDetector | None = None) -> Detection:
    """Faces of an encoded image at the scales where more can be found (ImageError when
    the bytes are not an image)."""
    net = detector or shared_detector()
    small = decode(data, DEFAULT_MAX_SIDE)
    faces = net.detect(small.rgb, small.scale, threshold)
    looks = ["640"]
    extra: list[Face] = []
    width, height = small.size
    view_widths = [(f.box[2] - f.box[0]) * small.scale for f in faces]
    if max(width, height) >= 2 * DEFAULT_MAX_SIDE and (
            not faces or min(view_widths) < SMALL_FACE):
        view = decode(data, TILE_VIEW)
        rows, cols = view.rgb.shape[:2]
        for top in _starts(rows):
            for left in _starts(cols):
                tile = np.ascontiguousarray(view.rgb[top:top + TILE, left:left + TILE])
                for face in net.detect(tile, view.scale, max(threshold, EXTRA_THRESHOLD)):
                    extra.append(_shifted(face, left / view.scale, top / view.scale))
        looks.append(f"tiles of {TILE} at {max(view.rgb.shape[:2])}")
    if not faces:
        factor = DOWN_VIEW / max(small.rgb.shape[:2])
        down = cv2.resize(small.rgb, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) \
            if factor < 1 else small.rgb
        scale = small.scale * down.shape[1] / small.rgb.shape[1]
        extra.extend(net.detect(down, scale, max(threshold, EXTRA_THRESHOLD)))
        looks.append(str(DOWN_VIEW))
    # the tiles' overlaps see a face twice: merge the extra looks among themselves first
    merged_extra: list[Face] = []
    for face in sorted(extra, key=lambda f: -f.score):
        if all(_overlap(face.box, other.box) < 0.3 for other in merged_extra):
            merged_extra.append(face)
    return Detection(_merge(faces, merged_extra), looks)
