"""Perceptual hashes of one picture: whole-image PDQ, anchored windows, face regions.

Whole-image PDQ (``pdqhash``, Meta's reference C++ code) survives re-encoding,
resizing, brightness and — through its eight dihedral variants, computed from
one DCT at query time — rotations by 90° and mirroring. It does not survive
crops (4 % off each side moves it by ~72 bits) or caption bands. So every
picture also gets **anchored windows**: the strongest corner points of the
picture (Shi–Tomasi, refined to sub-pixel, on a grey copy 512 pixels on its
longer side) are paired, and for each pair far enough apart the square
centred between the two points, as wide as they are apart, is hashed with
PDQ. A window moves and scales with the content, not with the frame, so a
crop or a caption band leaves every window whose two corners survive
unchanged (measured: 0–8 bits). Windows of flat content (PDQ quality under
50) are dropped.

A picture that looks like a document (most pixels on one flat shade: ID cards,
screenshots) gets a third kind: PDQ of each detected face region, the second
signal a document match needs (cards of one template hash alike).

>>> from PIL import Image
>>> hashed = hash_image(Image.new("RGB", (64, 48), (236, 240, 246)))  # a blank card
>>> hashed.whole.weak, len(hashed.hashes), hashed.document
(True, 1, True)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import pdqhash
from PIL import Image, ImageOps

from ..read.images import open_image
from ..vision.faces import DEFAULT_MAX_SIDE, Face, shared_detector
from ..vision.ocr_policy import FLAT_DOCUMENT, SMALL_FACE
from .signals import PDQ, PDQ_FACE, PDQ_WINDOW, QUALITY_THRESHOLD

#: Longer side of the grey copy the corners and windows are taken from.
WINDOW_SIDE = 512
#: Corner points kept (strongest first) and the closest two may be (share of the side).
CORNERS = 16
CORNER_SPACING = 0.05
#: A pair of corners anchors a window when at least this far apart (share of the side).
MIN_PAIR = 0.3
MAX_WINDOWS = 48
#: Face regions: faces at least this share of the longer side, grown by this share.
MIN_FACE = 0.04
FACE_MARGIN = 0.3
MAX_FACES = 4
_ORIENTATION = 0x0112  # the EXIF tag
#: A flat background this light or lighter (grey level) is a document's (paper, a card,
#: a light screen); set after the first held-out run, where a night sky, the Moon, cells
#: and a brick wall counted as documents (see bench/README.md).
LIGHT_SHADE = 128


@dataclass(frozen=True, slots=True)
class ImageHash:
    """One PDQ hash of a picture: which part (``kind``), the 32 bytes, PDQ's quality."""

    kind: str
    hash: bytes
    quality: int | None  # None: not known (hashes imported from other tools)
    #: A video frame's hash (``vpdq``): the frame's number and time in seconds.
    frame: int | None = None
    time: float | None = None

    @property
    def hex(self) -> str:
        return self.hash.hex()

    @property
    def weak(self) -> bool:
        """Under PDQ's quality threshold: hashed, but not to be matched on alone."""
        return self.quality is not None and self.quality < QUALITY_THRESHOLD


@dataclass(frozen=True, slots=True)
class HashedImage:
    """Every hash of one picture; ``document``: it looks like a card or a screenshot."""

    hashes: tuple[ImageHash, ...]
    document: bool

    @property
    def whole(self) -> ImageHash:
        return self.hashes[0]

    def of_kind(self, kind: str) -> list[ImageHash]:
        return [h for h in self.hashes if h.kind == kind]


def _bits_to_bytes(vector: np.ndarray) -> bytes:
    return np.packbits(vector.astype(np.uint8)).tobytes()


def pdq(rgb: np.ndarray) -> tuple[bytes, int]:
    """PDQ hash (32 bytes) and quality of an RGB (or grey) uint8 array."""
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[:, :, None], 3, axis=2)
    vector, quality = pdqhash.compute(np.ascontiguousarray(rgb))
    return _bits_to_bytes(vector), int(quality)


def pdq_dihedral(rgb: np.ndarray) -> tuple[list[bytes], int]:
    """The eight dihedral variants of an image's PDQ hash, from one DCT (original first),
    and its quality."""
    vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(rgb))
    return [_bits_to_bytes(v) for v in vectors], int(quality)


def _grey(rgb: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    factor = WINDOW_SIDE / max(grey.shape)
    size = (max(1, round(grey.shape[1] * factor)), max(1, round(grey.shape[0] * factor)))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA if factor < 1 else
                      cv2.INTER_LINEAR)


def windows(rgb: np.ndarray) -> Iterator[np.ndarray]:
    """The 64×64 grey squares anchored on pairs of the picture's strongest corners."""
    grey = _grey(rgb)
    height, width = grey.shape
    found = cv2.goodFeaturesToTrack(grey, CORNERS, 0.01, CORNER_SPACING * WINDOW_SIDE,
                                    blockSize=7)
    if found is None or len(found) < 2:
        return
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.01)
    points = cv2.cornerSubPix(grey, found.astype(np.float32), (5, 5), (-1, -1),
                              criteria).reshape(-1, 2)
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            apart = float(np.linalg.norm(points[i] - points[j]))
            if apart < MIN_PAIR * WINDOW_SIDE:
                continue
            cx, cy = (points[i] + points[j]) / 2
            half = apart / 2
            if cx - half < 0 or cy - half < 0 or cx + half > width or cy + half > height:
                continue
            side = int(round(apart))
            window = cv2.getRectSubPix(grey, (side, side), (float(cx), float(cy)))
            yield cv2.resize(window, (64, 64), interpolation=cv2.INTER_AREA)


def window_hashes(rgb: np.ndarray, mirrored: bool = False) -> list[ImageHash]:
    """PDQ of the anchored windows (:func:`windows`) that are not flat, at most
    ``MAX_WINDOWS``; with ``mirrored``, each followed by the PDQ of its mirror image (what
    a mirrored copy of the picture shows there)."""
    out: list[ImageHash] = []
    seen: set[bytes] = set()
    for window in windows(rgb):
        code, quality = pdq(window)
        if quality < QUALITY_THRESHOLD or code in seen:
            continue
        seen.add(code)
        out.append(ImageHash(PDQ_WINDOW.name, code, quality))
        if mirrored:
            out.append(ImageHash(PDQ_WINDOW.name, *pdq(np.ascontiguousarray(window[:, ::-1]))))
        if len(seen) >= MAX_WINDOWS:
            break
    return out


def face_regions(rgb: np.ndarray, faces: Sequence[Face]) -> list[np.ndarray]:
    """Each large enough face region (grown by a margin, kept inside the picture)."""
    height, width = rgb.shape[:2]
    longer = max(height, width)
    out = []
    for face in sorted(faces, key=lambda f: -(f.box[2] - f.box[0]))[:MAX_FACES]:
        x0, y0, x1, y1 = face.box
        if max(x1 - x0, y1 - y0) < MIN_FACE * longer:
            continue
        grow_x, grow_y = FACE_MARGIN * (x1 - x0), FACE_MARGIN * (y1 - y0)
        box = (max(0, round(x0 - grow_x)), max(0, round(y0 - grow_y)),
               min(width, round(x1 + grow_x)), min(height, round(y1 + grow_y)))
        if box[2] - box[0] >= 16 and box[3] - box[1] >= 16:
            out.append(np.ascontiguousarray(rgb[box[1]:box[3], box[0]:box[2]]))
    return out


def face_hashes(rgb: np.ndarray, faces: Sequence[Face]) -> list[ImageHash]:
    """Anchored windows inside each face region (:func:`face_regions`).

    Windows, not the region's own PDQ: a face box moves by a few per cent between two
    copies of a picture, which moves a region's PDQ by 40–120 bits (measured on the
    shared photos); windows anchored on the face's own corners do not move with it.
    """
    return [ImageHash(PDQ_FACE.name, item.hash, item.quality)
            for region in face_regions(rgb, faces) for item in window_hashes(region)]


def flat_background(rgb: np.ndarray) -> tuple[float, int]:
    """Share of pixels within ±8 grey levels of the most common shade, and that shade.

    The OCR gate's flatness (:func:`~notforsale.vision.ocr_policy.flatness`, on 320
    pixels), with the shade too: cards, scans and screenshots lie on a light one; a night
    sky or a micrograph on a dark one.
    """
    height, width = rgb.shape[:2]
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    grey = cv2.resize(grey, (320, max(1, round(320 * height / width))),
                      interpolation=cv2.INTER_NEAREST)
    histogram = np.bincount(grey.ravel(), minlength=256)
    shade = int(histogram.argmax())
    return float(histogram[max(0, shade - 8):shade + 9].sum() / histogram.sum()), shade


def document_faces(rgb: np.ndarray, faces: Sequence[Face] | None) -> tuple[bool, list[Face]]:
    """Whether the picture looks like a document, and its faces when it does.

    The OCR gate's rule — most pixels on one flat shade, and no face or only a small one
    (a portrait on a white background is not a document) — with a light shade
    (``LIGHT_SHADE``). Faces are detected here only for such pictures, when not given.
    """
    share, shade = flat_background(rgb)
    if share < FLAT_DOCUMENT or shade < LIGHT_SHADE:
        return False, []
    found = list(detect_faces(rgb) if faces is None else faces)
    area = max(rgb.shape[0] * rgb.shape[1], 1)
    largest = max(((f.box[2] - f.box[0]) * (f.box[3] - f.box[1]) / area for f in found),
                  default=0.0)
    return largest < SMALL_FACE, found


def as_rgb(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, Image.Image):
        return np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    if image.ndim == 2:
        return np.repeat(image[:, :, None], 3, axis=2)
    return image[:, :, :3]


def hash_image(image: Image.Image | np.ndarray, faces: Sequence[Face] | None = None,
               *, stored: Image.Image | np.ndarray | None = None) -> HashedImage:
    """Every hash of one picture.

    ``faces`` are the picture's detected faces (boxes in its pixels), as the scan already
    has them; they are used only when the picture is flat like a document, and detected
    here when None and needed. ``stored`` is the picture as stored in its file, before EXIF
    orientation, when it differs: its whole-image hash is then bit-identical to HMA's.
    """
    rgb = as_rgb(image)
    whole, quality = pdq(as_rgb(stored) if stored is not None else rgb)
    hashes = [ImageHash(PDQ.name, whole, quality)]
    if min(rgb.shape[:2]) >= 32:
        hashes.extend(window_hashes(rgb))
    document, found = document_faces(rgb, faces)
    if document:
        hashes.extend(face_hashes(rgb, found))
    return HashedImage(tuple(hashes), document)


def image_hashes(image: Image.Image | np.ndarray,
                 faces: Sequence[Face] | None = None) -> list[ImageHash]:
    """The hashes of :func:`hash_image` as a list (the per-image step's call)."""
    return list(hash_image(image, faces).hashes)


def detect_faces(rgb: np.ndarray) -> list[Face]:
    image = Image.fromarray(rgb)
    factor = min(1.0, DEFAULT_MAX_SIDE / max(image.size))
    if factor < 1.0:
        image = image.resize((max(1, round(image.size[0] * factor)),
                              max(1, round(image.size[1] * factor))),
                             Image.Resampling.BILINEAR)
    return shared_detector().detect(np.asarray(image), factor)


def hash_bytes(data: bytes, faces: Sequence[Face] | None = None) -> HashedImage:
    """Hashes of an image file's bytes (first frame; :class:`ImageError` when unreadable).

    Decoded at full size with Pillow, as HMA does, so the whole-image hash is HMA's;
    windows and faces are taken on the picture turned upright by its EXIF orientation —
    the frame the scan's face boxes (``faces``, in original pixels) refer to.
    """
    upright, stored = decode_upright(data)
    return hash_image(upright, faces, stored=stored)


def decode_upright(data: bytes) -> tuple[Image.Image, Image.Image | None]:
    """The first frame at full size, turned upright by its EXIF orientation, and the frame
    as stored when that differs (else None). :class:`ImageError` when unreadable."""
    image, _ = open_image(data)
    stored = image.convert("RGB")
    if image.getexif().get(_ORIENTATION, 1) in (1, None):
        return stored, None
    return ImageOps.exif_transpose(image).convert("RGB"), stored

