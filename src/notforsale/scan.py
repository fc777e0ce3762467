"""Scan whole inputs — files, folders, nested archives, standard input — into a ScanResult.

The flow, as two steps:

- **per member** (:func:`read_member`, :func:`image_member`): a pure function of a
  member's bytes, the options and the key. The format registry (:mod:`read.formats`)
  says what the member is; a document's units go through the text engine, an image
  through face detection, OCR and EXIF (:mod:`vision.analyze`, on a small thread pool
  with a bounded number in flight, so memory stays flat however large the pack).
  Every member ends in exactly one state — ``read``, ``skipped`` (format not
  understood, named) or ``error`` — and hands on its findings, errors and evidence
  for linking. Members inside a member (attachments, embedded images, rendered
  pages) are read the same way.
- **reduce** (:class:`link.profiles.Reducer`): evidence from every member becomes
  profiles at the end.

A member that cannot be read becomes a ScanError and the scan goes on.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import InputError
from .fingerprint import installation_key, key_id
from .link.identity import FaceIdentity, identify, identify_tracks
from .link.profiles import LINE, ROW, ImageEvidence, NameRef, RecordEvidence, Reducer, Values
from .model import (
    FACE,
    Explanation,
    Finding,
    LocatedFinding,
    Location,
    ProfileEntity,
    ScanError,
    ScanResult,
    Skipped,
)
from .read import formats
from .read.images import IMAGE_SUFFIXES, PIXELS, ImageError, image_tail, pixels, tail_name
from .read.limits import Limits
from .read.member import (
    Container,
    FolderFindings,
    Member,
    MemberError,
    PathKeys,
    Piece,
    follow,
    member_at,
    name_print,
)
from .read.units import Part, PartError, ReadContext, TextUnit
from .read.walk import Walker
from .store.results import ResultsStore
from .text.engine import scan_hits
from .text.mask import mask_name
from .vision.analyze import ImageOptions, analyze
from .vision.faces import DEFAULT_THRESHOLD

log = logging.getLogger(__name__)

#: Finding types that are not identity values (never linked into profiles).
NOT_IDENTITY = frozenset({FACE, "EXIF_GPS", "EXIF_SERIAL", "EXIF_DATETIME"})

#: The states a member ends in.
READ, SKIPPED, ERROR = "read", "skipped", "error"


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
    #: Read videos (off: they are skipped and listed; the redaction's own check reads them).
    videos: bool = True
    #: Where the per-member step runs: ``threads``, ``processes`` or ``ray``
    #: (:mod:`executors`); ``ray_address`` is the cluster's (``auto``: a local one).
    executor: str = "threads"
    ray_address: str | None = None


Progress = Callable[[str], None]


@dataclass
class MemberResult:
    """What one member gave: its state, findings, errors and evidence (all as shown)."""

    path: str
    state: str = READ
    format: str = ""
    embedded: bool = False
    image: bool = False
    findings: list[LocatedFinding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    skipped: Skipped | None = None
    records: list[RecordEvidence] = field(default_factory=list)
    image_evidence: ImageEvidence | None = None
    #: Identity values of the whole member (for files that share a stem or a group).
    entities: list[ProfileEntity] = field(default_factory=list)
    #: A document's values and the records they form, packed (its entities and records).
    values: Values | None = field(default=None, repr=False)
    thumbnail: bytes | None = None
    keys: PathKeys | None = None
    group: str | None = None
    parent_record: tuple[str, int] | None = None
    #: Findings past the member's cap: counted, not kept (nor linked).
    not_kept: int = 0
    #: Findings kept, by type: the cap is per type (30,000 phones do not hide one ID).
    kept_by_type: dict[str, int] = field(default_factory=dict, repr=False)
    #: Members inside it are grouped with it for linking (an e-mail and its attachments).
    owns_group: bool = False
    #: A piece of a large file: where it stands, and the last record number it read.
    piece: Piece | None = None
    rows: int = 0
    #: Its faces' descriptors or why they have none (biometric: in memory, never stored).
    faces_identity: tuple[FaceIdentity, ...] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, member: Member, **fields: object) -> MemberResult:
        """A result for ``member``, with its linking keys and its file name's values."""
        result = cls(member.path, embedded=member.embedded, keys=member.keys,
                     group=member.group, parent_record=member.parent_record,
                     piece=member.piece, **fields)  # type: ignore[arg-type]
        return result


def locate(text: str, path: str, findings: list[Finding], line_offset: int = 0,
           **where: object) -> list[LocatedFinding]:
    """Attach 1-based line and column numbers to findings (in text order)."""
    return [LocatedFinding(Location(path, line, column, **where), finding)  # type: ignore[arg-type]
            for finding, (line, column) in zip(
                findings, _lines(text, [f.start for f in findings], line_offset), strict=True)]


def _lines(text: str, starts: list[int], line_offset: int = 0) -> list[tuple[int, int]]:
    """1-based (line, column) of each offset of ``starts`` (in text order)."""
    out = []
    line, counted_to, line_start = 1 + line_offset, 0, 0
    for start in starts:
        newlines = text.count("\n", counted_to, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted_to, start) + 1
        counted_to = start
        out.append((line, start - line_start + 1))
    return out


def _entity(finding: Finding) -> ProfileEntity:
    return ProfileEntity(finding.type, finding.masked, finding.fingerprint)


def _names_an_image(text: str) -> bool:
    stripped = text.strip().lower()
    return len(stripped) < 260 and stripped.endswith(tuple(IMAGE_SUFFIXES))


#: Text units scanned in one call of the engine (a table piece's cells, joined: a call per
#: cell cost more than the cell's scan).
UNIT_BATCH = 2048


def read_member(member: Member, fmt: formats.Format, options: ScanOptions, key: bytes
                ) -> Iterator[Member | MemberResult]:
    """A document read: nested members as they come, then its :class:`MemberResult`.

    Raises :class:`InputError` when the member cannot be read in this format at all
    (the caller may try the next candidate format).
    """
    assert fmt.reader is not None
    ctx = ReadContext(key, options.limits, render_pages=options.faces or options.ocr != "never")
    result = MemberResult.of(member, format=fmt.name)
    values = result.values = Values()
    for f in member.name_findings:
        if f.score >= options.min_score:
            values.add(f)
    pending: list[TextUnit] = []
    read: set[tuple[bytes, tuple[str, int] | None, str | None]] = set()
    for part in fmt.reader(member, ctx):
        if isinstance(part, Member):
            if part.embedded:
                # a part holding the bytes of one read already (the same picture on 280
                # pages, drawn 4,000 times, a fax's blank pages) is read once, where it
                # first is, unless a record of the document ties it elsewhere: its bytes
                # are checked (those of the part read), so no part goes unread
                seen = (hashlib.sha256(part.data).digest(), part.parent_record, part.group)
                if seen in read:
                    continue
                read.add(seen)
            if part.group == member.path:
                result.owns_group = True
            yield part
        elif isinstance(part, PartError):
            result.errors.append(ScanError(f"{member.path} ({part.where})", part.message))
        else:
            pending.append(part)
            if len(pending) >= UNIT_BATCH:
                _add_units(result, member, pending, options, key)
                pending = []
    _add_units(result, member, pending, options, key)
    if result.errors:
        result.state = ERROR
    yield result


def _add_units(result: MemberResult, member: Member, units: list[TextUnit],
               options: ScanOptions, key: bytes) -> None:
    """Units' findings into the member's result, in the units' order: located and kept up
    to the member's cap (the rest counted, not kept), every one an identity value of the
    member and of its record (the unit's record, else the finding's line)."""
    if not units:
        return
    path = member.path
    cap = options.limits.max_findings_per_member
    values = result.values
    assert values is not None
    found_all = scan_hits([unit.text for unit in units], [unit.hint for unit in units],
                          min_score=options.min_score, key=key)
    for unit, found in zip(units, found_all, strict=True):
        record = unit.record
        if record is not None:
            if record > result.rows:
                result.rows = record
            if "." in unit.text and _names_an_image(unit.text):
                cell = unit.text.strip()
                base = cell.replace("\\", "/").rsplit("/", 1)[-1]
                values.names.setdefault(record, []).append(NameRef(
                    name_print(key, base), follow(key, member.keys.folder, cell),
                    member.keys.folder[-1] if member.keys.folder else ""))
        if not found:
            continue
        counts = result.kept_by_type
        taken = []
        for index, hit in enumerate(found):
            count = counts.get(hit.type, 0)
            if count < cap:
                counts[hit.type] = count + 1
                taken.append(index)
        if unit.whole_text:
            lines = _lines(unit.text, [hit.start for hit in found], unit.line_offset)
            kept = [LocatedFinding(Location(path, lines[i][0], lines[i][1], page=unit.page,
                                            part=unit.part, field=unit.field),
                                   found[i].finding()) for i in taken]
        else:
            kept = [LocatedFinding(Location(path, row=unit.row, field=unit.field,
                                            page=unit.page, part=unit.part), found[i].finding())
                    for i in taken]
        if record is not None:
            for hit in found:
                values.add(hit, ROW, record)
        elif unit.whole_text:
            for hit, (line, _) in zip(found, lines, strict=True):
                values.add(hit, LINE, line)
        else:
            for hit in found:
                values.add(hit, LINE, 0)
        result.findings.extend(kept)
        result.not_kept += len(found) - len(kept)  # not kept as findings; still linked


def image_member(member: Member, options: ImageOptions, min_score: float = 0.0
                 ) -> MemberResult:
    """An image's faces, text and EXIF (a pure function of its bytes and the options)."""
    result = MemberResult.of(member, format="image", image=True)
    try:
        with PIXELS.reserve(pixels(member.data)):
            report = analyze(member.path, member.data, options)
            result.faces_identity = identify(member.path, member.data, report.faces)
    except ImageError as error:
        result.state = ERROR
        result.errors.append(ScanError(member.path, mask_name(str(error))))
        return result
    faces = []
    for face in report.faces:
        location = Location(member.path, box=face.box)
        faces.append(location)
        result.findings.append(LocatedFinding(location, Finding(
            FACE, 0, 0, face.score, "face", "", "centerface",
            Explanation("CenterFace detection", (f"score {face.score:.2f}",)))))
    entities = []
    for hit in report.text_hits:
        result.findings.append(LocatedFinding(Location(member.path, box=hit.box), hit.finding))
        entities.append(_entity(hit.finding))
    result.findings.extend(LocatedFinding(Location(member.path, field="EXIF"), f)
                           for f in report.exif)
    for where, finding in report.metadata:
        result.findings.append(LocatedFinding(Location(member.path, field=where), finding))
        entities.append(_entity(finding))
    _picture_evidence(result, member, faces, entities, "image", min_score)
    result.thumbnail = report.thumbnail
    return result


def _picture_evidence(result: MemberResult, member: Member, faces: list[Location],
                      entities: list[ProfileEntity], kind: str, min_score: float) -> None:
    """An image's or a video's linking evidence: its faces, the numbers it shows, and the
    numbers in its file name, each tied to it."""
    result.image_evidence = ImageEvidence(member.path, tuple(faces))
    result.records.append(RecordEvidence(tuple(entities), (member.path,), (),
                                         f"face and number in one {kind}", member.path, None))
    named = tuple(_entity(f) for f in member.name_findings if f.score >= min_score)
    result.records.append(RecordEvidence(named, (member.path,), (),
                                         f"number in the {kind}'s file name", member.path,
                                         None))


def guarded(step: Callable[..., MemberResult], member: Member, *args: object) -> MemberResult:
    """The member boundary: whatever a step raises becomes this member's error record."""
    try:
        return step(member, *args)
    except Exception as error:  # noqa: BLE001 - any failure of one member is a record
        log.debug("member step failed: %s", type(error).__name__)
        return MemberResult.of(member, state=ERROR, errors=[ScanError(
            member.path, f"could not be read ({type(error).__name__})")])


def video_member(member: Member, options: ScanOptions, key: bytes) -> MemberResult:
    """A video's face tracks (one finding per person on screen, with first and last time),
    the numbers read off its frames, and its identifying metadata."""
    from .read.video import VideoError
    from .vision.track_faces import BestLooks
    from .vision.video import VideoOptions, scan_video

    result = MemberResult.of(member, format="video", image=False)
    looks = BestLooks()  # each track's best look, to embed for persons
    try:
        report = scan_video(member.data, member.path, VideoOptions(
            faces=options.faces, face_threshold=options.face_threshold, ocr=options.ocr,
            thumbnails=options.thumbnails, key=key, frame_hook=looks))
    except VideoError as error:
        result.state = ERROR
        result.errors.append(ScanError(member.path, mask_name(str(error))))
        return result
    faces = []
    for track in report.tracks:
        location = Location(member.path, box=tuple(round(v) for v in track.box),  # type: ignore[arg-type]
                            time=(track.first, track.last))
        faces.append(location)
        result.findings.append(LocatedFinding(location, Finding(
            FACE, 0, 0, track.score, "face", "", "centerface",
            Explanation("CenterFace detection, tracked", (f"score {track.score:.2f}",
                                                          f"seen on {track.looks} looks")))))
    entities = []
    for hit in report.text_hits:
        result.findings.append(LocatedFinding(Location(
            member.path, box=tuple(round(v) for v in hit.box), time=(hit.first, hit.last)),  # type: ignore[arg-type]
            hit.finding))
        entities.append(_entity(hit.finding))
    result.findings.extend(LocatedFinding(Location(member.path, field="video metadata"), f)
                           for f in report.metadata)
    _picture_evidence(result, member, faces, entities, "video", options.min_score)
    result.faces_identity = identify_tracks(faces, looks, report.tracks)
    result.thumbnail = report.thumbnail
    if not report.complete:
        result.state = ERROR
        result.errors.append(ScanError(member.path, mask_name(
            f"video not read to its end: {report.problem}")))
    return result


def member_step(member: Member, options: ScanOptions, key: bytes) -> list[Member | MemberResult]:
    """The per-member step: a pure function of a member, the options and the key.

    It gives the member's results (one, or one per format tried and failed) and the members
    found inside it (attachments, embedded images, rendered pages), which the driver walks
    like any other (its limits apply to them). Whatever a reader raises ends as this
    member's error record.
    """
    fmt = formats.candidates(member)
    if fmt[0].kind in ("image", "video"):
        if fmt[0].kind == "video" and not options.videos:
            result = MemberResult.of(member, state=SKIPPED, format="video")
            result.skipped = Skipped(member.path, fmt[0].label, "videos not read here")
            return [result]
        if fmt[0].kind == "image":
            out: list[Member | MemberResult] = [guarded(image_member, member, ImageOptions(
                options.faces, options.ocr, options.face_threshold, options.thumbnails),
                options.min_score)]
            tail = image_tail(member.data)  # a zip or a text hidden behind the picture
            if tail:
                out.insert(0, member.child(tail_name(tail), tail, key, embedded=True))
            return out
        return [guarded(video_member, member, options, key)]
    out = _read_document(member, fmt, options, key)
    if member.piece is not None and member.piece.index:
        where = f" (from line {member.piece.lines_before + 1})"
        for item in out:
            if isinstance(item, MemberResult):
                item.errors = [ScanError(e.path + where, e.message) for e in item.errors]
    return out


def _read_document(member: Member, candidates: list[formats.Format], options: ScanOptions,
                   key: bytes) -> list[Member | MemberResult]:
    readable = [fmt for fmt in candidates if fmt.reader is not None]
    if not readable:
        fmt = candidates[0]
        result = MemberResult.of(member, state=SKIPPED, format=fmt.name)
        result.entities.extend(_entity(f) for f in member.name_findings
                               if f.score >= options.min_score)
        inside = _zip_inside(member, key) if fmt is formats.UNKNOWN else []
        if inside:  # a self-extracting archive: a program, then its zip
            result.skipped = Skipped(member.path, fmt.label, "not read itself: the archive "
                                                             "it holds is read (self-extracting?)")
            return [*inside, result]
        result.skipped = Skipped(member.path, fmt.label, fmt.note or "not read")
        return [result]
    failure: InputError | None = None
    for fmt in readable:
        out: list[Member | MemberResult] = []
        try:
            out.extend(read_member(member, fmt, options, key))
            return out
        except InputError as error:
            nested = [item for item in out if isinstance(item, Member)]
            if nested:  # part of it was read in this format: it is this format
                return [*nested, MemberResult.of(member, state=ERROR, format=fmt.name,
                                                 errors=[ScanError(member.path, error.reason)])]
            failure = failure or error
        except Exception as error:  # noqa: BLE001 - the member boundary: a record
            log.debug("reader %s failed: %s", fmt.name, type(error).__name__)
            nested = [item for item in out if isinstance(item, Member)]
            return [*nested, MemberResult.of(member, state=ERROR, format=fmt.name, errors=[
                ScanError(member.path, f"could not be read as {fmt.label} "
                                       f"({type(error).__name__})")])]
    assert failure is not None
    # "%PDF-…" then a zip: what an unzip tool opens is read too
    return [*_zip_inside(member, key), MemberResult.of(
        member, state=ERROR, format=readable[0].name,
        errors=[ScanError(member.path, failure.reason)])]


def _zip_inside(member: Member, key: bytes) -> list[Member | MemberResult]:
    """The zip (or, past a program, the 7z) a member no reader reads holds after a prefix,
    as a member of its own."""
    zipped = formats.zip_inside(member.data)
    if zipped is not None:
        return [member.child("(zip inside).zip", zipped, key, embedded=True)]
    packed = formats.seven_z_inside(member.data)
    return [] if packed is None else [member.child("(7z inside).7z", packed, key,
                                                   embedded=True)]


def scan_path(path: str | Path | Iterable[str | Path], options: ScanOptions | None = None,
              progress: Progress | None = None, base: str | Path | None = None,
              store: str | Path | None = None, resume: bool = False) -> ScanResult:
    """Scan files, folders and archives (``-`` is standard input) into one result; paths
    are shown relative to ``base`` when it is given. Results go to a store (SQLite) as
    they come: in memory while small, spilled to the data directory when not, or the file
    ``store`` (kept). ``resume`` goes on with the scan ``store`` holds: the inputs it
    finished are not read again."""
    paths = [path] if isinstance(path, str | Path) else list(path)
    return _Scan(options or ScanOptions(), progress, base, store, resume).run(paths)


#: Seconds between commits of a kept store (what a resume starts from).
COMMIT_EVERY = 2.0


class _Scan:
    """The driver: walk, send members to the executor in batches, collect their outputs in
    the order sent, reduce at the end."""

    def __init__(self, options: ScanOptions, progress: Progress | None,
                 base: str | Path | None = None, store: str | Path | None = None,
                 resume: bool = False) -> None:
        self.options = options
        self.base = base
        self.progress = progress
        self.key = installation_key()
        self.store = self._open_store(store, resume)
        self.walker = Walker(options.limits, self.key,
                             skip=self.store.is_done if resume else None)
        self.reducer = Reducer(self.key, self.store)
        if resume:
            self.reducer.resumed()
        self.files = self.store.counter("files")
        self.images = self.store.counter("images")
        self.videos = self.store.counter("videos")
        self.kept = self.store.total("findings")  # findings kept (the scan's cap counts these)
        self.folders_seen: set[str] = set()
        self.batch: list[Member] = []
        self.batch_tags: list[str] = []
        self.batch_size = 0
        self.queue: deque[tuple[Any, list[str], int]] = deque()
        self.in_flight_bytes = 0
        self.outstanding: dict[str, int] = {}
        self.partial: set[str] = set()  # inputs some of whose results are in, not all
        self.walked: set[str] = set()  # inputs walked to their end, members outstanding
        self.tag = ""
        self.last_commit = time.monotonic()
        self.executor: Any = None

    def _open_store(self, path: str | Path | None, resume: bool) -> ResultsStore:
        settings = repr(replace(self.options, workers=0, executor="", ray_address=None))
        if path is not None and Path(path).exists() and not resume:
            raise InputError(str(path), "the results store exists: --resume to go on with "
                                        "its scan, or name a new file")
        if resume and (path is None or not Path(path).exists()):
            raise InputError(str(path), "no results store to resume from")
        store = ResultsStore(path)
        if resume:
            if store.meta("key_id") != key_id(self.key):
                store.close()
                raise InputError(str(path), "the store's scan used another fingerprint key: "
                                            "refused")
            if store.meta("settings") != settings:
                store.close()
                raise InputError(str(path), "the store's scan used other settings: refused")
        else:
            store.set_meta("key_id", key_id(self.key))
            store.set_meta("settings", settings)
        return store

    def run(self, paths: list[str | Path]) -> ScanResult:
        from . import executors

        stopped = ""
        self.executor = executors.make(self.options, self.key)
        try:
            for step in (self._walk, self._drain):  # what was sent is collected either way
                try:
                    step(paths)
                except executors.KeyMismatch:
                    raise
                except Exception as error:  # noqa: BLE001 - report what was done
                    stopped = stopped or f"the scan stopped early ({type(error).__name__}); " \
                                         "what was read before is reported"
                    log.debug("scan stopped: %r", type(error))
            if not stopped:
                self._top(None)
        finally:
            self.executor.close()
        if stopped:
            self.store.add_errors([ScanError("(scan)", stopped)])
        return self._result(stopped)

    def _walk(self, paths: list[str | Path]) -> None:
        for item in self._items(paths):
            self._dispatch(item)

    def _drain(self, paths: list[str | Path]) -> None:
        # Members found inside the last ones collected (attachments, embedded images) join
        # a batch of their own: sent too, until nothing is left (batches of more than one
        # member left them unsent).
        self._flush()
        while self.queue:
            self._receive()
            self._flush()

    def _result(self, stopped: str) -> ScanResult:
        """The result, read from the store: whole when the scan was small, else rows read
        as they are asked for (the report streams them)."""
        store = self.store
        profiles = self.reducer.profiles()
        store.commit()
        faces, with_faces = store.face_counts()
        counts = {"faces": faces, "images_with_faces": with_faces,
                  "entities": store.entity_counts()}
        if not store.spilled:
            result = ScanResult(self.files, tuple(store.findings()), tuple(store.errors()),
                                self.images, profiles, tuple(store.skipped()),
                                store.thumbnails(), self.videos, store.not_kept(), stopped,
                                counts={"entities": counts["entities"]})
            store.close()
            return result
        return ScanResult(self.files, store.findings(), store.errors(), self.images, profiles,
                          store.skipped(), store.thumbnails(), self.videos, store.not_kept(),
                          stopped, counts=counts, store=store)

    def _items(self, paths: list[str | Path]) -> Iterator[Member | MemberError | Container]:
        for path in paths:
            if str(path) == "-":
                self._stdin()
                continue
            yield from self.walker.walk(path, self.base)

    def _stdin(self) -> None:
        """Standard input, streamed: scanned piece by piece (lines kept), never held whole."""
        from .read.text_files import stdin_pieces

        def pieces(member: Member, ctx: ReadContext) -> Iterator[Part]:
            for lines, text in stdin_pieces():
                self.walker.budget.take_input(len(text))
                yield TextUnit(text, whole_text=True, line_offset=lines)

        stream = formats.Format("stdin", "standard input", reader=pieces)
        member = member_at("-", b"", self.key)
        try:
            for out in read_member(member, stream, self.options, self.key):
                if isinstance(out, MemberResult):
                    self._collect(out, "")
        except InputError as error:
            self._collect(MemberResult.of(member, state=ERROR, errors=[
                ScanError("-", error.reason)]), "")

    def _keep(self, items: list[LocatedFinding], path: str) -> list[LocatedFinding]:
        """What the scan's cap lets in of ``items`` (the rest counted, not kept)."""
        room = max(0, self.options.limits.max_findings - self.kept)
        kept = items[:room]
        if len(kept) < len(items):
            self.store.add_not_kept(path, len(items) - len(kept))
        self.kept += len(kept)
        self.store.add_findings(kept)
        return kept

    def _names(self, path: str, found: tuple[Finding, ...], folders: FolderFindings) -> None:
        """Findings in a file's own name and in its folders' names (each folder once)."""
        self._keep([LocatedFinding(Location(path, field="file name"), finding)
                    for finding in found if finding.score >= self.options.min_score], path)
        for folder_print, shown, folder_found in folders:
            if folder_print in self.folders_seen:
                continue
            self.folders_seen.add(folder_print)
            if self.store.is_done("folder:" + folder_print):
                continue  # told by the scan this one resumes
            self.store.done("folder:" + folder_print)
            kept = [f for f in folder_found if f.score >= self.options.min_score]
            self._keep([LocatedFinding(Location(shown, field="folder name"), f) for f in kept],
                       shown)
            self.reducer.add_folder(folder_print, shown, [_entity(f) for f in kept])

    # -- sending and receiving ----------------------------------------------------------

    def _dispatch(self, item: Member | MemberError | Container, tag: str | None = None) -> None:
        if tag is None:
            tag = self._top(self.walker.current)
        if isinstance(item, MemberError):
            self.store.add_errors([ScanError(item.path, item.message)])
            self._names(item.path, item.name_findings, ())
            return
        if isinstance(item, Container):
            self._names(item.path, item.name_findings, item.folders)
            return
        member = item
        if member.depth > self.options.limits.max_depth:
            self.store.add_errors([ScanError(member.path, f"nested deeper than "
                                                          f"{self.options.limits.max_depth} "
                                                          "levels")])
            return
        if self.progress:
            self.progress(member.path)
        self._names(member.path, member.name_findings, member.folders)
        self.outstanding[tag] = self.outstanding.get(tag, 0) + 1
        self.batch.append(member)
        self.batch_tags.append(tag)
        self.batch_size += len(member.data)
        executor = self.executor
        if len(self.batch) >= executor.batch_members or self.batch_size >= executor.batch_bytes:
            self._flush()

    def _top(self, current: str | None) -> str:
        """The tag of the top-level input (or piece) now walked; the one before it is done
        once its last member is collected."""
        current = current or ""
        if current != self.tag:
            if self.tag:
                if self.outstanding.get(self.tag, 0):
                    self.walked.add(self.tag)  # done when its last member is collected
                else:
                    self._done(self.tag)
            self.tag = current
        return current

    def _done(self, tag: str) -> None:
        """An input walked to its end whose members are all collected."""
        self.walked.discard(tag)
        self.outstanding.pop(tag, None)
        self.partial.discard(tag)
        self.store.done(tag)

    def _flush(self) -> None:
        if not self.batch:
            return
        handle = self.executor.submit(self.batch)
        self.queue.append((handle, self.batch_tags, self.batch_size))
        self.in_flight_bytes += self.batch_size
        self.batch, self.batch_tags, self.batch_size = [], [], 0
        while self.queue and (len(self.queue) > self.executor.in_flight
                              or self.in_flight_bytes > self.executor.max_in_flight_bytes):
            self._receive()

    def _receive(self) -> None:
        handle, tags, size = self.queue.popleft()
        self.in_flight_bytes -= size
        for outputs, tag in zip(self.executor.result(handle), tags, strict=True):
            for out in outputs:
                if isinstance(out, Member):
                    self._nested(out, tag)
                else:
                    self._collect(out, tag)
            self.outstanding[tag] -= 1
            if not self.outstanding[tag] and tag in self.walked:
                self._done(tag)
        # A commit holds only whole inputs (a resumed scan reads again the one it was in).
        if self.store.kept and not self.partial and \
                time.monotonic() - self.last_commit > COMMIT_EVERY:
            self.store.commit()
            self.last_commit = time.monotonic()

    def _nested(self, member: Member, tag: str) -> None:
        refused = self.walker.budget.take_bytes(len(member.data))
        if refused:
            self.store.add_errors([ScanError(member.path, refused)])
            return
        for item in self.walker.expand(member):
            self._dispatch(item, tag)

    def _collect(self, result: MemberResult, tag: str) -> None:
        self.partial.add(tag)
        if result.piece is not None and result.piece.renumber:
            self._renumber(result, tag)
        if result.state == READ and (result.piece is None or result.piece.index == 0):
            self.files += 0 if result.embedded else 1
            self.images += 1 if result.image else 0
            self.videos += 1 if result.format == "video" else 0
            if self.store.kept:
                self.store.count("files", 0 if result.embedded else 1)
                self.store.count("images", 1 if result.image else 0)
                self.store.count("videos", 1 if result.format == "video" else 0)
        if result.not_kept:
            self.store.add_not_kept(result.path, result.not_kept)
        self._keep(result.findings, result.path)  # past the cap: counted, still linked
        self.store.add_errors(result.errors)
        if result.skipped is not None:
            self.store.add_skipped(result.skipped)
        if result.thumbnail:
            self.store.add_thumbnail(result.path, result.thumbnail)
        self.reducer.add(result)

    def _renumber(self, result: MemberResult, tag: str) -> None:
        """A table piece's rows, numbered as in the whole file (pieces come back in order)."""
        file_tag = "rows:" + tag.rsplit("#", 1)[0]
        offset = self.store.counter(file_tag)
        self.store.count(file_tag, result.rows)
        if not offset:
            return
        result.findings = [
            LocatedFinding(replace(item.location, row=item.location.row + offset), item.finding)
            if item.location.row is not None else item for item in result.findings]
        result.records = [replace(record, key=(record.key[0], record.key[1] + offset))
                          if record.key is not None else record for record in result.records]
        if result.values is not None:
            result.values.offset = offset
