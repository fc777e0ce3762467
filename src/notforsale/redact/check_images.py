"""The verification of one redacted image, reusing what its redaction learnt.

:func:`check_image` reads the copy's bytes (as written to disk) and, when they are the
bytes the redaction wrote (same SHA-256 as its :class:`~redact.evidence.ImageEvidence`):

- **faces** are detected on the copy as the scanner does (its decoder, 640 pixels, its
  threshold), and in a crowd again in the band the redaction searched at 1280 pixels; a
  face counts unless it lies on a region the redaction covered *and* that region shows
  no fine detail on this copy (a blurred head CenterFace still sees; :func:`smooth`);
- **text** is read where the copy can hold text the redaction did not already rule out:
  the region OCR read, again, when it filled numbers there (to see them gone); every
  region the redaction painted, through the text gate and then OCR where the gate finds
  a line; and, when the redaction did not look at text at all (``--ocr never``), the
  whole copy as the default policy reads it (with the faces the redaction covered, so a
  portrait is a portrait). Where the gate found no line in the original, or the policy
  read none because a face fills the frame (as any scan with ``--ocr auto`` does), the
  rest of the copy — the original's pixels, re-encoded — is not read again;
- **metadata**: EXIF findings and numbers in metadata text, as in a scan.

Bytes that differ from what was written are checked as a scan checks any image (the
default policy, OCR where it says). The result lists what was looked at, for tests and
the debug log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from ..model import FACE, Explanation, Finding, LocatedFinding, Location
from ..read.exif import exif_findings
from ..read.images import Decoded, decode
from ..text.engine import scan_text
from ..vision import ocr_policy
from ..vision.analyze import TextHit, ocr_side, read_text_hits
from ..vision.faces import DEFAULT_MAX_SIDE, DEFAULT_THRESHOLD, Face, shared_detector
from ..vision.ocr import Box, shared_gate
from .evidence import NOT_LOOKED, PORTRAIT, READ, ImageEvidence, digest
from .images import HIGH_RES_SIDE, band_faces, smooth

log = logging.getLogger(__name__)

#: Pixels (as the gate sees the picture, 480 on the longer side) of context around a
#: painted region, so the gate reads it as it would in the whole picture.
GATE_MARGIN = 32
#: Painted regions looked at one by one up to this many; more (a crowd) as one box.
MAX_CROPS = 4
#: When the painted regions with their context cover more than this share of the
#: picture (a portrait), the gate reads all of it: the same pixels, and no cut edges.
WHOLE = 0.4


@dataclass
class ImageCheck:
    """What the check of one copy found and what it looked at."""

    findings: list[LocatedFinding] = field(default_factory=list)
    #: Faces seen on covered regions that show no detail (blurred heads): not left over.
    seen_again: int = 0
    #: Whether the redaction's evidence applied (the bytes are the ones it wrote).
    reused: bool = False
    looked: list[str] = field(default_factory=list)


def check_image(path: str, data: bytes, evidence: ImageEvidence | None) -> ImageCheck:
    """Check one redacted image (``path`` as shown) for faces, numbers and metadata left.

    Raises :class:`read.images.ImageError` when the bytes cannot be decoded.
    """
    check = ImageCheck()
    if evidence is not None and digest(data) != evidence.digest:
        check.looked.append("bytes differ from those written: checked as any image")
        evidence = None
    check.reused = evidence is not None
    small = decode(data, DEFAULT_MAX_SIDE)
    faces = _faces(small, data, evidence, check)
    hits = _text(path, data, small, evidence, check)
    for face in faces:
        check.findings.append(LocatedFinding(Location(path, box=face.box), Finding(
            FACE, 0, 0, face.score, "face", "", "centerface",
            Explanation("CenterFace detection", (f"score {face.score:.2f}",
                                                 "on the copy, with detail")))))
    check.findings.extend(LocatedFinding(Location(path, box=hit.box), hit.finding)
                          for hit in hits)
    check.findings.extend(LocatedFinding(Location(path, field="EXIF"), finding)
                          for finding in exif_findings(small.exif))
    check.findings.extend(LocatedFinding(Location(path, field=where), finding)
                          for where, text in small.texts.items() for finding in scan_text(text))
    return check


def _faces(small: Decoded, data: bytes, evidence: ImageEvidence | None,
           check: ImageCheck) -> list[Face]:
    """Faces on the copy with detail (blurred heads on covered regions counted apart)."""
    detector = shared_detector()
    found = detector.detect(small.rgb, small.scale, DEFAULT_THRESHOLD)
    check.looked.append("faces at 640")
    if evidence is None:
        return found
    if evidence.band is not None:
        large = decode(data, HIGH_RES_SIDE)
        check.looked.append("faces at 1280 in the crowd's band")
        for face in band_faces(large, evidence.band, DEFAULT_THRESHOLD):
            if all(_iou(face.box, other.box) < 0.3 for other in found):
                found.append(face)
    # Covered regions measured on this copy's pixels: the redaction's word is not taken.
    hidden = tuple(box for box in evidence.faces if smooth(small, box))
    from .tree import _on_hidden

    kept = [face for face in found if not _on_hidden(face.box, hidden)]
    check.seen_again += len(found) - len(kept)
    return kept


def _text(path: str, data: bytes, small: Decoded, evidence: ImageEvidence | None,
          check: ImageCheck) -> list[TextHit]:
    """Numbers in the copy's text, read where the copy can hold them (module docstring)."""
    if evidence is None or evidence.text == NOT_LOOKED:
        faces = [] if evidence is None else [Face(box, 1.0) for box in evidence.faces]
        decision = ocr_policy.decide("auto", path, small, faces)
        check.looked.append(f"text as a scan reads it ({decision.reason})")
        if not decision.run:
            return []
        check.looked.append("ocr " + ("all" if decision.region is None else "region"))
        return read_text_hits(decode(data, ocr_side(small.size)), decision.region)
    regions: list[Box | None] = []
    if evidence.text == READ and evidence.numbers > 0:
        regions.append(evidence.region)
        check.looked.append("ocr where numbers were filled")
    reread = evidence.text == READ and evidence.numbers > 0
    painted = [box for box in evidence.painted
               if not (reread and _inside(box, evidence.region))]
    if painted:
        lines = _painted_lines(small, tuple(painted))
        check.looked.append(f"text gate on {len(painted)} painted region(s)")
        if lines:
            regions.append(ocr_policy.text_region(lines, small))
            check.looked.append("ocr around lines in painted regions")
    if evidence.text == PORTRAIT:
        check.looked.append("the rest not read: a face fills the frame")
    if not regions:
        return []
    large = decode(data, ocr_side(small.size))
    if None in regions:
        return read_text_hits(large, None)
    hits: list[TextHit] = []
    for region in regions:
        assert region is not None
        for hit in read_text_hits(large, region):
            if all(hit.box != other.box or hit.finding.fingerprint != other.finding.fingerprint
                   for other in hits):
                hits.append(hit)
    return hits


def _painted_lines(small: Decoded, painted: tuple[Box, ...]) -> list[Box]:
    """Text lines (boxes in ``small``'s pixels) the gate sees on the painted regions.

    The gate sees the picture as it would see the whole copy (shrunk the same way, to
    multiples of 32 pixels), cut to the painted regions with ``GATE_MARGIN`` of context
    on the gate's 32-pixel grid, or all of it when they cover much of it; only lines that
    touch a painted region count (the rest are the original's, which the redaction's own
    gate or policy has already judged). A cut can make the gate see a line the whole
    picture would not show: that costs an OCR of the region, not a miss.
    """
    if not painted:
        return []
    import cv2

    gate = shared_gate()
    height, width = small.rgb.shape[:2]
    factor = min(1.0, gate.max_side / max(height, width))
    new_h = max(32, round(height * factor / 32) * 32)
    new_w = max(32, round(width * factor / 32) * 32)
    seen = cv2.resize(small.rgb, (new_w, new_h), interpolation=cv2.INTER_AREA)
    sx, sy = new_w / width, new_h / height
    boxes = [(int(x0 * small.scale * sx), int(y0 * small.scale * sy),
              int(np.ceil(x1 * small.scale * sx)), int(np.ceil(y1 * small.scale * sy)))
             for x0, y0, x1, y1 in painted]
    crops = _merged([(max(0, (b[0] - GATE_MARGIN) // 32 * 32),
                      max(0, (b[1] - GATE_MARGIN) // 32 * 32),
                      min(new_w, -(-(b[2] + GATE_MARGIN) // 32) * 32),
                      min(new_h, -(-(b[3] + GATE_MARGIN) // 32) * 32)) for b in boxes])
    if len(crops) > MAX_CROPS:
        crops = [(min(c[0] for c in crops), min(c[1] for c in crops),
                  max(c[2] for c in crops), max(c[3] for c in crops))]
    if sum((c[2] - c[0]) * (c[3] - c[1]) for c in crops) > WHOLE * new_w * new_h:
        crops = [(0, 0, new_w, new_h)]  # the gate on all of it, as a scan would run it
    lines: list[Box] = []
    for x0, y0, x1, y1 in crops:
        for lx0, ly0, lx1, ly1 in gate.lines(np.ascontiguousarray(seen[y0:y1, x0:x1])):
            line = (lx0 + x0, ly0 + y0, lx1 + x0, ly1 + y0)
            if any(line[0] < b[2] and b[0] < line[2] and line[1] < b[3] and b[1] < line[3]
                   for b in boxes):
                lines.append((int(line[0] / sx), int(line[1] / sy),
                              min(width, int(np.ceil(line[2] / sx))),
                              min(height, int(np.ceil(line[3] / sy)))))
    return lines


def _inside(box: Box, region: Box | None) -> bool:
    """Whether ``box`` lies within ``region`` (None: the whole image)."""
    return region is None or (region[0] <= box[0] and region[1] <= box[1]
                              and box[2] <= region[2] and box[3] <= region[3])


def _merged(boxes: list[Box]) -> list[Box]:
    """Overlapping boxes joined into their bounding boxes, until none overlap."""
    out = list(boxes)
    changed = True
    while changed:
        changed = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                a, b = out[i], out[j]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    out[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]),
                              max(a[3], b[3]))
                    del out[j]
                    changed = True
                    break
            if changed:
                break
    return out


def _iou(a: Box, b: Box) -> float:
    width = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
