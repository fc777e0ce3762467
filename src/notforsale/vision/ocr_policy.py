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
   text in it.

A face pack — portraits where one face fills much of the frame — is therefore
not read, which keeps a 5,000-photo pack at face-detection speed. The gate
misses cards narrower than about a fifth of the photo's longer side.
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

from ..read.images import Decoded
from .faces import Face
from .ocr import shared_gate

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


def flatness(decoded: Decoded) -> float:
    """Share of pixels within ±8 grey levels of the most common shade (on 320 px)."""
    height, width = decoded.rgb.shape[:2]
    grey = Image.fromarray(decoded.rgb).convert("L")
    grey = grey.resize((320, max(1, round(320 * height / width))), Image.Resampling.NEAREST)
    histogram = np.bincount(np.asarray(grey).ravel(), minlength=256)
    mode = int(histogram.argmax())
    return float(histogram[max(0, mode - 8):mode + 9].sum() / histogram.sum())


def decide(mode: str, path: str, decoded: Decoded, faces: list[Face]) -> tuple[bool, str]:
    """Whether to run OCR on an image, and why (for the report)."""
    if mode == "always":
        return True, "--ocr always"
    if mode == "never":
        return False, "--ocr never"
    if mode != "auto":
        raise ValueError(f"unknown OCR mode {mode!r}; choose one of {', '.join(MODES)}")
    hint = _NAME_HINTS.search(path.rsplit("!/", 1)[-1])
    if hint:
        return True, f"name says document ({hint.group()})"
    width, height = decoded.size
    area = max(width * height, 1)
    largest_face = max(((f.box[2] - f.box[0]) * (f.box[3] - f.box[1]) / area for f in faces),
                       default=0.0)
    flat = flatness(decoded)
    if flat >= FLAT_DOCUMENT and (not faces or largest_face < SMALL_FACE):
        return True, f"looks like a document ({flat:.0%} flat background)"
    if largest_face >= SMALL_FACE:
        return False, "portrait (a face fills the frame)"
    lines = shared_gate().long_lines(decoded.rgb)
    if lines:
        return True, f"text detector found {lines} line(s) of text"
    return False, "photo (no text lines)"
