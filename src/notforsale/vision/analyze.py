"""Everything one image tells: faces, text (OCR), identifying EXIF, a blurred thumbnail."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ..model import Finding
from ..read.exif import exif_findings
from ..read.images import Decoded, decode
from ..text.engine import scan_text
from . import ocr_policy
from .faces import DEFAULT_MAX_SIDE, DEFAULT_THRESHOLD, Face, shared_detector
from .ocr import Box, OcrLine, shared_reader

log = logging.getLogger(__name__)

#: Longer side of the image OCR reads (ID cards and screenshots need the detail).
OCR_MAX_SIDE = 1280
THUMBNAIL_SIDE = 160


@dataclass(frozen=True, slots=True)
class TextHit:
    """A finding in an image's text, with its box in the original image."""

    finding: Finding
    box: Box


@dataclass(frozen=True, slots=True)
class ImageReport:
    path: str
    size: tuple[int, int]
    faces: list[Face] = field(default_factory=list)
    text_hits: list[TextHit] = field(default_factory=list)
    exif: list[Finding] = field(default_factory=list)
    ocr_ran: bool = False
    ocr_reason: str = ""
    thumbnail: bytes | None = None
    #: Identity numbers in the image's metadata text, by where (``EXIF UserComment``, …).
    metadata: list[tuple[str, Finding]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImageOptions:
    faces: bool = True
    ocr: str = "auto"  # auto | always | never
    face_threshold: float = DEFAULT_THRESHOLD
    thumbnails: bool = False


def analyze(path: str, data: bytes, options: ImageOptions) -> ImageReport:
    """Faces, text and EXIF of one image (raises ImageError when it cannot be decoded)."""
    small = decode(data, DEFAULT_MAX_SIDE)
    faces = shared_detector().detect(small.rgb, small.scale, options.face_threshold) \
        if options.faces else []
    decision = ocr_policy.decide(options.ocr, path, small, faces)
    hits = read_text_hits(decode(data, OCR_MAX_SIDE), decision.region) if decision.run else []
    thumbnail = blurred_thumbnail(small, faces) if options.thumbnails else None
    metadata = [(where, finding) for where, text in small.texts.items()
                for finding in scan_text(text)]
    return ImageReport(path, small.size, faces, hits, exif_findings(small.exif), decision.run,
                       decision.reason, thumbnail, metadata)


def read_text_hits(decoded: Decoded, region: Box | None = None) -> list[TextHit]:
    """Identity numbers in an image's text, with their boxes in the original's pixels.

    ``region`` (a box in the original's pixels) limits the reading to that part.
    """
    rgb, left, top = decoded.rgb, 0, 0
    if region is not None:
        height, width = rgb.shape[:2]
        # The text detector works on multiples of 32 pixels and stretches anything else,
        # which can blur thin print away: cut the part to a multiple of 32.
        left, right = _snapped(region[0] * decoded.scale, region[2] * decoded.scale, width)
        top, bottom = _snapped(region[1] * decoded.scale, region[3] * decoded.scale, height)
        rgb = decoded.rgb[top:bottom, left:right]
    lines = shared_reader().read(rgb) if rgb.size else []
    hits = []
    for index, line in enumerate(lines):
        hint = " ".join(_neighbour_texts(lines, index))
        for finding in scan_text(line.text, context_hint=hint):
            x0, y0, x1, y1 = line.span_box(finding.start, finding.end)
            hits.append(TextHit(finding, (
                round((x0 + left) / decoded.scale), round((y0 + top) / decoded.scale),
                round((x1 + left) / decoded.scale), round((y1 + top) / decoded.scale))))
    return hits


def _snapped(start: float, end: float, limit: int) -> tuple[int, int]:
    """``start:end`` grown to a multiple of 32 pixels, kept within ``0:limit``.

    >>> _snapped(10.5, 50, 640)
    (10, 74)
    >>> _snapped(745, 1280, 1280)
    (736, 1280)
    """
    size = min(limit, -(-max(1, int(np.ceil(end)) - int(start)) // 32) * 32)
    first = min(max(0, int(start)), limit - size)
    return first, first + size


def _neighbour_texts(lines: list[OcrLine], index: int) -> list[str]:
    """Labels printed beside a number: the lines just before and after it."""
    return [lines[i].text for i in (index - 2, index - 1, index + 1) if 0 <= i < len(lines)]


def blurred_thumbnail(decoded: Decoded, faces: list[Face]) -> bytes:
    """A small JPEG, blurred all over and with every face filled: safe to show anyone."""
    image = Image.fromarray(decoded.rgb)
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    factor = image.size[0] / decoded.size[0]
    draw = ImageDraw.Draw(image)
    for face in faces:  # fill first, so the blur softens the fill's edge too
        x0, y0, x1, y1 = (round(v * factor) for v in face.box)
        pad = max(2, (x1 - x0) // 5)
        draw.ellipse((x0 - pad, y0 - pad, x1 + pad, y1 + pad), fill=(128, 128, 128))
    image = image.filter(ImageFilter.GaussianBlur(radius=max(3, image.size[0] // 20)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=60)
    return out.getvalue()
