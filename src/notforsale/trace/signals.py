"""Signal types: what a hash is of, how two hashes compare, and examples.

Shaped like ThreatExchange's signal types: each has a ``name``, the content it
applies to, ``compare(a, b) -> Comparison(match, distance)`` and ``examples()``.
Every signal here is a 256-bit PDQ hash (64 hex characters), computed on a
different part of a picture:

- ``pdq``: the whole picture, exactly as HMA hashes it (so lists export to HMA);
- ``pdq_window``: a square anchored on a pair of corner points of the picture
  (survives crops and caption bands, see :mod:`notforsale.trace.hashing`);
- ``pdq_face``: a square anchored on two corner points inside a detected face
  region; only the second signal that confirms a document match (ID cards share
  templates).

- ``vpdq``: a video's frame, one a second (:mod:`notforsale.trace.video`); compared
  per frame like ``pdq``, and a clip matches by the share of its frames that do.

>>> PDQ.compare("f" * 64, "f" * 63 + "0")
Comparison(match=True, distance=4)
>>> PDQ.compare("0" * 64, "f" * 64).match
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

HASH_BYTES = 32
_HEX = re.compile(r"^[0-9a-f]{64}$")
#: HMA's default PDQ match threshold (distances up to and including it match).
PDQ_THRESHOLD = 31
#: PDQ's quality score under which a hash is too unreliable to match on alone (HMA's 50).
QUALITY_THRESHOLD = 50


class SignalError(ValueError):
    """A hash is not 64 hexadecimal characters."""


@dataclass(frozen=True, slots=True)
class Comparison:
    match: bool
    distance: int


def validate_hex(value: str) -> str:
    """The hash in lower case, or :class:`SignalError`.

    >>> validate_hex("AB" * 32) == "ab" * 32
    True
    """
    lowered = value.strip().lower() if isinstance(value, str) else ""
    if not _HEX.match(lowered):
        raise SignalError("a PDQ hash is 64 hexadecimal characters")
    return lowered


def distance(a: bytes, b: bytes) -> int:
    """Hamming distance of two 32-byte hashes."""
    if len(a) != HASH_BYTES or len(b) != HASH_BYTES:
        raise SignalError(f"a PDQ hash is {HASH_BYTES} bytes")
    return int(np.unpackbits(np.frombuffer(a, np.uint8) ^ np.frombuffer(b, np.uint8)).sum())


@dataclass(frozen=True, slots=True)
class SignalType:
    """One kind of hash: a name, the content it applies to, a threshold."""

    name: str
    content_types: tuple[str, ...]
    threshold: int
    description: str

    def compare(self, a: str, b: str) -> Comparison:
        """Whether two hashes (hex) match, and their Hamming distance."""
        gap = distance(bytes.fromhex(validate_hex(a)), bytes.fromhex(validate_hex(b)))
        return Comparison(gap <= self.threshold, gap)

    def examples(self) -> list[str]:
        """Hashes of the bundled sample photo (NASA's astronaut, public domain)."""
        return _examples(self.name)


PDQ = SignalType("pdq", ("photo",), PDQ_THRESHOLD,
                 "PDQ of the whole picture (as HMA and ThreatExchange compute it)")
PDQ_WINDOW = SignalType("pdq_window", ("photo",), PDQ_THRESHOLD,
                        "PDQ of a square anchored on two corner points of the picture")
PDQ_FACE = SignalType("pdq_face", ("photo",), PDQ_THRESHOLD,
                      "PDQ of a square anchored on two corners inside a detected face region "
                      "(confirms document matches)")
VPDQ = SignalType("vpdq", ("video",), PDQ_THRESHOLD,
                  "PDQ of a video's frame, one a second (vPDQ, as ThreatExchange's: a clip "
                  "matches by the share of frames with a match)")
#: Every signal type, by name (the ``kind`` field of a hash list).
SIGNAL_TYPES: dict[str, SignalType] = {s.name: s for s in (PDQ, PDQ_WINDOW, PDQ_FACE, VPDQ)}


@lru_cache(maxsize=4)
def _examples(name: str) -> list[str]:
    from importlib import resources

    import numpy as np
    from PIL import Image

    from .hashing import detect_faces, face_hashes, hash_image

    with (resources.files("notforsale") / "data" / "astronaut.jpg").open("rb") as handle:
        image = Image.open(handle).convert("RGB")
    if name == VPDQ.name:  # a still clip's frames hash as the picture does
        name = PDQ.name
    if name == PDQ_FACE.name:  # the astronaut is no document: her face hashed all the same
        rgb = np.asarray(image)
        return [h.hex for h in face_hashes(rgb, detect_faces(rgb))][:4]
    return [h.hex for h in hash_image(image).hashes if h.kind == name][:4]
