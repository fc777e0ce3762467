"""What the redaction of one image learnt, kept for its verification.

The redaction looks at the original: CenterFace at 640 pixels (and, in a crowd, a band
of the picture at 1280), the OCR policy (the text gate, or OCR on a region), then covers
faces and fills numbers. The copy it writes is the original's pixels except in the
regions it painted. So the verification (:mod:`redact.check_images`) need not repeat
what holds for the copy too: where the gate found no line of text in the original, the
copy has none either — except where the redaction changed pixels. What it may not take
on trust is anything about the copy's own pixels: faces are always detected on the
copy, numbers read again where they were filled, and the painted regions looked at for
text. The evidence is bound to the SHA-256 of the bytes written; a copy whose bytes
differ is checked as any image is.

Nothing here is personal data: boxes, counts, a digest of the redacted copy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..vision.ocr import Box
from ..vision.ocr_policy import Decision

#: What the redaction knows of the original's text.
READ = "read"  # OCR read ``region`` (None: all of it) and filled ``numbers`` numbers
NO_LINES = "no text lines"  # the gate ran on the whole picture and found no line
PORTRAIT = "portrait"  # a face fills the frame: the policy reads no text (nor will a scan)
NOT_LOOKED = "not looked"  # --ocr never, or a decision this module does not know

#: The policy's reasons for not reading, as :func:`vision.ocr_policy.decide` gives them.
_REASONS = {"portrait (a face fills the frame)": PORTRAIT, "photo (no text lines)": NO_LINES}


@dataclass(frozen=True, slots=True)
class ImageEvidence:
    """What the redaction of one image learnt (boxes in the original's pixels)."""

    #: SHA-256 (hex) of the bytes the redaction wrote.
    digest: str
    text: str
    #: Where OCR read (``text == READ``; None: the whole picture).
    region: Box | None = None
    #: Numbers OCR found and filled.
    numbers: int = 0
    #: The faces covered (their boxes as found, before the cover's margin).
    faces: tuple[Box, ...] = ()
    #: Every region whose pixels the redaction changed (covers with their margin, fills).
    painted: tuple[Box, ...] = ()
    #: The rows (original pixels) the crowd's second look read at 1280 pixels, if it ran.
    band: tuple[int, int] | None = None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_state(mode: str, decision: Decision) -> str:
    """What an OCR decision taken on the original tells about its text."""
    if decision.run:
        return READ
    if mode != "auto":
        return NOT_LOOKED
    return _REASONS.get(decision.reason, NOT_LOOKED)
