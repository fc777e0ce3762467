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


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is: a file (or ``-``), and a line and column in it (1-based)."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}:{self.column}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column}


@dataclass(frozen=True, slots=True)
class LocatedFinding:
    """A finding and the place it was found."""

    location: Location
    finding: Finding

    def to_dict(self) -> dict[str, Any]:
        return {"location": self.location.to_dict(), **self.finding.to_dict()}


@dataclass(frozen=True, slots=True)
class ScanError:
    """An input that could not be scanned, and why; the scan went on without it."""

    path: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "error": self.message}


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything one scan found, and the inputs it could not read."""

    files: int
    findings: tuple[LocatedFinding, ...] = ()
    errors: tuple[ScanError, ...] = ()

    def entity_counts(self) -> dict[str, int]:
        """Distinct values per entity type, counted by fingerprint."""
        distinct: dict[str, set[str]] = {}
        for item in self.findings:
            distinct.setdefault(item.finding.type, set()).add(item.finding.fingerprint)
        return {entity: len(prints) for entity, prints in sorted(distinct.items())}

    def summary(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "findings": len(self.findings),
            "entities": self.entity_counts(),
            "errors": len(self.errors),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "findings": [item.to_dict() for item in self.findings],
            "errors": [error.to_dict() for error in self.errors],
        }
