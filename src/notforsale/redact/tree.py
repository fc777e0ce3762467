"""Write an anonymized copy of a folder, archive or file — and check it.

The source is only ever read. The copy keeps the source's structure and formats:
a folder becomes a folder, an archive an archive of the same type (nested archives
included), each file the same format (see the format registry, :mod:`read.formats`,
and :mod:`redact.writers`). Faces are covered, identity numbers masked (in text,
tables, documents, databases, e-mail, images and in file and folder names),
metadata stripped. A file that cannot be redacted — encrypted or oversized, corrupt,
in a format that can be read but not rewritten and holding something to hide — is
not copied, and is listed. A file whose format is not understood is not copied
either, unless asked (``copy_unknown``), and is listed.

The copy is written to a temporary sibling of the destination and renamed into
place only when complete. With ``verify`` (the default) it is then scanned again:

- **verified**: every source file is in the copy, and the re-scan read every file of
  the copy and found nothing left;
- **unverified**: nothing was found left, but some file could not be checked (not
  copied, copied unchanged without being understood, or not readable by the
  re-scan) — they are listed;
- **failed**: the re-scan found something left (listed, masked).
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import stat
import tarfile
import tempfile
import threading
import zipfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError, NotForSaleError
from ..fingerprint import installation_key
from ..model import FACE, ScanResult
from ..read import formats
from ..read.images import PIXELS, ImageError, pixels
from ..read.limits import Limits
from ..read.member import SEP, Member, MemberError, member_at
from ..read.units import ReadContext, TextUnit
from ..read.walk import Walker, archive_kind
from ..text.engine import scan_text
from ..text.mask import mask_name, mask_path
from .check_images import check_image
from .context import CannotRewrite, Written
from .evidence import ImageEvidence
from .images import FACE_MODES, MARGIN, REDACT_THRESHOLD, redact_image
from .writers import writer

log = logging.getLogger(__name__)

REDACTED, UNCHANGED, COPIED_UNKNOWN, NOT_COPIED = "redacted", "unchanged", "copied-unknown", \
    "not-copied"
VERIFIED, UNVERIFIED, FAILED, NOT_RUN = "verified", "unverified", "failed", "not verified"


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
    #: Copy files whose format is not understood unchanged (the copy is then unverified).
    copy_unknown: bool = False


@dataclass(frozen=True, slots=True)
class FileChange:
    """What happened to one file: counts, never values."""

    path: str  # in the copy (names masked)
    action: str  # redacted | unchanged | copied-unknown | not-copied
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
    #: What the redaction of each image learnt, by its path relative to the copy's root
    #: (boxes and digests, no personal data; never in the report): see
    #: :mod:`redact.evidence`.
    evidence: dict[str, ImageEvidence] = field(default_factory=dict, compare=False,
                                               repr=False)

    @property
    def not_checked(self) -> list[tuple[str, str]]:
        """(path, why) of every file that keeps the copy from being verified (each once)."""
        out = [(c.path, c.note or c.action) for c in self.files
               if c.action in (NOT_COPIED, COPIED_UNKNOWN)]
        if self.remaining is not None:
            listed = [path for path, _ in out]

            def new(path: str) -> bool:  # the re-scan names files from the copy's root
                return not any(path == p or path.endswith("/" + p) for p in listed)

            out += [(e.path, e.message) for e in self.remaining.errors if new(e.path)]
            out += [(s.path, f"{s.format}: {s.reason}") for s in self.remaining.skipped
                    if new(s.path)]
        return out

    @property
    def status(self) -> str:
        if self.remaining is None:
            return NOT_RUN
        if self.remaining.findings:
            return FAILED
        return UNVERIFIED if self.not_checked else VERIFIED

    @property
    def verified(self) -> bool | None:
        """True when verified, False when unverified or failed, None when not run."""
        if self.remaining is None:
            return None
        return self.status == VERIFIED

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
            "status": self.status,
            "verified": self.verified,
            "not_checked": len(self.not_checked),
            "covered_faces_seen_again": self.covered_seen_again,
            "left_over": None if left is None else {
                "faces": left["faces"],
                "entities": {k: v for k, v in left["entities"].items() if v},
            },
        }

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary(), "files": [c.to_dict() for c in self.files],
                "not_checked": [{"path": p, "why": why} for p, why in self.not_checked],
                "left_over": [] if self.remaining is None else
                [item.to_dict() for item in self.remaining.findings]}


def _video_limits(limits: Limits) -> Any:
    from ..read.video import VideoLimits

    return VideoLimits()


def _empty_or_missing(path: Path) -> bool:
    if path.is_symlink():
        return False
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


#: Embedded images whose redaction is kept for the next part with the same bytes, and how
#: large one may be.
_RECENT = 8
_RECENT_BYTES = 16 << 20


class _Redactor:
    """Redacts members through the format registry; records what happened to each file."""

    def __init__(self, options: RedactOptions, key: bytes) -> None:
        if options.faces not in FACE_MODES:
            raise ValueError(f"unknown face mode {options.faces!r}; choose one of "
                             f"{', '.join(FACE_MODES)}")
        self.options = options
        self.key = key
        self.limits = options.limits
        self.walker = Walker(options.limits, key)
        self.changes: list[FileChange] = []
        #: Where archives being rebuilt spill to disk (beside the copy, never elsewhere).
        self.spool_dir: str | None = None
        #: What member paths start with that the copy's shown paths do not.
        self.root = ""
        #: Covered face boxes checked to show no detail in the copy, by the image's path
        #: relative to the copy's root (see :func:`_verify`).
        self.hidden: dict[str, tuple[tuple[int, int, int, int], ...]] = {}
        #: What each image's redaction learnt, by the same key (see :func:`_verify`).
        self.evidence: dict[str, ImageEvidence] = {}
        #: Each redacted video's own check (denser than its redaction), by the same key.
        self.video_checks: dict[str, Any] = {}
        #: The last few embedded images redacted, by their bytes' digest (see _image).
        self.recent: dict[bytes, tuple[bytes, Any]] = {}
        self.lock = threading.Lock()
        from .video import VideoRedactOptions

        self.video_options = VideoRedactOptions(faces=options.faces, ocr=options.ocr,
                                                threshold=options.face_threshold,
                                                limits=_video_limits(options.limits))

    def check_video(self, member: Member, verification: Any) -> None:
        if self.options.verify:
            self.video_checks[member.path[len(self.root):]] = verification

    # -- the Context writers see -------------------------------------------------------

    def nested(self, member: Member) -> Written:
        if member.embedded:
            return self.redact(member)
        # A file of its own (an attachment): its counts are in its own record, not again in
        # its container's.
        written = self._file(member)
        return Written(written.data, note=written.note)

    # -- one file ----------------------------------------------------------------------

    def _record(self, member: Member, action: str, written: Written | None = None,
                note: str = "") -> None:
        counts = written or Written(None)
        self.changes.append(FileChange(
            member.path, action, counts.faces, counts.numbers, counts.metadata_removed,
            self._renamed(member), mask_name(note or counts.note)))

    @staticmethod
    def _renamed(member: Member) -> bool:
        """Whether the file's name or a folder's held a number (the copy's is masked)."""
        return member.renamed

    def _file(self, member: Member, sink: BinaryIO | None = None) -> Written:
        """Redact a file (not an embedded part) and record what happened to it (archives
        are not recorded themselves: their members are). An archive is written straight
        into ``sink`` when one is given (the destination file), member by member."""
        written = self.redact(member, sink)
        is_archive = formats.candidates(member)[0].kind == "archive"
        if written.data is None:
            self._record(member, NOT_COPIED, written, written.note or "not copied")
        elif is_archive:
            pass
        elif written.note.startswith(COPIED_UNKNOWN):
            self._record(member, COPIED_UNKNOWN, written, written.note)
        elif written.data == member.data and not self._renamed(member):
            self._record(member, UNCHANGED, written)
        else:
            self._record(member, REDACTED, written)
        return written

    def redact(self, member: Member, sink: BinaryIO | None = None) -> Written:
        """The redacted bytes of a member (None: it cannot be redacted; why in ``note``)."""
        if member.depth > self.limits.max_depth:
            return Written(None, note=f"nested deeper than {self.limits.max_depth} levels; "
                                      "not copied")
        if archive_kind(member.name, member.data[:512]) == "compressed":
            return self._compressed(member)
        candidates = formats.candidates(member)
        failure = ""
        for fmt in candidates:
            try:
                return self._as(member, fmt, sink)
            except (InputError, ImageError, CannotRewrite) as error:
                failure = failure or (error.reason if isinstance(error, InputError)
                                      else str(error))
            except Exception as error:  # noqa: BLE001 - one file's failure is its record
                failure = failure or f"unreadable ({type(error).__name__})"
        return Written(None, note=f"not copied: {mask_name(failure)}")

    def _compressed(self, member: Member) -> Written:
        """A file compressed on its own (``leak.csv.gz``, a ``.png`` that is a gzip stream):
        the file inside redacted, compressed again with the same codec."""
        from ..read.walk import compress_like, compressed_name, decompressed

        try:
            content = decompressed(member.data, self.limits.max_member_bytes)
        except Exception as error:  # noqa: BLE001 - a corrupt stream is this file's record
            return Written(None, note=f"not copied: corrupt compressed stream "
                                      f"({type(error).__name__})")
        if content is None:
            return Written(None, note="not copied: decompresses to more than the member limit")
        inner = self.redact(member.child(compressed_name(member.name), content, self.key,
                                         embedded=True))
        if inner.data is None:
            return Written(None, note=inner.note or "not copied: the file inside cannot be "
                                                    "redacted")
        written = Written(compress_like(inner.data, member.data[:6]), note=inner.note)
        written.absorb(inner)
        return written

    def _image(self, member: Member) -> tuple[bytes, Any]:
        """An image redacted; a document's part whose bytes were redacted a moment ago
        (the same picture on 280 pages) is given that redaction again, not made anew."""
        import hashlib

        digest = hashlib.sha256(member.data).digest() if member.embedded else None
        with self.lock:
            done = self.recent.get(digest) if digest is not None else None
        if done is not None:
            return done
        # Redaction holds the picture at full size, twice (its pixels and the copy).
        with PIXELS.reserve(2 * pixels(member.data)):
            done = redact_image(member.path, member.data, faces=self.options.faces,
                                ocr=self.options.ocr, threshold=self.options.face_threshold)
        if digest is not None and len(member.data) <= _RECENT_BYTES:
            with self.lock:
                self.recent[digest] = done
                while len(self.recent) > _RECENT:
                    self.recent.pop(next(iter(self.recent)))
        return done

    def _as(self, member: Member, fmt: formats.Format, sink: BinaryIO | None = None
            ) -> Written:
        if fmt.kind == "archive":
            return self._archive(member, fmt, sink)
        if fmt.kind == "image":
            out, changes = self._image(member)
            if changes.hidden:
                self.hidden[member.path[len(self.root):]] = changes.hidden
            if changes.evidence is not None and not member.embedded:
                self.evidence[member.path[len(self.root):]] = changes.evidence
            return Written(out, changes.numbers, changes.faces, changes.metadata_removed)
        if fmt.writer is not None and fmt.readable:
            return writer(fmt.writer)(member, self)
        if fmt.reader is not None:
            # Read, but not rewritable here: copied only when nothing is found in it.
            if self._holds_something(member, fmt):
                raise CannotRewrite(f"{fmt.note}; it holds identity data, so it is not "
                                    "copied")
            return Written(member.data, note="read, nothing found; copied unchanged")
        if self.options.copy_unknown:
            return Written(member.data, note=f"{COPIED_UNKNOWN}: {fmt.label}, not understood; "
                                             "copied unchanged (--copy-unknown)")
        raise CannotRewrite(f"{fmt.label}: format not understood; not copied "
                            "(--copy-unknown copies such files unchanged)")

    def _holds_something(self, member: Member, fmt: formats.Format) -> bool:
        assert fmt.reader is not None
        ctx = ReadContext(self.key, self.limits)
        for part in fmt.reader(member, ctx):
            if isinstance(part, Member):
                return True  # an embedded part: it cannot be redacted in place
            if isinstance(part, TextUnit) and scan_text(part.text, context_hint=part.hint):
                return True
        return bool(member.name_findings)

    # -- archives ----------------------------------------------------------------------

    def _archive(self, member: Member, fmt: formats.Format, sink: BinaryIO | None = None
                 ) -> Written:
        """The archive rebuilt with the same type, each member written as soon as it is
        redacted (memory holds one member, not the archive): into ``sink``, or into a
        spooled temporary file (in memory up to 64 MiB) whose bytes are returned."""
        if member.depth >= self.limits.max_depth:
            raise CannotRewrite("archive nested too deep")
        written = Written(None)
        prefix = len(member.path) + len(SEP)
        spool: Any = sink if sink is not None else \
            tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024, dir=self.spool_dir)
        start = spool.tell() if sink is not None else 0
        try:
            with ArchiveWriter(fmt.name, member.name, spool) as archive:
                for item in self.walker.open_archive(fmt.name, member):
                    if isinstance(item, MemberError):
                        if item.path == member.path:  # the archive itself cannot be read
                            raise CannotRewrite(item.message)
                        self.changes.append(FileChange(item.path, NOT_COPIED,
                                                       note=f"not copied: {item.message}"))
                        continue
                    if not isinstance(item, Member) or item.embedded:
                        continue  # (what its headers say: the rebuilt archive has none)
                    out = self._file(item)
                    if out.data is not None:
                        archive.add(item.path[prefix:], out.data)
        except BaseException:
            if sink is None:
                spool.close()
            else:
                spool.seek(start)
                spool.truncate()
            raise
        if sink is not None:
            written.data, written.sunk = b"", True
        else:
            spool.seek(0)
            written.data = spool.read()
            spool.close()
        return written


class ArchiveWriter:
    """A zip, tar (plain or compressed) or 7z written entry by entry to a file object."""

    def __init__(self, kind: str, name: str, out: BinaryIO) -> None:
        self.kind = kind
        if kind == "zip":
            self.archive: Any = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
        elif kind == "tar":
            lowered = name.lower()
            mode = "w:gz" if lowered.endswith((".gz", ".tgz")) else \
                "w:bz2" if lowered.endswith((".bz2", ".tbz", ".tbz2")) else \
                "w:xz" if lowered.endswith((".xz", ".txz")) else "w"
            self.archive = tarfile.open(fileobj=out, mode=mode)  # type: ignore[call-overload]
        else:
            import py7zr

            self.archive = py7zr.SevenZipFile(out, "w")

    def add(self, name: str, data: bytes) -> None:
        if self.kind == "zip":
            self.archive.writestr(name, data)
        elif self.kind == "tar":
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            self.archive.addfile(info, io.BytesIO(data))
        else:
            self.archive.writestr(data, name)

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.archive.close()


def _source_files(source: Path) -> list[tuple[Path, str]]:
    """Every entry under a source folder with its path relative to it (sorted)."""
    found = []
    for folder, dirs, files in os.walk(source, followlinks=False):
        dirs.sort()
        base = Path(folder)
        for name in sorted(files) + sorted(d for d in dirs if (base / d).is_symlink()):
            path = base / name
            found.append((path, path.relative_to(source).as_posix()))
    return found


def _redact_folder(redactor: _Redactor, source: Path, target: Path, workers: int) -> None:
    """Redact a folder's files on ``workers`` threads, a bounded number in flight."""

    def one(path: Path, relative: str, copy_as: str) -> None:
        shown = copy_as
        try:
            info = path.lstat()
        except OSError as error:
            redactor.changes.append(FileChange(shown, NOT_COPIED,
                                               note=f"not copied: cannot read ({error.strerror})"))
            return
        if stat.S_ISLNK(info.st_mode):
            redactor.changes.append(FileChange(shown, NOT_COPIED, note="symlink not followed"))
            return
        if not stat.S_ISREG(info.st_mode):
            redactor.changes.append(FileChange(shown, NOT_COPIED, note="not a regular file"))
            return
        if info.st_size > redactor.limits.max_member_bytes:
            redactor.changes.append(FileChange(shown, NOT_COPIED,
                                               note="larger than the member limit"))
            return
        try:
            data = path.read_bytes()
        except OSError as error:
            redactor.changes.append(FileChange(shown, NOT_COPIED,
                                               note=f"not copied: cannot read ({error.strerror})"))
            return
        member = member_at(relative, data, redactor.key)
        if member.path != copy_as:  # its masked name was another file's: written apart
            member = replace(member, path=copy_as)
        del data
        destination = target / member.path
        destination.parent.mkdir(parents=True, exist_ok=True)
        if formats.candidates(member)[0].kind == "archive":
            with destination.open("wb") as sink:
                out = redactor._file(member, sink)
            if out.data is None:
                destination.unlink()
            return
        out = redactor._file(member)
        if out.data is not None:
            destination.write_bytes(out.data)

    with ThreadPoolExecutor(max(1, workers), "notforsale-redact") as pool:
        pending: deque[Future[None]] = deque()
        taken: set[str] = set()
        for path, relative in _source_files(source):
            shown = "/".join(mask_name(part) for part in relative.split("/"))
            pending.append(pool.submit(one, path, relative, _free_name(shown, taken)))
            while len(pending) >= 2 * max(1, workers):
                pending.popleft().result()
        for future in pending:
            future.result()
    redactor.changes.sort(key=lambda change: change.path)


def _free_name(shown: str, taken: set[str]) -> str:
    """``shown`` (a masked path), or, when another file of the copy has it already (two IDs
    masked alike, a file named as a mask), the first free ``name (2).txt``, ``(3)``…; in any
    letter case (a copy may go to a file system that does not tell case apart)."""
    candidate, number = shown, 1
    folder, _, name = shown.rpartition("/")
    stem, dot, suffix = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{folder}/" * bool(folder) + f"{stem} ({number}){dot}{suffix}"
    taken.add(candidate.casefold())
    return candidate


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
        raise InputError(mask_path(str(source)), "no such file or folder")
    if not _empty_or_missing(target):
        raise DestinationError(f"{mask_path(str(target))} exists and is not empty (or is a "
                               "link); choose a new place")
    if target.resolve() == source.resolve() or source.resolve() in target.resolve().parents:
        raise DestinationError("the copy cannot be written inside the source")
    redactor = _Redactor(options, installation_key())
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{mask_name(target.name)}.", suffix=".partial",
                                    dir=target.parent))
    try:
        if source.is_dir():
            redactor.spool_dir = str(staging)
            _redact_folder(redactor, source, staging, options.workers)
            final = target
            _move_into_place(staging, target)
        else:
            data = source.read_bytes()
            member = member_at(source.name, data, redactor.key)
            redactor.root = member.path
            fmt = formats.candidates(member)[0]
            kind = fmt.name if fmt.kind == "archive" else None
            target_kind = _archive_kind_of_name(target.name)
            if target_kind is not None and target_kind != kind:
                found = f"a {kind}" if kind else "no"
                raise DestinationError(f"{mask_name(target.name)} names a {target_kind} "
                                       f"archive but {member.path} is {found} archive")
            redactor.spool_dir = str(staging)
            if target_kind is not None:  # an archive: written member by member, aside
                with (staging / "copy").open("wb") as sink:
                    out = redactor._file(member, sink)
                del data
            else:
                out = redactor._file(member)
            same_name_kind = target_kind is None and kind is None and \
                target.suffix.lower() == source.suffix.lower() and bool(source.suffix)
            if same_name_kind:  # redact a.pdf b.pdf: the copy is b.pdf itself
                final = target
                if out.data is not None:
                    written = staging / "copy"
                    written.write_bytes(out.data)
                    os.replace(written, target)
                shutil.rmtree(staging, ignore_errors=True)
            elif target_kind is None:
                final = target / member.path
                if out.data is not None:
                    (staging / member.path).write_bytes(out.data)
                _move_into_place(staging, target)
            else:
                final = target
                if out.data is not None:
                    os.replace(staging / "copy", target)
                shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    remaining, seen_again = _verify(final, source.is_dir(), options, redactor.hidden,
                                    redactor.video_checks, redactor.evidence) \
        if options.verify else (None, 0)
    return RedactReport(mask_path(str(source)), mask_path(str(final)), tuple(redactor.changes),
                        remaining, seen_again, dict(redactor.evidence))


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename the finished copy onto the destination (an empty folder is replaced)."""
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
    os.replace(staging, target)


def _verify(target: Path, folder: bool, options: RedactOptions,
            hidden: dict[str, tuple[tuple[int, int, int, int], ...]],
            video_checks: dict[str, Any] | None = None,
            evidence: dict[str, ImageEvidence] | None = None) -> tuple[ScanResult | None, int]:
    """The copy scanned again, and how many faces it saw on covered, detail-free regions.

    The images this run redacted as files of their own (not inside archives or documents)
    are checked by :func:`redact.check_images.check_image`, read from disk: faces on the
    copy's pixels every time (at 640 pixels, and in a crowd's band at 1280 as they were
    covered), text only where the redaction did not already rule it out — where it filled
    numbers, where it painted, or everywhere when it did not look (``--ocr never``);
    an image whose bytes are not the ones written is checked like any image. Everything
    else is scanned as in any scan.

    CenterFace can still see a blurred head in a crowd as a face. A face the re-scan finds
    is left out of what remains only when it sits on a region this run covered *and* that
    region was measured on the written copy to hold no fine detail (:func:`smooth`); any
    other face, number or document counts. Videos are checked by their own check
    (:func:`redact.video.verify_video`, run on the bytes written), which samples frames
    more densely than the redaction did; a video the re-scan meets without such a check
    is read as in any scan.
    """
    from ..model import Explanation, Finding, LocatedFinding, Location, ScanError
    from ..scan import ScanOptions, scan_path

    if not target.exists():
        return ScanResult(0), 0
    checks = video_checks or {}
    # Verification reads images at least as hard as the default: a copy made with
    # --ocr never must not pass because its check skipped the images too.
    ocr = "always" if options.ocr == "always" else "auto"
    scan_options = ScanOptions(ocr=ocr, limits=options.limits, videos=not checks)
    own, rest = _split_copy(target, evidence or {}, options) if ocr == "auto" else ([], [])
    if not own:
        result = scan_path(target, scan_options)
    else:
        result = scan_path(rest, scan_options) if rest else ScanResult(0)
    root = mask_path(str(target))
    prefix = len(root) + (1 if folder else 0)
    kept = [item for item in result.findings if not (
        item.finding.type == FACE and item.location.box is not None
        and _on_hidden(item.location.box, hidden.get(item.location.path[prefix:], ())))]
    seen_again = len(result.findings) - len(kept)
    skipped = []
    errors = list(result.errors)
    for item in result.skipped:
        check = checks.get(item.path[prefix:])
        if check is None:
            skipped.append(item)
            continue
        seen_again += check.covered_seen_again
        for face in check.faces_left:
            kept.append(LocatedFinding(
                Location(item.path, box=tuple(round(v) for v in face.box),
                         time=(round(face.time, 3), round(face.time, 3))),
                Finding(FACE, 0, 0, face.score, "face", "", "centerface",
                        Explanation("CenterFace detection", ("on the copy, with detail",)))))
        kept.extend(LocatedFinding(Location(item.path, field="video frames"), finding)
                    for finding in check.numbers_left)
        errors.extend(ScanError(item.path, mask_name(problem)) for problem in check.problems)
    files, images = result.files, result.images
    if own:
        mine = _check_own(own, options, {(item.location.path, item.finding.fingerprint)
                                         for item in kept
                                         if item.location.field == "folder name"})
        files += mine.files
        images += mine.images
        kept.extend(mine.findings)
        errors.extend(mine.errors)
        seen_again += mine.seen_again
        kept.sort(key=lambda item: item.location.path)
        errors.sort(key=lambda error: error.path)
    return replace(result, files=files, images=images, findings=tuple(kept),
                   skipped=tuple(skipped), errors=tuple(errors), counts=None,
                   store=None), seen_again


def _split_copy(target: Path, evidence: dict[str, ImageEvidence], options: RedactOptions
                ) -> tuple[list[tuple[Path, ImageEvidence]], list[Path]]:
    """The copy's files: (file, evidence) of the images this run redacted as files of their
    own, and the paths of everything else (for the scan)."""
    if not evidence:
        return [], []
    if target.is_file():
        found = evidence.get("")
        return ([(target, found)], []) if found is not None and _plain(target, options) \
            else ([], [target])
    own, rest = [], []
    for path, relative in _source_files(target):
        found = evidence.get(relative)
        if found is not None and _plain(path, options):
            own.append((path, found))
        else:
            rest.append(path)
    return own, rest


def _plain(path: Path, options: RedactOptions) -> bool:
    """A regular file (no link) within the member limit."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= options.limits.max_member_bytes


@dataclass
class _OwnChecks:
    files: int = 0
    images: int = 0
    findings: list[Any] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)
    seen_again: int = 0


def _check_own(own: list[tuple[Path, ImageEvidence]], options: RedactOptions,
               folders_found: set[tuple[str, str]]) -> _OwnChecks:
    """Check each image of ``own`` from disk (``workers`` at once), with the findings in
    its file's and folders' names, as a scan of the copy would report them."""
    from ..model import LocatedFinding, Location, ScanError

    key = installation_key()
    out = _OwnChecks()

    def one(path: Path, found: ImageEvidence) -> tuple[Member | None, Any]:
        try:
            data = path.read_bytes()
        except OSError as error:
            shown = "/".join(mask_name(part) for part in str(path).split("/"))
            return None, ScanError(shown, f"cannot read ({error.strerror})")
        member = member_at(str(path), data, key)
        try:
            with PIXELS.reserve(pixels(data)):
                return member, check_image(member.path, data, found)
        except ImageError as error:
            return member, ScanError(member.path, mask_name(str(error)))
        except Exception as error:  # noqa: BLE001 - one file's failure is its record
            return member, ScanError(member.path, f"could not be read "
                                                  f"({type(error).__name__})")

    with ThreadPoolExecutor(max(1, options.workers), "notforsale-verify") as pool:
        results = list(pool.map(lambda pair: one(*pair), own))
    seen_folders: set[str] = set()
    for member, checked in results:
        if member is not None:
            out.findings.extend(LocatedFinding(Location(member.path, field="file name"), f)
                                for f in member.name_findings)
            for folder_print, shown, folder_found in member.folders:
                if folder_print in seen_folders:
                    continue
                seen_folders.add(folder_print)
                out.findings.extend(
                    LocatedFinding(Location(shown, field="folder name"), f)
                    for f in folder_found if (shown, f.fingerprint) not in folders_found)
        if isinstance(checked, ScanError):
            out.errors.append(checked)
            continue
        out.files += 1
        out.images += 1
        out.findings.extend(checked.findings)
        out.seen_again += checked.seen_again
        log.debug("verified %s: %s", member.path if member else "?", "; ".join(checked.looked))
    return out


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
