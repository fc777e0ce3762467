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

from ..model import FACE, Explanation, Finding, LocatedFinding, Location
from ..read.exif import exif_findings
from ..read.images import Decoded, decode
from ..text.engine import scan_text
from ..vision import ocr_policy
from ..vision.analyze import OCR_MAX_SIDE, TextHit, read_text_hits
from ..vision.faces import DEFAULT_MAX_SIDE, DEFAULT_THRESHOLD, Face, shared_detector
from ..vision.ocr import Box, shared_gate
from .evidence import NOT_LOOKED, PORTRAIT, READ, ImageEvidence, digest
from .images import HIGH_RES_SIDE, band_faces, smooth

log = logging.getLogger(__name__)

#: Pixels (in the 640-pixel view) a painted region grows by before the gate looks at it,
#: so a line of text that crosses its edge is seen whole enough to count.
GATE_MARGIN = 12
#: Painted regions looked at one by one up to this many; more (a crowd) as one box.
MAX_CROPS = 4


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
        return read_text_hits(decode(data, OCR_MAX_SIDE), decision.region)
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
    large = decode(data, OCR_MAX_SIDE)
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
    """Text lines (boxes in ``small``'s pixels) the gate sees in the painted regions."""
    if not painted:
        return []
    height, width = small.rgb.shape[:2]
    crops = [(max(0, int(x0 * small.scale) - GATE_MARGIN),
              max(0, int(y0 * small.scale) - GATE_MARGIN),
              min(width, int(x1 * small.scale) + 1 + GATE_MARGIN),
              min(height, int(y1 * small.scale) + 1 + GATE_MARGIN))
             for x0, y0, x1, y1 in painted]
    crops = _merged(crops)
    if len(crops) > MAX_CROPS:
        crops = [(min(c[0] for c in crops), min(c[1] for c in crops),
                  max(c[2] for c in crops), max(c[3] for c in crops))]
    gate = shared_gate()
    lines: list[Box] = []
    for x0, y0, x1, y1 in crops:
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        for lx0, ly0, lx1, ly1 in gate.lines(small.rgb[y0:y1, x0:x1]):
            lines.append((lx0 + x0, ly0 + y0, lx1 + x0, ly1 + y0))
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
