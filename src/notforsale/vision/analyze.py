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
from . import flat, ocr_policy
from .faces import DEFAULT_MAX_SIDE, DEFAULT_THRESHOLD, Face, shared_detector
from .ocr import Box, OcrLine, shared_reader

log = logging.getLogger(__name__)

#: Longer side of the image OCR reads (ID cards and screenshots need the detail).
OCR_MAX_SIDE = 1280
#: An image longer than this many times its width (or wider than its height: a scrolling
#: screenshot, a chat export) is read at OCR_MAX_SIDE on its short side, in strips, up to
#: OCR_MAX_PIXELS: shrunk to 1280 on its long side, a 1080×12000 screenshot's 36-pixel
#: text was 4 pixels high and never read (the eleventh hostile set's e37).
ELONGATED = 2.0
OCR_MAX_PIXELS = 12_000_000
#: Overlap of two strips, in the view's pixels (a line cut by one is whole in the next).
_STRIP_OVERLAP = 160


def ocr_side(size: tuple[int, int]) -> int:
    """The long side of the view OCR reads of an image of ``size`` (width, height).

    >>> ocr_side((4000, 3000)), ocr_side((1080, 12000)), ocr_side((600, 3000))
    (1280, 11547, 3000)
    """
    import math

    long, short = max(size), min(size)
    if short <= 0 or long / short <= ELONGATED:
        return OCR_MAX_SIDE
    scale = min(1.0, OCR_MAX_SIDE / short, math.sqrt(OCR_MAX_PIXELS / (size[0] * size[1])))
    return max(OCR_MAX_SIDE, round(long * scale))


def _strips(rgb: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """An elongated view cut along its length into pieces about 1.5 times as long as it
    is wide, overlapping: (offset along x, offset along y, piece); a view that is not
    elongated whole."""
    height, width = rgb.shape[:2]
    long, short = max(height, width), min(height, width)
    if short <= 0 or long / short <= ELONGATED:
        return [(0, 0, rgb)]
    length = max(short * 3 // 2, 2 * _STRIP_OVERLAP)
    pieces: list[tuple[int, int, np.ndarray]] = []
    start = 0
    while True:
        end = min(long, start + length)
        if height >= width:
            pieces.append((0, start, rgb[start:end]))
        else:
            pieces.append((start, 0, rgb[:, start:end]))
        if end >= long:
            return pieces
        start = end - _STRIP_OVERLAP


def _read_lines(rgb: np.ndarray) -> list[OcrLine]:
    """Lines of an image as the OCR reads them, an elongated one strip by strip (a line
    read in two strips, both times, is kept once: where it was read whole)."""
    if flat(rgb):
        return []
    strips = _strips(rgb)
    if len(strips) == 1:
        return shared_reader().read(rgb)
    lines: list[OcrLine] = []
    along = 1 if rgb.shape[0] >= rgb.shape[1] else 0
    for index, (dx, dy, piece) in enumerate(strips):
        size = piece.shape[1 - along]  # the piece's length (rows, or columns)
        low = 0 if index == 0 else _STRIP_OVERLAP // 2
        high = size if index == len(strips) - 1 else size - _STRIP_OVERLAP // 2
        for line in shared_reader().read(piece):
            middle = (line.box[along] + line.box[along + 2]) / 2
            if not low <= middle < high:
                continue  # the strip beside reads it
            lines.append(OcrLine(line.text, line.score, _moved(line.box, dx, dy),
                                 tuple(_moved(box, dx, dy) for box in line.chars)))
    return lines


def _moved(box: Box, dx: int, dy: int) -> Box:
    return box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy
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
    hits = read_text_hits(decode(data, ocr_side(small.size)), decision.region) \
        if decision.run else []
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
    lines = _read_lines(rgb) if rgb.size else []
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
