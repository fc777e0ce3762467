"""Write an anonymized copy of a folder, archive or file — and check it.

The source is only ever read. The copy keeps the source's structure and formats:
a folder becomes a folder, an archive an archive of the same type (nested archives
included), each file the same format. Faces are covered, identity numbers masked
(in text, tables, spreadsheets, JSON, images and in file and folder names),
metadata stripped. What cannot be redacted is not copied: encrypted or oversized
archive members, PDFs with findings (their text layer cannot be rewritten here).
Formats the tool does not understand are copied unchanged and listed as such.

With ``verify`` (the default) the copy is scanned again; anything found there
makes the report fail.
"""

from __future__ import annotations

import io
import logging
import os
import tarfile
import zipfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, NotForSaleError
from ..model import FACE, ScanResult
from ..read.documents import PDF_SUFFIXES, suffix
from ..read.images import IMAGE_SUFFIXES, ImageError, looks_like_image
from ..read.limits import Limits
from ..read.walk import SEP, Member, MemberError, Walker, archive_kind
from ..text.engine import scan_text
from ..text.mask import mask_path, mask_text
from .documents import REDACTABLE, redact_document
from .images import FACE_MODES, MARGIN, REDACT_THRESHOLD, redact_image

log = logging.getLogger(__name__)


class DestinationError(NotForSaleError):
    """The destination exists and is not empty, or does not fit the source."""


@dataclass(frozen=True, slots=True)
class RedactOptions:
    faces: str = "blur"
    ocr: str = "auto"
    face_threshold: float = REDACT_THRESHOLD
    verify: bool = True
    limits: Limits = field(default_factory=Limits)
    #: Files redacted at once (each on one core).
    workers: int = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True, slots=True)
class FileChange:
    """What happened to one file: counts, never values."""

    path: str  # in the copy (names masked)
    action: str  # redacted | unchanged | copied-unknown | dropped
    faces: int = 0
    numbers: int = 0
    metadata_removed: bool = False
    renamed: bool = False
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "action": self.action, "faces": self.faces,
                "numbers": self.numbers, "metadata_removed": self.metadata_removed,
                "renamed": self.renamed, "note": self.note}


@dataclass(frozen=True, slots=True)
class RedactReport:
    source: str
    destination: str
    files: tuple[FileChange, ...]
    remaining: ScanResult | None = None
    #: Faces the re-scan saw on regions this run covered and checked to show no detail
    #: (blurred heads in crowds): reported, not counted as left over.
    covered_seen_again: int = 0

    @property
    def verified(self) -> bool | None:
        """True when the re-scan found nothing, False when it did, None when not run."""
        if self.remaining is None:
            return None
        return not self.remaining.findings

    def summary(self) -> dict[str, Any]:
        actions: dict[str, int] = {}
        for change in self.files:
            actions[change.action] = actions.get(change.action, 0) + 1
        left = self.remaining.summary() if self.remaining is not None else None
        return {
            "files": len(self.files),
            "actions": actions,
            "faces_covered": sum(c.faces for c in self.files),
            "numbers_masked": sum(c.numbers for c in self.files),
            "names_masked": sum(c.renamed for c in self.files),
            "metadata_removed": sum(c.metadata_removed for c in self.files),
            "verified": self.verified,
            "covered_faces_seen_again": self.covered_seen_again,
            "left_over": None if left is None else {
                "faces": left["faces"],
                "entities": {k: v for k, v in left["entities"].items() if v},
            },
        }

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary(), "files": [c.to_dict() for c in self.files],
                "left_over": [] if self.remaining is None else
                [item.to_dict() for item in self.remaining.findings]}


def _empty_or_missing(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


class _Redactor:
    def __init__(self, options: RedactOptions) -> None:
        if options.faces not in FACE_MODES:
            raise ValueError(f"unknown face mode {options.faces!r}; choose one of "
                             f"{', '.join(FACE_MODES)}")
        self.options = options
        self.walker = Walker(options.limits)
        self.changes: list[FileChange] = []
        #: What the display paths start with that the copy's paths do not (a lone file's name).
        self.root = ""
        #: Covered face boxes checked to show no detail in the copy, by the image's path
        #: in the copy relative to its root (see :func:`_verify`).
        self.hidden: dict[str, tuple[tuple[int, int, int, int], ...]] = {}

    # -- one file's bytes --------------------------------------------------------------

    def _record(self, display: str, action: str, **counts: Any) -> None:
        """What happened to the file shown as ``display``: the path as in the copy
        (numbers in names masked), and a note with no number in it either."""
        note = mask_text(counts.pop("note", ""))[0]
        self.changes.append(FileChange(mask_path(display), action, note=note, **counts))

    def member(self, display: str, data: bytes, depth: int) -> bytes | None:
        """Redacted bytes for a file shown as ``display`` (None: not to be copied)."""
        kind = archive_kind(display, data[:512])
        if kind is not None:
            return self.archive(kind, display, data, depth)
        name = display.rsplit(SEP, 1)[-1]
        renamed = mask_path(name) != name
        try:
            if suffix(name) in IMAGE_SUFFIXES or looks_like_image(data[:16]):
                out, changes = redact_image(display, data, faces=self.options.faces,
                                            ocr=self.options.ocr,
                                            threshold=self.options.face_threshold)
                self._record(display, "redacted", faces=changes.faces, numbers=changes.numbers,
                             metadata_removed=changes.metadata_removed, renamed=renamed)
                if changes.hidden:
                    self.hidden[mask_path(display[len(self.root):])] = changes.hidden
                return out
            if suffix(name) in REDACTABLE:
                out, count = redact_document(display, data)
                action = "redacted" if count or renamed else "unchanged"
                self._record(display, action, numbers=count, renamed=renamed)
                return out
        except (ImageError, InputError) as error:
            self._record(display, "dropped", renamed=renamed, note=f"not copied: {error}")
            return None
        if suffix(name) in PDF_SUFFIXES:
            return self._pdf(display, data, renamed)
        self._record(display, "copied-unknown", renamed=renamed,
                     note="format not understood; copied unchanged")
        return data

    def _pdf(self, display: str, data: bytes, renamed: bool) -> bytes | None:
        from ..read.documents import read_units

        try:
            has_numbers = any(scan_text(unit.text) for unit in read_units(display, data))
        except InputError as error:
            self._record(display, "dropped", note=f"not copied: {error}")
            return None
        if has_numbers:
            self._record(display, "dropped", renamed=renamed,
                         note="PDF with identity numbers: its text cannot be rewritten here, "
                              "so it is not copied")
            return None
        self._record(display, "unchanged", renamed=renamed,
                     note="PDF without identity numbers in its text layer")
        return data

    # -- archives ----------------------------------------------------------------------

    def archive(self, kind: str, display: str, data: bytes, depth: int) -> bytes | None:
        if depth >= self.options.limits.max_depth:
            self._record(display, "dropped", note="archive nested too deep; not copied")
            return None
        entries: list[tuple[str, bytes]] = []
        for item in self.walker.open_archive(kind, display, data):
            if isinstance(item, MemberError):
                self._record(item.path, "dropped", note=f"not copied: {item.message}")
                continue
            if not isinstance(item, Member):
                continue
            inner = item.path[len(display) + len(SEP):]
            out = self.member(item.path, item.data, depth + 1)
            if out is not None:
                entries.append((mask_path(inner), out))
        return _write_archive(kind, display, entries)


def _write_archive(kind: str, name: str, entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, data in entries:
                archive.writestr(member, data)
    elif kind == "tar":
        lowered = name.lower()
        mode = "w:gz" if lowered.endswith((".gz", ".tgz")) else \
            "w:bz2" if lowered.endswith((".bz2", ".tbz", ".tbz2")) else \
            "w:xz" if lowered.endswith((".xz", ".txz")) else "w"
        with tarfile.open(fileobj=out, mode=mode) as archive:  # type: ignore[call-overload]
            for member, data in entries:
                info = tarfile.TarInfo(member)
                info.size = len(data)
                info.mode = 0o644
                archive.addfile(info, io.BytesIO(data))
    else:
        import py7zr

        with py7zr.SevenZipFile(out, "w") as archive:
            for member, data in entries:
                archive.writestr(data, member)
    return out.getvalue()


def _redact_folder(redactor: _Redactor, source: Path, target: Path, workers: int) -> None:
    """Redact a folder's files on ``workers`` threads, a bounded number in flight."""

    def one(path: Path, relative: str) -> None:
        out = redactor.member(relative, path.read_bytes(), 0)
        if out is not None:
            destination = target / mask_path(relative)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(out)

    with ThreadPoolExecutor(max(1, workers), "notforsale-redact") as pool:
        pending: deque[Future[None]] = deque()
        for folder, dirs, files in os.walk(source, followlinks=False):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder) / name
                relative = path.relative_to(source).as_posix()
                if path.is_symlink():
                    redactor._record(relative, "dropped", note="symlink not followed")
                    continue
                pending.append(pool.submit(one, path, relative))
                while len(pending) >= 2 * max(1, workers):
                    pending.popleft().result()
        for future in pending:
            future.result()
    redactor.changes.sort(key=lambda change: change.path)


def _archive_kind_of_name(name: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith(".zip"):
        return "zip"
    if lowered.endswith(".7z"):
        return "7z"
    if lowered.endswith((".tar", ".tgz", ".tbz", ".tbz2", ".txz")) or ".tar." in lowered:
        return "tar"
    return None


def redact(src: str | Path, dst: str | Path, options: RedactOptions | None = None
           ) -> RedactReport:
    """Write an anonymized copy of ``src`` at ``dst`` (see the module docstring)."""
    options = options or RedactOptions()
    source, target = Path(src), Path(dst)
    if not source.exists():
        raise InputError(str(source), "no such file or folder")
    if not _empty_or_missing(target):
        raise DestinationError(f"{mask_path(str(target))} exists and is not empty; choose a "
                               "new place")
    if target.resolve() == source.resolve() or source.resolve() in target.resolve().parents:
        raise DestinationError("the copy cannot be written inside the source")
    redactor = _Redactor(options)
    if source.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        _redact_folder(redactor, source, target, options.workers)
    else:
        redactor.root = source.name
        data = source.read_bytes()
        kind = archive_kind(source.name, data[:512])
        target_kind = _archive_kind_of_name(target.name)
        if target_kind is not None and target_kind != kind:
            found = f"a {kind}" if kind else "no"
            raise DestinationError(f"{mask_path(target.name)} names a {target_kind} archive "
                                   f"but {mask_path(source.name)} is {found} archive")
        out = redactor.member(source.name, data, 0)
        if target_kind is None:
            target.mkdir(parents=True, exist_ok=True)
            target = target / mask_path(source.name)
        if out is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(out)
    remaining, seen_again = _verify(target, source.is_dir(), options, redactor.hidden) \
        if options.verify else (None, 0)
    return RedactReport(str(source), str(target), tuple(redactor.changes), remaining,
                        seen_again)


def _verify(target: Path, folder: bool, options: RedactOptions,
            hidden: dict[str, tuple[tuple[int, int, int, int], ...]]
            ) -> tuple[ScanResult | None, int]:
    """The copy scanned again, and how many faces it saw on covered, detail-free regions.

    CenterFace can still see a blurred head in a crowd as a face. A face the re-scan finds
    is left out of what remains only when it sits on a region this run covered *and* that
    region was measured on the written copy to hold no fine detail (:func:`smooth`); any
    other face, number or document counts.
    """
    from ..scan import ScanOptions, scan_path

    if not target.exists():
        return None, 0
    # Verification reads images at least as hard as the default: a copy made with
    # --ocr never must not pass because its check skipped the images too.
    ocr = "always" if options.ocr == "always" else "auto"
    result = scan_path(target, ScanOptions(ocr=ocr, limits=options.limits))
    prefix = len(str(target)) + (1 if folder else 0)
    kept = [item for item in result.findings if not (
        item.finding.type == FACE and item.location.box is not None
        and _on_hidden(item.location.box, hidden.get(item.location.path[prefix:], ())))]
    seen_again = len(result.findings) - len(kept)
    return replace(result, findings=tuple(kept)), seen_again


def _on_hidden(box: tuple[int, int, int, int],
               hidden: tuple[tuple[int, int, int, int], ...]) -> bool:
    """Whether a face box lies on a covered region: its centre inside the region as covered
    (the face box grown by the cover's margin) and at least 60 % of it within that region."""
    centre_x, centre_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    size = max(1, (box[2] - box[0]) * (box[3] - box[1]))
    for x0, y0, x1, y1 in hidden:
        grow_x, grow_y = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
        area = (x0 - grow_x, y0 - grow_y, x1 + grow_x, y1 + grow_y)
        if not (area[0] <= centre_x <= area[2] and area[1] <= centre_y <= area[3]):
            continue
        inside = max(0.0, min(box[2], area[2]) - max(box[0], area[0])) * \
            max(0.0, min(box[3], area[3]) - max(box[1], area[1]))
        if inside >= 0.6 * size:
            return True
    return False
