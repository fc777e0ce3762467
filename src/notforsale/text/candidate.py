"""What a detector hands the engine: a candidate, before context and fingerprinting.

A candidate holds the canonical value so the engine can fingerprint it; it
never leaves the engine. Detectors are small classes with a ``name``, the
``entities`` they emit and one method, ``find``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Protocol


class Candidate(NamedTuple):
    """A number a detector found: its type, span, canonical and masked forms, score and
    the checks it passed. (A named tuple: dense table rows yield several per line, and a
    tuple is built in a third of a frozen dataclass's time.)"""

    type: str
    start: int
    end: int
    canonical: str
    masked: str
    score: float
    detector: str
    pattern: str
    checks: tuple[str, ...] = ()
    needs_context: bool = False

    def __repr__(self) -> str:  # keep the canonical value out of logs and tracebacks
        return f"Candidate({self.type}, {self.start}-{self.end}, {self.masked}, {self.score})"


class Detector(Protocol):
    name: str
    entities: tuple[str, ...]
    #: (text, entity type, the characters found) the detector must find: its documentation
    #: and its contract test.
    examples: tuple[tuple[str, str, str], ...]

    def find(self, text: str) -> Iterable[Candidate]:
        """Candidates in normalized text (offsets valid in the original)."""
        ...
