"""Scan whole inputs — files, folders, nested archives, standard input — into a ScanResult.

The flow: :mod:`read.walk` yields members; documents become text units
(:mod:`read.documents`) that the text engine scans; images go to a small
thread pool (:mod:`vision.analyze`: faces, OCR, EXIF) with a bounded number
in flight, so memory stays flat however large the pack. Evidence for
profiles is collected as it comes and linked at the end
(:mod:`link.profiles`). A member that cannot be read becomes a ScanError and
the scan goes on.
"""

from __future__ import annotations

import logging
import os
import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .link.profiles import Linker
from .model import (
    FACE,
    Explanation,
    Finding,
    LocatedFinding,
    Location,
    ProfileEntity,
    ScanError,
    ScanResult,
)
from .read.documents import DOCUMENT_SUFFIXES, TextUnit, read_units, suffix
from .read.images import IMAGE_SUFFIXES, ImageError, looks_like_image
from .read.limits import Limits
from .read.text_files import read_text
from .read.walk import SEP, Member, MemberError, Walker
from .text.engine import scan_text
from .vision.analyze import ImageOptions, ImageReport, analyze
from .vision.faces import DEFAULT_THRESHOLD

log = logging.getLogger(__name__)

#: Finding types that are not identity values (never linked into profiles).
_NOT_IDENTITY = frozenset({FACE, "EXIF_GPS", "EXIF_SERIAL", "EXIF_DATETIME"})


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Settings of one scan; every field has a documented default."""

    limits: Limits = field(default_factory=Limits)
    ocr: str = "auto"
    faces: bool = True
    min_score: float = 0.0
    face_threshold: float = DEFAULT_THRESHOLD
    workers: int = max(1, min(4, os.cpu_count() or 1))
    thumbnails: bool = False


Progress = Callable[[str], None]


def locate(text: str, path: str, findings: list[Finding]) -> list[LocatedFinding]:
    """Attach 1-based line and column numbers to findings (in text order)."""
    located = []
    line, counted_to = 1, 0
    for finding in findings:
        line += text.count("\n", counted_to, finding.start)
        counted_to = finding.start
        column = finding.start - (text.rfind("\n", 0, finding.start) + 1) + 1
        located.append(LocatedFinding(Location(path, line, column), finding))
    return located


def scan_path(path: str | Path | Iterable[str | Path], options: ScanOptions | None = None,
              progress: Progress | None = None) -> ScanResult:
    """Scan files, folders and archives (``-`` is standard input) into one result."""
    paths = [path] if isinstance(path, str | Path) else list(path)
    return _Scan(options or ScanOptions(), progress).run(paths)


class _Scan:
    def __init__(self, options: ScanOptions, progress: Progress | None) -> None:
        self.options = options
        self.progress = progress
        self.walker = Walker(options.limits)
        self.linker = Linker()
        self.files = 0
        self.images = 0
        self.findings: list[LocatedFinding] = []
        self.errors: list[ScanError] = []
        self.thumbnails: dict[str, bytes] = {}
        # Evidence for linking, resolved once every image name is known.
        self.image_paths: dict[str, list[str]] = defaultdict(list)  # basename -> paths
        self.records: list[tuple[list[ProfileEntity], list[str], str, str]] = []
        self.stem_images: dict[str, list[str]] = defaultdict(list)
        self.stem_entities: dict[str, list[ProfileEntity]] = defaultdict(list)
        self.name_entities: dict[str, list[ProfileEntity]] = {}
        self.image_options = ImageOptions(options.faces, options.ocr, options.face_threshold,
                                          options.thumbnails)

    def run(self, paths: list[str | Path]) -> ScanResult:
        with ThreadPoolExecutor(self.options.workers, "notforsale-image") as pool:
            pending: list[tuple[str, Future[ImageReport]]] = []
            for item in self._items(paths):
                if isinstance(item, MemberError):
                    self.errors.append(ScanError(item.path, item.message))
                    continue
                self.files += 1
                if self.progress:
                    self.progress(item.path)
                named = self._scan_name(item.path)
                if self._is_image(item):
                    self.name_entities[item.path] = named
                    self.images += 1
                    pending.append((item.path, pool.submit(analyze, item.path, item.data,
                                                           self.image_options)))
                    while len(pending) >= 2 * self.options.workers:
                        self._collect(*pending.pop(0))
                else:
                    self.stem_entities[self._stem_key(item.path)].extend(named)
                    self._scan_document(item)
            for image_path, future in pending:
                self._collect(image_path, future)
        self._link()
        self.findings.sort(key=lambda f: (f.location.path, f.location.page or 0,
                                          f.location.row or 0, f.location.line or 0,
                                          f.finding.start))
        return ScanResult(self.files, tuple(self.findings), tuple(self.errors), self.images,
                          self.linker.profiles(), self.thumbnails)

    def _items(self, paths: list[str | Path]) -> Iterator[Member | MemberError]:
        for path in paths:
            if str(path) == "-":
                try:
                    yield Member("-", read_text("-").encode("utf-8"))
                except InputError as error:
                    yield MemberError("-", error.reason)
                continue
            yield from self.walker.walk(path)

    @staticmethod
    def _is_image(member: Member) -> bool:
        return suffix(member.path) in IMAGE_SUFFIXES or looks_like_image(member.data[:16])

    # -- documents ---------------------------------------------------------------------

    def _scan_document(self, member: Member) -> None:
        kind = suffix(member.path)
        if kind not in DOCUMENT_SUFFIXES and not _looks_textual(member.data):
            return  # an unknown binary: counted as a file, its name scanned
        try:
            units = list(read_units(member.path, member.data))
        except InputError as error:
            self.errors.append(ScanError(member.path, error.reason))
            return
        stem_key = self._stem_key(member.path)
        # A table row or JSON record is one person; so is a line of a plain text.
        records: dict[tuple[str, int], list[ProfileEntity]] = defaultdict(list)
        record_images: dict[tuple[str, int], list[str]] = defaultdict(list)
        for unit in units:
            for item in self._unit_findings(member.path, unit):
                self.findings.append(item)
                finding = item.finding
                entity = ProfileEntity(finding.type, finding.masked, finding.fingerprint)
                self.stem_entities[stem_key].append(entity)
                key = ("row", unit.record) if unit.record is not None else \
                    ("line", item.location.line or 0)
                records[key].append(entity)
            if unit.record is not None and _names_an_image(unit.text):
                record_images[("row", unit.record)].append(unit.text.strip())
        for key, entities in records.items():
            reason = "table row names the image" if key[0] == "row" else "same line"
            self.records.append((entities, record_images.get(key, []), reason, member.path))

    def _unit_findings(self, path: str, unit: TextUnit) -> list[LocatedFinding]:
        findings = scan_text(unit.text, min_score=self.options.min_score, context_hint=unit.hint)
        if unit.whole_text:
            located = locate(unit.text, path, findings)
            if unit.page is not None:
                located = [LocatedFinding(Location(path, item.location.line,
                                                   item.location.column, page=unit.page),
                                          item.finding) for item in located]
            return located
        return [LocatedFinding(Location(path, row=unit.row, field=unit.column, page=unit.page),
                               finding) for finding in findings]

    def _scan_name(self, path: str) -> list[ProfileEntity]:
        """Identity numbers in a file's own name (packs name photos by ID number)."""
        name = posixpath.basename(path.rsplit(SEP, 1)[-1])
        stem = name.rsplit(".", 1)[0] if "." in name else name
        if sum(char.isdigit() for char in stem) < 10 and "@" not in stem:
            return []
        entities = []
        for finding in scan_text(stem, min_score=self.options.min_score):
            self.findings.append(LocatedFinding(Location(path, field="file name"), finding))
            entities.append(ProfileEntity(finding.type, finding.masked, finding.fingerprint))
        return entities

    @staticmethod
    def _stem_key(path: str) -> str:
        folder, _, name = path.rpartition("/")
        return folder + "/" + (name.rsplit(".", 1)[0] if "." in name else name)

    # -- images ------------------------------------------------------------------------

    def _collect(self, path: str, future: Future[ImageReport]) -> None:
        try:
            report = future.result()
        except ImageError as error:
            self.errors.append(ScanError(path, str(error)))
            return
        self.image_paths[posixpath.basename(path.rsplit(SEP, 1)[-1])].append(path)
        self.stem_images[self._stem_key(path)].append(path)
        faces = []
        for face in report.faces:
            location = Location(path, box=face.box)
            faces.append(location)
            self.findings.append(LocatedFinding(location, Finding(
                FACE, 0, 0, face.score, "face", "", "centerface",
                Explanation("CenterFace detection", (f"score {face.score:.2f}",)))))
        self.linker.add_faces(path, faces)
        entities = []
        for hit in report.text_hits:
            self.findings.append(LocatedFinding(Location(path, box=hit.box), hit.finding))
            entities.append(ProfileEntity(hit.finding.type, hit.finding.masked,
                                          hit.finding.fingerprint))
        self.findings.extend(LocatedFinding(Location(path, field="EXIF"), f) for f in report.exif)
        self.records.append((entities, [path], "face and number in one image", path))
        self.records.append((self.name_entities.pop(path, []), [path],
                             "number in the image's file name", path))
        if report.thumbnail:
            self.thumbnails[path] = report.thumbnail

    # -- linking -----------------------------------------------------------------------

    def _link(self) -> None:
        for entities, named, reason, source in self.records:
            identity = [e for e in entities if e.type not in _NOT_IDENTITY]
            images = [p for name in named for p in self._resolve_image(name, source)]
            self.linker.add_record(identity, images, reason, [source])
        for stem, images in self.stem_images.items():
            identity = [e for e in self.stem_entities.get(stem, []) if e.type not in _NOT_IDENTITY]
            self.linker.add_record(identity, images, "same file stem", images)

    def _resolve_image(self, name: str, source: str) -> list[str]:
        """Images a table cell names: by path relative to the table, else by file name."""
        if name.startswith("!/") or SEP in name:
            return []
        base = posixpath.basename(name.replace("\\", "/"))
        candidates = self.image_paths.get(base, [])
        if len(candidates) <= 1:
            return list(candidates)
        folder = source.rpartition("/")[0]
        wanted = posixpath.normpath(posixpath.join(folder, name.replace("\\", "/")))
        exact = [c for c in candidates if c == wanted]
        return exact or [c for c in candidates if c.rpartition("/")[0].startswith(folder)][:1]


def _looks_textual(data: bytes) -> bool:
    head = data[:2048]
    return b"\x00" not in head and bool(head)


def _names_an_image(text: str) -> bool:
    stripped = text.strip().lower()
    return len(stripped) < 260 and stripped.endswith(tuple(IMAGE_SUFFIXES))
