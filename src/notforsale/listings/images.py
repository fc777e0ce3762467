"""What the pictures attached to a listing add: every image signal lives here.

Each signal is a named feature of the model (see :data:`IMAGE_FEATURES`: its hand weight,
kind and category). A new image signal — e.g. "picture from a known traded pack", matched by
perceptual hash — is one more entry in :data:`IMAGE_FEATURES` and one more check in
:func:`image_signals`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """A named feature that is not a lexicon group: hand weight, kind, category."""

    weight: float
    kind: str  # sensitive | trade | trade_weak | talk | benign
    category: str | None = None


GRID_FEATURE = "grid of many faces in one picture"
DOCUMENT_FEATURE = "identity document in a picture"
#: A picture whose perceptual hash matches a stored list of a seized pack (see
#: :mod:`notforsale.trace.hook`): the listing is blocked whatever else it says.
KNOWN_PACK = "known traded pack"

#: The training listings carry no pictures, so these weights are hand-set, not fitted: set
#: against the hand-set bias (-3.2; a fit moves them with its bias) so that a signal alone
#: sends a listing to review and a signal with an offer (a price, a contact) blocks it.
IMAGE_FEATURES: dict[str, FeatureSpec] = {
    GRID_FEATURE: FeatureSpec(3.8, "sensitive", "face_pack"),
    DOCUMENT_FEATURE: FeatureSpec(4.0, "sensitive", "id_photos"),
    # Large, so the score says what the verdict does (the screener blocks on a match).
    KNOWN_PACK: FeatureSpec(20.0, "sensitive", "face_pack"),
}

#: A picture holding at least this many faces is a grid of faces (a pack's preview).
GRID_FACES = 6


def image_signals(paths: Sequence[str | bytes]) -> list[tuple[str, str]]:
    """(feature, what fired it) for the images attached to a listing — local paths (the
    command line) or the images' bytes (the service: images come in the request, never
    as paths on the server); unreadable ones add nothing (the text still counts)."""
    if not paths:
        return []
    from ..read.images import ImageError
    from ..trace.hook import known_pack_reason
    from ..vision.analyze import ImageOptions, analyze

    fired: dict[str, str] = {}
    for index, path in enumerate(paths, start=1):
        name = f"image {index}" if isinstance(path, bytes) else str(path).rsplit("/", 1)[-1]
        try:
            data = path if isinstance(path, bytes) else Path(path).read_bytes()
            report = analyze(name, data, ImageOptions(ocr="auto"))
        except (OSError, ImageError):
            continue
        known = known_pack_reason(data)
        if known:
            fired.setdefault(KNOWN_PACK, known)
        if len(report.faces) >= GRID_FACES:
            fired.setdefault(GRID_FEATURE, f"{name}: {len(report.faces)} faces")
        numbers = [hit.finding for hit in report.text_hits
                   if hit.finding.type in ("CN_RESIDENT_ID", "CN_PASSPORT", "BANK_CARD")]
        if numbers:
            fired.setdefault(DOCUMENT_FEATURE,
                             f"{name}: {numbers[0].type} {numbers[0].masked}")
    return list(fired.items())
