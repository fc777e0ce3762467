"""When to read the text in an image: OCR is the slow part (about a second an image).

``always`` and ``never`` mean what they say. ``auto`` reads an image when

1. its file or folder name says it is a document (身份证, sfz, idcard, 正面, 反面,
   手持, 银行卡, 截图, screenshot, passport, …), or
2. it looks like a document, a card or a screenshot: a large share of its pixels
   sit on one flat background shade (cards, forms, chat and spreadsheet
   screenshots; photos of people and places have none), or
3. no face fills much of the frame (no face, or faces under 12 % of the picture:
   a handheld-ID selfie, a card on a table, a group photo) and PP-OCR's text
   detector, run alone at 480 pixels (:class:`TextGate`, ~50 ms), finds a line of
   text in it. Then only the part of the image around those lines is read (each
   side grown by the longest line's length: a card's other lines and the labels
   beside a number are inside it), which costs a fraction of reading it all.

A video being scanned reads a flat frame (rule 2) only where the gate finds lines: a
fade, a cut or a plain wall behind a small face is not a document.

A face pack — portraits where one face fills much of the frame — is therefore
not read, which keeps a 5,000-photo pack at face-detection speed. The gate
misses cards narrower than about a fifth of the photo's longer side.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
from PIL import Image

from ..read.images import Decoded
from .faces import Face
from .ocr import Box, shared_gate

MODES = ("auto", "always", "never")

_NAME_HINTS = re.compile(
    r"身份证|身份證|证件|證件|正面|反面|背面|手持|银行卡|銀行卡|护照|護照|驾驶证|户口|截图|截屏|扫描|"
    r"sfz|idcard|id[_\- ]?card|id[_\- ]?front|id[_\- ]?back|passport|bank[_\- ]?card|"
    r"screenshot|screen[_\- ]?shot|scan|kyc|selfie[_\- ]?id|handheld",
    re.IGNORECASE,
)

#: Share of pixels on the most common shade (±8 grey levels) that marks a document.
FLAT_DOCUMENT = 0.45
#: A face covering less than this share of the image is "small".
SMALL_FACE = 0.12
#: A text region covering more than this share of the image: read the whole image.
WHOLE_IMAGE = 0.6


class Decision(NamedTuple):
    """Whether to read an image's text, why, and where (None: all of it).

    ``region`` is a box in the original image's pixels; ``lines``, the text lines the gate
    found (when it ran and found some), in the original image's pixels too.
    """

    run: bool
    reason: str
    region: Box | None = None
    lines: tuple[Box, ...] = ()


def flatness(decoded: Decoded) -> float:
    """Share of pixels within ±8 grey levels of the most common shade (on 320 px)."""
    height, width = decoded.rgb.shape[:2]
    grey = Image.fromarray(decoded.rgb).convert("L")
    grey = grey.resize((320, max(1, round(320 * height / width))), Image.Resampling.NEAREST)
    histogram = np.bincount(np.asarray(grey).ravel(), minlength=256)
    mode = int(histogram.argmax())
    return float(histogram[max(0, mode - 8):mode + 9].sum() / histogram.sum())


def text_region(lines: list[Box], decoded: Decoded) -> Box | None:
    """The part of the original image to read around ``lines`` (boxes in ``decoded.rgb``).

    Every side of the lines' bounding box grows by the longest line's length; None when
    that is most of the image anyway.
    """
    height, width = decoded.rgb.shape[:2]
    grow = max(max(b[2] - b[0], b[3] - b[1]) for b in lines)
    x0 = max(0, min(b[0] for b in lines) - grow)
    y0 = max(0, min(b[1] for b in lines) - grow)
    x1 = min(width, max(b[2] for b in lines) + grow)
    y1 = min(height, max(b[3] for b in lines) + grow)
    if (x1 - x0) * (y1 - y0) > WHOLE_IMAGE * width * height:
        return None
    scale = decoded.scale
    return (int(x0 / scale), int(y0 / scale), min(decoded.size[0], int(np.ceil(x1 / scale))),
            min(decoded.size[1], int(np.ceil(y1 / scale))))


def decide(mode: str, path: str, decoded: Decoded, faces: list[Face],
           gate_flat: bool = False) -> Decision:
    """Whether to run OCR on an image, why (for the report) and on which part of it.

    ``gate_flat`` (a video's frames): a flat frame is read only where the text gate finds
    lines, as a photo is — a fade, a cut or a plain wall is not a document."""
    if mode == "always":
        return Decision(True, "--ocr always")
    if mode == "never":
        return Decision(False, "--ocr never")
    if mode != "auto":
        raise ValueError(f"unknown OCR mode {mode!r}; choose one of {', '.join(MODES)}")
    hint = _NAME_HINTS.search(path.rsplit("!/", 1)[-1])
    if hint:
        return Decision(True, f"name says document ({hint.group()})")
    width, height = decoded.size
    area = max(width * height, 1)
    largest_face = max(((f.box[2] - f.box[0]) * (f.box[3] - f.box[1]) / area for f in faces),
                       default=0.0)
    flat = flatness(decoded)
    document = flat >= FLAT_DOCUMENT and (not faces or largest_face < SMALL_FACE)
    if document and not gate_flat:
        return Decision(True, f"looks like a document ({flat:.0%} flat background)")
    if largest_face >= SMALL_FACE:
        return Decision(False, "portrait (a face fills the frame)")
    lines = shared_gate().lines(decoded.rgb)
    if lines:
        scale = decoded.scale
        return Decision(True, f"text detector found {len(lines)} line(s) of text",
                        text_region(lines, decoded),
                        tuple((round(b[0] / scale), round(b[1] / scale), round(b[2] / scale),
                               round(b[3] / scale)) for b in lines))
    if document:
        return Decision(False, f"flat frame ({flat:.0%}), no text lines")
    return Decision(False, "photo (no text lines)")
