"""The result objects every stage of the flow passes on.

All of them are frozen dataclasses with an explicit ``to_dict``. None of them
holds a raw identity number: a finding carries the masked form and a keyed
fingerprint, computed when the number is detected, and every path or message
is the *shown* one — masked where it entered (the readers give each member its
shown path when they read it) — so nothing downstream can leak what it never had.
This module imports nothing of the text engine.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    #: A face's person in its scan (``P1``, …), None when it has none (see ScanResult).
    person: str | None = None

    def to_dict(self) -> dict[str, Any]:
        person = {"person": self.person} if self.type == FACE else {}
        return {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 3),
            "masked": self.masked,
            "fingerprint": self.fingerprint,
            "detector": self.detector,
            "explanation": self.explanation.to_dict(),
            **person,
        }


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is.

    ``path`` names the file, archive member by member
    (``pack.zip!/第二批.zip!/faces/21.jpg``), as shown (numbers in names masked); then,
    as the case may be, a ``part`` of a document (``paragraph 12``, ``slide 3``,
    ``message 2``), a line and column (1-based) in a text, a table ``row`` and ``field``
    (column header, JSON path, sheet and column), a PDF ``page``, or a ``box``
    (x0, y0, x1, y1 in pixels) in an image.
    """

    path: str
    line: int | None = None
    column: int | None = None
    row: int | None = None
    field: str | None = None
    page: int | None = None
    box: tuple[int, int, int, int] | None = None
    part: str | None = None
    #: Seconds into a video: (first, last) a face track or a number shows.
    time: tuple[float, float] | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.column}"
        extras = []
        if self.part is not None:
            extras.append(self.part)
        if self.page is not None:
            extras.append(f"page {self.page}")
        if self.row is not None:
            extras.append(f"row {self.row}")
        if self.field is not None:
            extras.append(f"[{self.field}]")
        if self.time is not None:
            extras.append(f"{self.time[0]:.1f}-{self.time[1]:.1f} s")
        if self.box is not None:
            extras.append("box " + ",".join(str(v) for v in self.box))
        return " ".join([where, *extras])

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path}
        for name in ("part", "line", "column", "row", "field", "page"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.time is not None:
            out["time"] = list(self.time)
        if self.box is not None:
            out["box"] = list(self.box)
        return out


@dataclass(frozen=True, slots=True)
class LocatedFinding:
    """A finding and the place it was found."""

    location: Location
    finding: Finding

    def to_dict(self) -> dict[str, Any]:
        return {"location": self.location.to_dict(), **self.finding.to_dict()}


@dataclass(frozen=True, slots=True)
class ScanError:
    """An input (or a part of one) that could not be scanned, and why; the scan went on.

    Both fields are as shown: the reader that made the record masked them.
    """

    path: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "error": self.message}


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that was not read because its format is not understood (or not read here)."""

    path: str
    format: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "reason": self.reason}


#: The identity types whose presence together with a face makes a "full kit".
FULL_KIT = ("CN_RESIDENT_ID", "BANK_CARD", "PHONE_NUMBER")


@dataclass(frozen=True, slots=True)
class ProfileEntity:
    """One identity value of a profile, masked and fingerprinted."""

    type: str
    masked: str
    fingerprint: str

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "masked": self.masked, "fingerprint": self.fingerprint}


@dataclass(frozen=True, slots=True)
class Profile:
    """One exposed person: faces tied to identity values, and how they were tied."""

    id: str
    faces: tuple[Location, ...]
    entities: tuple[ProfileEntity, ...]
    links: tuple[str, ...]
    files: tuple[str, ...]
    #: The person its faces show (None: no face of it was embedded, or they show several).
    person: str | None = None

    @property
    def types(self) -> frozenset[str]:
        return frozenset(entity.type for entity in self.entities)

    @property
    def full_kit(self) -> bool:
        return bool(self.faces) and all(kind in self.types for kind in FULL_KIT)

    @property
    def severity(self) -> str:
        """full kit; face + ID; or face + contact (phone, card, e-mail, ...)."""
        if self.full_kit:
            return "full kit"
        if "CN_RESIDENT_ID" in self.types or "CN_PASSPORT" in self.types:
            return "face + ID"
        return "face + contact"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "full_kit": self.full_kit,
            "severity": self.severity,
            "types": sorted(self.types),
            "faces": [face.to_dict() for face in self.faces],
            "entities": [entity.to_dict() for entity in self.entities],
            "links": list(self.links),
            "files": list(self.files),
            "person": self.person,
        }


@dataclass(frozen=True, slots=True)
class Person:
    """One person of a scan: faces whose descriptors cluster together (locations only,
    never a descriptor), and the profiles that hold them."""

    id: str
    faces: tuple[Location, ...]
    photos: int
    profiles: tuple[str, ...] = ()
    #: Identity types of its profiles.
    types: tuple[str, ...] = ()
    full_kit: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "faces": [face.to_dict() for face in self.faces],
                "photos": self.photos, "profiles": list(self.profiles),
                "types": list(self.types), "full_kit": self.full_kit}


@dataclass(frozen=True, slots=True)
class UnassignedFace:
    """A face with no person, and why (too small or too blurred to embed, ...)."""

    location: Location
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"location": self.location.to_dict(), "reason": self.reason}


#: Entity types always listed in a summary, found or not.
SUMMARY_ENTITY_TYPES = ("CN_RESIDENT_ID", "BANK_CARD", "PHONE_NUMBER", "EMAIL_ADDRESS")
#: Finding types that are not identity values (counted elsewhere in a summary).
FACE = "FACE"


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything one scan found, the people it exposes, and the inputs it could not read."""

    #: Files read (not counting parts embedded in documents). A file that was not read
    #: is in ``skipped`` (format not understood) or ``errors``.
    files: int
    #: In order of path, page, row, line and offset: a tuple, or (a large scan) a sequence
    #: read from the results store.
    findings: Sequence[LocatedFinding] = ()
    errors: Sequence[ScanError] = ()
    images: int = 0
    profiles: tuple[Profile, ...] = ()
    skipped: Sequence[Skipped] = ()
    #: Blurred JPEG thumbnails by image path (only when asked for; never in to_dict).
    thumbnails: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    videos: int = 0
    #: (path, count) of findings past the caps (per member, per scan): counted, not kept.
    not_kept: tuple[tuple[str, int], ...] = ()
    #: Why the scan stopped before the end (an unexpected failure), or "".
    stopped: str = ""
    #: Counts the store computed (a large scan's findings are read from it as needed).
    counts: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    #: The results store a large scan's rows are read from (kept open while this lives).
    store: Any = field(default=None, compare=False, repr=False)
    #: Persons (None: not computed for this result), and the faces that have none.
    persons: tuple[Person, ...] | None = None
    faces_unassigned: tuple[UnassignedFace, ...] = ()

    def __post_init__(self) -> None:
        # The reduce step hands its persons on with its profiles (link.profiles.Linked).
        linked: Any = self.profiles
        if self.persons is None and hasattr(linked, "persons"):
            object.__setattr__(self, "persons", linked.persons)
            object.__setattr__(self, "faces_unassigned", linked.faces_unassigned)

    def _counted(self, name: str) -> Any:
        """A count from the store, when the findings are still the store's (distinct values
        are always the store's: they count values past the findings caps too)."""
        if self.counts is not None and (name in self.counts and name == "entities" or
                                        not isinstance(self.findings, tuple | list)):
            return self.counts[name]
        return None

    @property
    def faces(self) -> int:
        counted = self._counted("faces")
        if counted is not None:
            return int(counted)
        return sum(1 for item in self.findings if item.finding.type == FACE)

    @property
    def images_with_faces(self) -> int:
        """Images and videos with at least one face."""
        counted = self._counted("images_with_faces")
        if counted is not None:
            return int(counted)
        return len({item.location.path for item in self.findings if item.finding.type == FACE})

    def entity_counts(self) -> dict[str, int]:
        """Distinct values per entity type, counted by fingerprint (faces excluded)."""
        counted = self._counted("entities")
        if counted is not None:
            return {**{kind: 0 for kind in SUMMARY_ENTITY_TYPES}, **counted}
        distinct: dict[str, set[str]] = {kind: set() for kind in SUMMARY_ENTITY_TYPES}
        for item in self.findings:
            if item.finding.type != FACE:
                distinct.setdefault(item.finding.type, set()).add(item.finding.fingerprint)
        return {entity: len(prints) for entity, prints in distinct.items()}

    def summary(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "skipped": len(self.skipped),
            "images": self.images,
            "videos": self.videos,
            "faces": self.faces,
            "images_with_faces": self.images_with_faces,
            "entities": self.entity_counts(),
            "profiles": len(self.profiles),
            "full_kits": sum(1 for profile in self.profiles if profile.full_kit),
            "persons": None if self.persons is None else len(self.persons),
            "faces_unassigned": None if self.persons is None else len(self.faces_unassigned),
            "errors": len(self.errors),
            "findings_not_kept": sum(count for _, count in self.not_kept),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "profiles": [profile.to_dict() for profile in self.profiles],
            "persons": [person.to_dict() for person in self.persons or ()],
            "faces_unassigned": [face.to_dict() for face in self.faces_unassigned],
            "findings": [item.to_dict() for item in self.findings],
            "errors": [error.to_dict() for error in self.errors],
            "skipped": [item.to_dict() for item in self.skipped],
            "not_kept": [{"path": path, "findings": count} for path, count in self.not_kept],
        }
