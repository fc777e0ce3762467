"""The result objects every stage of the flow passes on.

All of them are frozen dataclasses with an explicit ``to_dict``. None of them
holds a raw identity number: a finding carries the masked form and a keyed
fingerprint, computed when the number is detected, so nothing downstream can
leak what it never had.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The entity types the text engine emits, by their exact names.
ENTITY_TYPES: tuple[str, ...] = (
    "CN_RESIDENT_ID",
    "BANK_CARD",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "CN_PASSPORT",
)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a detector fired: the pattern, the checks passed, the context words seen."""

    pattern: str
    checks: tuple[str, ...] = ()
    context: tuple[str, ...] = ()

    def __str__(self) -> str:
        parts = [f"pattern {self.pattern}"]
        if self.checks:
            parts.append("checks: " + ", ".join(self.checks))
        if self.context:
            parts.append("context: " + ", ".join(self.context))
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern,
            "checks": list(self.checks),
            "context": list(self.context),
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One identity number (or e-mail address, ...) found in a piece of text.

    ``start`` and ``end`` are character offsets into the *original* text, however
    much normalization happened before matching. ``masked`` and ``fingerprint``
    stand in for the value, which is never stored.
    """

    type: str
    start: int
    end: int
    score: float
    masked: str
    fingerprint: str
    detector: str
    explanation: Explanation = field(default_factory=lambda: Explanation(pattern=""))

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 3),
            "masked": self.masked,
            "fingerprint": self.fingerprint,
            "detector": self.detector,
            "explanation": self.explanation.to_dict(),
        }
