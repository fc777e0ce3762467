"""Walk an input — a file, a folder, nested archives — into members with bytes.

Nothing is extracted to disk: archive members are read into memory one at a
time (each bounded by :class:`Limits`), so memory stays flat however large
the pack. Member paths name the whole way down, archive by archive:
``pack.zip!/第二批.zip!/faces/21.jpg`` — as shown: each name is masked as it is
read (see :mod:`read.member`), and the raw names are not kept.

Zip, tar (plain, gz, bz2, xz) and 7z are opened, nested to
``Limits.max_depth``. Zip member names are decoded as UTF-8 when the archive
says so, else as UTF-8 or GB18030 (Chinese zip tools write GBK names without
saying so). Encrypted members, bombs, corrupt archives, symlinks and paths
that climb out of the archive become :class:`MemberError` records.
"""

from __future__ import annotations

import io
import logging
import os
import posixpath
import queue
import stat
import struct
import tarfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..fingerprint import installation_key
from ..text.mask import mask_name
from . import pieces
from .formats import ZIP_DOCUMENT_SUFFIXES, looks_like_tar, plain_zip
from .limits import Budget, Limits
from .member import (
    SEP,
    Container,
    Folder,
    Item,
    Member,
    MemberError,
    error_at,
    folder_at,
    member_at,
    name_print,
)

log = logging.getLogger(__name__)

__all__ = ["SEP", "Container", "Item", "Member", "MemberError", "Walker", "archive_kind"]


def archive_kind(name: str, head: bytes) -> str | None:
    """'zip', '7z' or 'tar' when the bytes are an archive to open, else None."""
    lowered = name.lower()
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        # A docx is a zip: read as the document it is (one with no package in it is
        # told apart by the walker, see plain_zip). A tar or a 7z so named is an archive.
        return None if lowered.endswith(ZIP_DOCUMENT_SUFFIXES) else "zip"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if looks_like_tar(head):
        return "tar"
    compressed = _codec(head) is not None
    if compressed and (".tar." in lowered or lowered.endswith((".tgz", ".tbz2", ".tbz", ".txz"))):
        return "tar"
    if compressed and lowered.endswith((".gz", ".bz2", ".xz")):
        return "compressed"  # one file compressed on its own (leak.csv.gz)
    if compressed and not lowered.endswith(_NOT_STREAMS):
        return "compressed"  # a list.csv that is a gzip stream: read what is inside
    return None


#: Formats whose own bytes begin like a gzip stream (read by their own readers). No PDF,
#: PNG, JPEG, GIF or WebP does: one that starts like a stream is a stream.
_NOT_STREAMS = (".svgz", ".emz", ".wmz")


#: Refusals because a limit of the whole scan is spent (told once per archive).
_SPENT = ("total uncompressed limit reached", "file limit of")

#: Longest GNU long-name or pax header read from a tar (real ones are a few hundred bytes).
MAX_TAR_HEADER_BYTES = 1024 * 1024


#: The name given to a tar member whose long-name or pax header was too large to read.
TOO_LONG_NAME = "\x00(a name header too large to read)"


#: A block that is not a header (its checksum is wrong): tarfile's own error, not in its stubs.
_INVALID_HEADER: type[Exception] = tarfile.InvalidHeaderError  # type: ignore[attr-defined]


class _BoundedTarInfo(tarfile.TarInfo):
    """tarfile's TarInfo, not reading long-name and pax headers larger than a megabyte (the
    library reads them whole: a 2 GiB header would be read into memory). Such a header is
    skipped in blocks, and its member named :data:`TOO_LONG_NAME` (an error record; the
    members after it are read)."""

    def _skipped(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
        remaining = self._block(self.size)  # type: ignore[attr-defined]
        while remaining:
            chunk = tarfile_.fileobj.read(min(remaining, 1024 * 1024))  # type: ignore[union-attr]
            if not chunk:
                raise tarfile.ReadError("unexpected end of data")
            remaining -= len(chunk)
        following = self.fromtarfile(tarfile_)
        following.offset = self.offset
        following.name = TOO_LONG_NAME
        return following

    @classmethod
    def fromtarfile(cls, tarfile_: tarfile.TarFile) -> Any:  # type: ignore[override]
        """The next header, as tarfile reads it; but past the first, blocks that are no
        header (a broken checksum: a damaged header and its member's data) are skipped to
        the next good one, as GNU tar does, and counted (``skipped_bytes`` on the
        archive), up to ``skip_limit`` bytes. A block of zeros still ends the archive."""
        buf = tarfile_.fileobj.read(tarfile.BLOCKSIZE)  # type: ignore[union-attr]
        skipped = 0
        while True:
            try:
                obj = cls.frombuf(buf, tarfile_.encoding, tarfile_.errors)
                break
            except _INVALID_HEADER:
                if tarfile_.offset == 0 and not skipped:
                    raise  # the first header: not a tar
                skipped += tarfile.BLOCKSIZE
                if skipped > getattr(tarfile_, "skip_limit", 1 << 32):
                    raise tarfile.ReadError("damaged header: no good header after it "
                                            f"within {skipped} bytes") from None
                buf = tarfile_.fileobj.read(tarfile.BLOCKSIZE)  # type: ignore[union-attr]
        if skipped:
            tarfile_.skipped_bytes = getattr(tarfile_, "skipped_bytes", 0) + skipped  # type: ignore[attr-defined]
        obj.offset = tarfile_.fileobj.tell() - tarfile.BLOCKSIZE  # type: ignore[union-attr]
        return obj._proc_member(tarfile_)  # type: ignore[attr-defined]

    def _proc_gnulong(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:  # type: ignore[override]
        if self.size > MAX_TAR_HEADER_BYTES:
            return self._skipped(tarfile_)
        return super()._proc_gnulong(tarfile_)  # type: ignore[misc]

    def _proc_pax(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:  # type: ignore[override]
        if self.size > MAX_TAR_HEADER_BYTES:
            return self._skipped(tarfile_)
        return super()._proc_pax(tarfile_)  # type: ignore[misc]


#: Suffixes of a file compressed on its own, read as the container of one file.
_COMPRESSED_FILES = (".gz", ".bz2", ".xz")


def _codec(magic: bytes) -> Any:
    """The module that decompresses a stream starting with ``magic`` (gzip, bzip2, xz)."""
    import bz2
    import gzip
    import lzma

    for start, module in ((b"\x1f\x8b", gzip), (b"BZh", bz2), (b"\xfd7zXZ\x00", lzma)):
        if magic.startswith(start):
            return module
    return None


def compressed_name(name: str) -> str:
    """The name of the file a compressed one holds: leak.csv.gz holds leak.csv; a
    list.csv that is a gzip stream holds list.csv."""
    return (name.rsplit(".", 1)[0] if name.lower().endswith(_COMPRESSED_FILES) else name) \
        or "(unnamed)"


def decompressed(data: bytes, limit: int) -> bytes | None:
    """A gzip, bzip2 or xz stream decompressed, or None when it holds more than ``limit``
    bytes (read in bounded steps: a bomb is not inflated whole)."""
    with _decompressing(io.BytesIO(data), data[:6]) as handle:
        content: bytes = handle.read(limit + 1)
    return None if len(content) > limit else content


def compress_like(data: bytes, magic: bytes) -> bytes:
    """``data`` compressed with the codec ``magic`` names (gzip without a name, a comment
    or a time: its header says nothing)."""
    import gzip

    codec = _codec(magic)
    if codec is gzip:
        return gzip.compress(data, mtime=0)
    assert codec is not None
    return codec.compress(data)  # type: ignore[no-any-return]


class _XzStreams(io.RawIOBase):
    """Every stream of an .xz file, one after the other, over the stream padding between
    them (NUL bytes, as ``xz -dc`` reads them): Python's LZMAFile takes the padding for
    trailing garbage and stops after the first stream, silently."""

    _STEP = 1 << 16

    def __init__(self, source: Any) -> None:
        import lzma

        self._lzma = lzma
        self._owned = not hasattr(source, "read")
        self._source = open(source, "rb") if self._owned else source  # noqa: SIM115
        self._decompressor = lzma.LZMADecompressor()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        while True:
            if self._decompressor.eof:
                rest = self._decompressor.unused_data + self._pending
                self._pending = b""
                rest = rest.lstrip(b"\x00")
                while not rest:
                    more = self._source.read(self._STEP)
                    if not more:
                        return 0
                    rest = more.lstrip(b"\x00")
                self._decompressor = self._lzma.LZMADecompressor()
                self._pending = rest
            if self._decompressor.needs_input:
                data = self._pending or self._source.read(self._STEP)
                self._pending = b""
                if not data:
                    raise EOFError("xz stream cut short")
            else:
                data = b""
            out = self._decompressor.decompress(data, size)
            if out:
                buffer[:len(out)] = out
                return len(out)

    def close(self) -> None:
        if self._owned and not self.closed:
            self._source.close()
        super().close()


def _decompressing(source: Any, magic: bytes) -> Any:
    """``source`` (a path or a binary file object) read decompressed in bounded reads by the
    gzip, bz2 or xz reader its ``magic`` names; a file object without one as it is."""
    import lzma

    codec = _codec(magic)
    if codec is lzma:
        return io.BufferedReader(_XzStreams(source))
    return codec.open(source, "rb") if codec is not None else source


def _open_stream(file: Path, compressed: bool) -> Any:
    """``file`` opened for reading in binary, decompressed as it is read when asked."""
    if not compressed:
        return file.open("rb")
    with file.open("rb") as probe:
        magic = probe.read(6)
    if _codec(magic) is None:
        raise OSError(0, "not a gzip, bzip2 or xz stream")
    return _decompressing(file, magic)


def _gzip_declared_size(file: Path) -> int | None:
    """The size a gzip file's trailer gives for what it holds (modulo 4 GiB; the last
    member's: a hint that may lie, checked again while reading), None for another stream."""
    try:
        with file.open("rb") as handle:
            if handle.read(2) != b"\x1f\x8b":
                return None
            handle.seek(-4, 2)
            size: int = struct.unpack("<I", handle.read(4))[0]
            return size
    except (OSError, struct.error):
        return None


def _gzip_header_text(data: bytes) -> list[bytes]:
    """The extra field's subfields, the original file name and the comment a gzip header
    holds (RFC 1952), if any."""
    if data[:3] != b"\x1f\x8b\x08" or len(data) < 10:
        return []
    flags, at, said = data[3], 10, []
    if flags & 0x04:  # FEXTRA: subfields of two letters, a length, their bytes
        length = int.from_bytes(data[at:at + 2], "little")
        extra, at = data[at + 2:at + 2 + length], at + 2 + length
        while len(extra) >= 4:
            size = int.from_bytes(extra[2:4], "little")
            if extra[4:4 + size].strip(b"\x00"):
                said.append(extra[4:4 + size].strip(b"\x00"))
            extra = extra[4 + size:]
    for flag in (0x08, 0x10):  # FNAME, FCOMMENT: zero-terminated
        if flags & flag:
            end = data.find(b"\x00", at, at + 65536)
            if end < 0:
                break
            if end > at:
                said.append(data[at:end])
            at = end + 1
    return said


def open_zip(data: bytes) -> zipfile.ZipFile:
    """A zip archive; names flagged UTF-8 that are not valid UTF-8 are read as legacy names
    instead of failing the whole archive (the flag is cleared in a copy of the bytes)."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except UnicodeDecodeError:
        return zipfile.ZipFile(io.BytesIO(_without_bad_utf8_flags(data)))


def _without_bad_utf8_flags(data: bytes) -> bytes:
    """``data`` with the UTF-8 flag cleared on every entry whose name is not UTF-8."""
    fixed = bytearray(data)
    at = fixed.find(b"PK\x01\x02")
    while at != -1 and at + 46 <= len(fixed):
        name_length = int.from_bytes(fixed[at + 28:at + 30], "little")
        name = bytes(fixed[at + 46:at + 46 + name_length])
        flags = int.from_bytes(fixed[at + 8:at + 10], "little")
        if flags & 0x800:
            try:
                name.decode("utf-8")
            except UnicodeDecodeError:
                fixed[at + 8:at + 10] = (flags & ~0x800).to_bytes(2, "little")
                local = int.from_bytes(fixed[at + 42:at + 46], "little")
                if fixed[local:local + 4] == b"PK\x03\x04":
                    local_flags = int.from_bytes(fixed[local + 6:local + 8], "little")
                    fixed[local + 6:local + 8] = (local_flags & ~0x800).to_bytes(2, "little")
        at = fixed.find(b"PK\x01\x02", at + 46)
    return bytes(fixed)


def overlapping_entries(archive: zipfile.ZipFile, data: bytes) -> set[int]:
    """Ids of the entries whose data overlaps another entry's (Python 3.11's zipfile does
    not check: many directory entries pointing at one compressed block make a bomb)."""
    spans = []
    for info in archive.infolist():
        if info.filename.endswith("/"):
            continue
        start = info.header_offset
        head = data[start:start + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            continue
        end = start + 30 + int.from_bytes(head[26:28], "little") + \
            int.from_bytes(head[28:30], "little") + info.compress_size
        spans.append((start, end, id(info)))
    spans.sort()
    overlapping: set[int] = set()
    furthest_end, furthest_id = -1, None
    for start, end, ident in spans:
        if start < furthest_end:
            overlapping.add(ident)
            if furthest_id is not None:
                overlapping.add(furthest_id)
        if end > furthest_end:
            furthest_end, furthest_id = end, ident
    return overlapping


def _hidden_tail(info: zipfile.ZipInfo, data: bytes) -> str | None:
    """Data past a member's declared size (zipfile stops there, and a CRC of the declared
    part passes): the member is not trusted."""
    if info.compress_type == zipfile.ZIP_STORED:
        hidden = info.compress_size != info.file_size
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        head = data[info.header_offset:info.header_offset + 30]
        start = info.header_offset + 30 + int.from_bytes(head[26:28], "little") + \
            int.from_bytes(head[28:30], "little")
        try:
            out = zlib.decompressobj(-15).decompress(data[start:start + info.compress_size],
                                                     info.file_size + 1)
        except zlib.error:
            return None
        hidden = len(out) > info.file_size
    else:
        return None
    return "data past the member's declared size (a hidden tail?); not read" if hidden else None


def unclaimed_bytes(archive: zipfile.ZipFile, data: bytes) -> int:
    """Bytes between a zip's entries, and between the last one and its directory, that
    belong to no entry (data after a member's declared size hides from every reader that
    trusts the directory); a data descriptor's 16 bytes are not counted."""
    spans = []
    for info in archive.infolist():
        start = info.header_offset
        head = data[start:start + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            return 0  # not a plain layout: nothing is claimed
        spans.append((start, start + 30 + int.from_bytes(head[26:28], "little") +
                      int.from_bytes(head[28:30], "little") + info.compress_size))
    if not spans:
        return 0  # an empty archive (a copy whose only member was left out)
    spans.sort()
    directory = archive.start_dir  # type: ignore[attr-defined]
    unclaimed = 0
    for (_, end), following in zip(spans, [s for s, _ in spans[1:]] + [directory],
                                   strict=True):
        gap = following - end
        if gap > 16:
            unclaimed += gap
    return unclaimed


def opens(kind: str, data: bytes) -> bool:
    """Whether bytes that look like an archive of ``kind`` open as one (headers only)."""
    try:
        if kind == "zip":
            with open_zip(data):
                return True
        if kind == "7z":
            import py7zr

            with py7zr.SevenZipFile(io.BytesIO(data)) as archive:
                archive.list()
            return True
        if kind == "tar":
            with tarfile.open(fileobj=_decompressing(io.BytesIO(data), data[:6]), mode="r|",
                              tarinfo=_BoundedTarInfo) as archive:
                archive.next()
            return True
        if kind == "compressed":
            return True  # a bad stream is the member's error record (open_archive)
    except Exception:  # noqa: BLE001 - any failure to open means: not this archive
        return False
    return False


def _named_otherwise(member: Member) -> bool:
    from .formats import _BY_SUFFIX, suffix_of

    named = _BY_SUFFIX.get(suffix_of(member.name))
    return named is not None and named.kind != "archive" and named.readable


def _safe_member_name(name: str) -> str | None:
    """The member name inside its archive, or None if it climbs out of it."""
    cleaned = posixpath.normpath(name.replace("\\", "/")).lstrip("/")
    if cleaned in ("", ".") or cleaned == ".." or cleaned.startswith("../"):
        return None
    return cleaned


def _zip_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


class Walker:
    """Walks inputs under one :class:`Budget` (one per scan), with one fingerprint key."""

    def __init__(self, limits: Limits | None = None, key: bytes | None = None,
                 skip: Callable[[str], bool] | None = None) -> None:
        self.budget = Budget(limits or Limits())
        self.key = key if key is not None else installation_key()
        #: The print of the file (or piece of a large file) being walked; ``skip`` says,
        #: by that print, which ones a resumed scan has done already (they are not read).
        self.current: str | None = None
        self.skip = skip

    @property
    def limits(self) -> Limits:
        return self.budget.limits

    def walk(self, path: str | Path, base: str | Path | None = None) -> Iterator[Item]:
        """Every file under ``path`` (a file or a folder), archives opened. Paths are shown
        relative to ``base`` when given (the service shows an upload from its own name)."""
        root = Path(path)
        start = len(str(Path(base))) + 1 if base is not None else 0
        shown = "/".join(mask_name(part) for part in str(root)[start:].split("/"))
        if root.is_symlink():
            yield MemberError(shown, "symlink not followed")
        elif root.is_dir():
            yield from self._walk_folder(root, start)
        elif root.exists():
            yield from self._file(root, str(root)[start:])
        else:
            yield MemberError(shown, "no such file or folder")

    def _walk_folder(self, root: Path, start: int = 0) -> Iterator[Item]:
        for folder, dirs, files in os.walk(root, followlinks=False, onerror=None):
            dirs.sort()
            base = Path(folder)
            shared: Folder | None = None  # what its files share, made once for all of them
            for name in sorted(files) + [d for d in dirs if (base / d).is_symlink()]:
                file = base / name
                raw = str(file)[start:]
                if shared is None and "/" in raw:
                    shared = folder_at(raw.rsplit("/", 1)[0], self.key)
                yield from self._file(file, raw, shared)

    def _file(self, file: Path, raw: str, folder: Folder | None = None) -> Iterator[Item]:
        # ``file`` is used to open the file and nothing else: the member is shown from
        # ``raw`` (the path as the user named it, or relative to the walk's base).
        def shown() -> str:
            return "/".join(mask_name(part) for part in raw.split("/"))
        try:
            info = os.lstat(file)
        except OSError as error:
            yield error_at(shown(), f"cannot read ({error.strerror})", raw, self.key)
            return
        if stat.S_ISLNK(info.st_mode):
            yield error_at(shown(), "symlink not followed", raw, self.key)
            return
        if not stat.S_ISREG(info.st_mode):
            yield error_at(shown(), "not a regular file", raw, self.key)
            return
        self.current = "file:" + name_print(self.key, raw)
        if self.skip is not None and self.skip(self.current):
            return
        refused = self.budget.take_file()
        if refused:
            yield error_at(shown(), refused, raw, self.key)
            return
        suffix = file.suffix
        streamed = pieces.streamed_format(suffix)
        if streamed and info.st_size > self.limits.piece_bytes:
            yield from self._pieces(file, raw, shown(), streamed)
            return
        inner = pieces.streamed_format(Path(file.stem).suffix) \
            if suffix.lower() in _COMPRESSED_FILES else None
        if inner:  # leak.csv.gz: decompressed as it is read, in pieces, whatever its size
            yield from self._pieces(file, raw, shown(), inner, compressed=True)
            return
        if info.st_size > self.limits.max_member_bytes:
            yield error_at(shown(), f"larger than the member limit ({info.st_size} > "
                                    f"{self.limits.max_member_bytes} bytes)", raw, self.key)
            return
        try:
            with open(file, "rb", buffering=0) as handle:
                data = handle.readall()
        except OSError as error:
            yield error_at(shown(), f"cannot read ({error.strerror})", raw, self.key)
            return
        self.budget.take_input(len(data))
        yield from self.expand(member_at(raw, data, self.key, folder))

    def _pieces(self, file: Path, raw: str, shown: str, fmt: str, compressed: bool = False
                ) -> Iterator[Item]:
        """A large text file, piece by piece (:mod:`read.pieces`); only the first piece
        carries the file's name (its findings are told once). A compressed one
        (``leak.csv.gz``) is the container of its text, read as its member."""
        first: Member | None = None
        whole = self.current
        outer: Member | None = None
        stored = 0
        if compressed:
            try:
                stored = file.stat().st_size  # once: the trailer's check and the budget
            except OSError:
                stored = 0  # (the stream below says why it cannot be read)
            outer = member_at(raw, b"", self.key)
            yield Container(outer.path, outer.name_findings, outer.folders)
            try:
                with open(file, "rb") as handle:
                    said = _gzip_header_text(handle.read(1 << 17))
            except OSError:
                said = []  # (the stream below says why it cannot be read)
            if said:
                yield self._header_text(outer, "gzip header", said)
            declared = _gzip_declared_size(file)
            refused = self._ratio_refusal(declared, stored) if declared is not None else None
            if refused:  # a bomb by its own trailer: not read at all
                yield error_at(shown, refused, raw, self.key)
                return
        budget = max(self.limits.ratio_floor_bytes,
                     stored * self.limits.max_ratio) if compressed else None
        inflated = 0
        try:
            with _open_stream(file, compressed) as handle:
                for cut in pieces.pieces(handle, fmt, self.limits.piece_bytes,
                                         self.limits.max_member_bytes):
                    inflated += len(cut.data)
                    if budget is not None and inflated > budget:
                        yield error_at(shown, "compression ratio over the limit (a bomb?); "
                                              "read no further", raw if first is None
                                       else "", self.key)
                        return
                    self.current = f"{whole}#{cut.piece.index}"
                    if self.skip is not None and self.skip(self.current):
                        continue
                    if cut.error:
                        yield error_at(shown, cut.error, raw if first is None else "",
                                       self.key)
                        return
                    self.budget.take_input(len(cut.data))
                    if first is None:  # the file's name, without its bytes
                        first = replace(outer.child(file.stem, b"", self.key)
                                        if outer is not None else
                                        member_at(raw, b"", self.key), piece=cut.piece)
                    if cut.piece.index == 0:
                        yield replace(first, data=cut.data, piece=cut.piece)
                    else:
                        yield replace(first, data=cut.data, piece=cut.piece, name_findings=(),
                                      folders=())
        except (OSError, EOFError, zlib.error) as error:  # also a corrupt compressed stream
            reason = error.strerror if isinstance(error, OSError) and error.strerror else \
                str(error) or type(error).__name__
            yield error_at(shown, f"cannot read ({reason})", raw if first is None else "",
                           self.key)

    def expand(self, member: Member) -> Iterator[Item]:
        """``member`` itself, or, when it is an archive, every member inside it (opened to
        ``Limits.max_depth``). Bytes that start like an archive but do not open as one
        are the member itself when its name says it is something else (a ``.csv`` that
        begins with ``PK``)."""
        kind = archive_kind(member.name, member.data[:512])
        if kind is None and member.suffix == ".zip" and opens("zip", member.data):
            kind = "zip"  # data before the zip (a self-extracting stub, junk)
        elif kind is None and member.data.startswith(b"PK") and plain_zip(member.data):
            kind = "zip"  # a zip named as an office file, with no document in it
        if kind is None or (_named_otherwise(member) and not opens(kind, member.data)):
            yield member
            return
        yield Container(member.path, member.name_findings, member.folders)
        if member.depth >= self.limits.max_depth:
            yield MemberError(member.path,
                              f"archive nested deeper than {self.limits.max_depth} levels")
            return
        for item in self.open_archive(kind, member):
            if isinstance(item, Member):
                yield from self.expand(item)
            else:
                yield item

    def open_archive(self, kind: str, archive: Member) -> Iterator[Item]:
        """The members of one archive (not opening archives inside it), limits applied.

        Whatever the archive library raises — py7zr's own exceptions, a truncated stream,
        a header that lies — ends this archive with an error record; the members read
        before it stand, and the scan goes on.
        """
        opener = {"zip": self._zip, "tar": self._tar, "7z": self._7z,
                  "compressed": self._compressed}[kind]
        # Members refused because a scan-wide limit is spent are told once per archive, not
        # once each (a nest of 4 MiB leaves gave a thousand records).
        spent: dict[str, list[MemberError]] = {}
        try:
            for item in opener(archive):
                if isinstance(item, MemberError) and item.message.startswith(_SPENT):
                    spent.setdefault(item.message, []).append(item)
                    continue
                yield item
        except Exception as error:  # noqa: BLE001 - the member boundary: any failure is a record
            reason = str(error) or type(error).__name__
            if type(error).__name__ == "PasswordRequired":
                reason = "encrypted archive"
            yield error_at(archive.path, f"corrupt or unreadable {kind} archive ({reason})")
        for message, refused in spent.items():
            found = tuple(f for item in refused for f in item.name_findings)
            yield MemberError(archive.path, f"{len(refused)} member(s) not read: {message}",
                              found)

    def _shown_child(self, archive: Member, raw_name: str) -> str:
        return f"{archive.path}{SEP}" + "/".join(mask_name(p) for p in raw_name.split("/"))

    # -- zip -----------------------------------------------------------------------------

    def _zip(self, archive_member: Member) -> Iterator[Item]:
        try:  # (opened once: a central directory of 150,000 entries takes a second)
            opened = open_zip(archive_member.data)
        except Exception:  # noqa: BLE001 - not a zip that opens: salvaged from its headers
            if not archive_member.data.startswith(b"PK\x03\x04"):
                raise
            yield from self._zip_salvaged(archive_member)
            return
        with opened as archive:
            overlapping = overlapping_entries(archive, archive_member.data)
            hidden = 0 if overlapping else unclaimed_bytes(archive, archive_member.data)
            if hidden:
                yield MemberError(archive_member.path, f"{hidden} bytes between members "
                                  "belong to no member (data after a member's declared size?); "
                                  "not read")
            if overlapping:
                yield MemberError(archive_member.path, f"{len(overlapping)} entries share their "
                                  "data with other entries (an overlapping-entry zip bomb); "
                                  "those entries are not read")
            comments = [archive.comment] if archive.comment else []
            for info in archive.infolist():
                raw = _zip_name(info)
                if not raw:
                    yield MemberError(archive_member.path + SEP + "(unnamed)",
                                      "member without a name; not read")
                    continue
                name = _safe_member_name(raw)
                display = self._shown_child(archive_member, name or raw)
                if info.comment:
                    comments.append(display[len(archive_member.path) + len(SEP):].encode()
                                    + b": " + info.comment)
                if info.filename.endswith("/") or id(info) in overlapping:
                    continue
                if name is None:
                    yield error_at(display, "path climbs out of the archive; not read", raw,
                                   self.key)
                    continue
                if stat.S_ISLNK(info.external_attr >> 16):
                    yield error_at(display, "symlink not followed", raw, self.key)
                    continue
                if info.flag_bits & 0x1:
                    yield error_at(display, "encrypted member; not read", raw, self.key)
                    continue
                refused = self._check_member(info.file_size, info.compress_size)
                if refused:
                    yield error_at(display, refused, raw, self.key)
                    continue
                try:
                    with archive.open(info) as handle:
                        content = handle.read(self.limits.max_member_bytes + 1)
                except Exception as error:  # noqa: BLE001 - bad CRC, unknown method, truncation
                    yield error_at(display, f"unreadable member ({error or type(error).__name__})"
                                            "; the rest of the archive is read")
                    continue
                refused = self._check_read(content, info.compress_size) or \
                    _hidden_tail(info, archive_member.data)
                if refused:
                    yield error_at(display, refused, raw, self.key)
                    continue
                yield archive_member.child(name, content, self.key)
            if comments:
                yield self._header_text(archive_member, "zip comments", comments)

    def _header_text(self, archive_member: Member, label: str, texts: list[bytes]) -> Member:
        """What an archive's own headers say (its comments, a gzip's original name), one
        line each, read as a text part of the archive: a copy rebuilds the archive without
        them."""
        lines = []
        for text in texts:  # each in its own encoding (zip comments: UTF-8, GBK, …)
            for encoding in ("utf-8", "gb18030", "latin-1"):
                try:
                    lines.append(text.decode(encoding))
                    break
                except UnicodeDecodeError:
                    continue
        return archive_member.child(f"({label}).txt", "\n".join(lines).encode() + b"\n",
                                    self.key, embedded=True)

    def _zip_salvaged(self, archive_member: Member) -> Iterator[Item]:
        """A zip without its central directory (a download cut short): the members whose
        local headers and data are whole are read from those, in order; the rest is one
        error record."""
        data = archive_member.data
        at, read = 0, 0
        while data.startswith(b"PK\x03\x04", at) and at + 30 <= len(data):
            flags, method = struct.unpack_from("<HH", data, at + 6)
            compressed, size, name_length, extra = struct.unpack_from("<IIHH", data, at + 18)
            start = at + 30 + name_length + extra
            streamed: bytes | None = None
            if flags & 0x8:  # sizes in a descriptor after the data (a streamed zip)
                found = self._streamed_entry(data, start, method)
                if found is None:
                    break
                compressed, streamed, after = found
                size = len(streamed)
                end = start + compressed
            else:
                end = after = start + compressed
            if end > len(data):  # the data cut
                break
            raw = data[at + 30:at + 30 + name_length].decode(
                "utf-8" if flags & 0x800 else "cp437", errors="replace")
            at = after
            name = _safe_member_name(raw) if raw else None
            display = self._shown_child(archive_member, name or raw or "(unnamed)")
            if not raw or raw.endswith("/"):
                continue
            if name is None:
                yield error_at(display, "path climbs out of the archive; not read", raw,
                               self.key)
                continue
            if flags & 0x1 or method not in (0, 8):
                yield error_at(display, "encrypted or unknown compression; not read", raw,
                               self.key)
                continue
            refused = self._check_member(size, compressed)
            if refused:
                yield error_at(display, refused, raw, self.key)
                continue
            try:
                body = data[start:end]
                content = streamed if streamed is not None else body if method == 0 else \
                    zlib.decompressobj(-15).decompress(body, self.limits.max_member_bytes + 1)
            except zlib.error:
                yield error_at(display, "unreadable member", raw, self.key)
                continue
            refused = self._check_read(content, compressed)
            if refused:
                yield error_at(display, refused, raw, self.key)
                continue
            read += 1
            yield archive_member.child(name, content, self.key)
        yield MemberError(archive_member.path, f"zip without its central directory (cut "
                                               f"short?): {read} member(s) read from their "
                                               "local headers, the rest could not be")

    def _streamed_entry(self, data: bytes, start: int, method: int
                        ) -> tuple[int, bytes, int] | None:
        """A streamed member's (compressed size, content, where the next header starts):
        a deflated one inflated to its stream's end (a megabyte at a time, up to the member
        limit); a stored one up to a data descriptor whose size says so. None: cut short,
        over the limit, or not found."""
        limit = self.limits.max_member_bytes
        if method == 8:
            inflater = zlib.decompressobj(-15)
            out = bytearray()
            view = memoryview(data)
            at = start
            try:
                while not inflater.eof and at < len(data) and len(out) <= limit:
                    chunk = view[at:at + (1 << 20)]
                    at += len(chunk)
                    out += inflater.decompress(chunk, limit + 1 - len(out))
                    while inflater.unconsumed_tail and len(out) <= limit:
                        out += inflater.decompress(inflater.unconsumed_tail,
                                                   limit + 1 - len(out))
            except zlib.error:
                return None
            if not inflater.eof or len(out) > limit:
                return None
            compressed = at - start - len(inflater.unused_data)
        elif method == 0:
            search = start
            while True:
                found = data.find(b"PK\x07\x08", search)
                if found < 0:
                    return None
                if struct.unpack_from("<I", data, found + 8)[0] == found - start \
                        if found + 12 <= len(data) else False:
                    break
                search = found + 1
            compressed = found - start
            if compressed > limit:
                return None
            out = bytearray(data[start:found])
        else:
            return None
        end = start + compressed
        after = end + (16 if data.startswith(b"PK\x07\x08", end) else 12)
        if not data.startswith(b"PK", after) and data.startswith(b"PK", after + 8):
            after += 8  # a zip64 descriptor (8-byte sizes)
        return compressed, bytes(out), after

    # -- one compressed file ---------------------------------------------------------------

    def _compressed(self, archive_member: Member) -> Iterator[Item]:
        """A file compressed on its own (``.gz``, ``.bz2``, ``.xz``): the one file inside,
        named without the suffix, decompressed up to the member limit."""
        data = archive_member.data
        raw = compressed_name(archive_member.name)
        display = self._shown_child(archive_member, raw)
        refused = self.budget.take_file()
        if refused:
            yield error_at(display, refused, raw, self.key)
            return
        content = decompressed(data, self.limits.max_member_bytes)
        refused = "decompresses to more than the member limit" if content is None else \
            self._check_read(content, len(data))
        if refused:
            yield error_at(display, refused, raw, self.key)
            return
        assert content is not None
        yield archive_member.child(raw, content, self.key)
        said = _gzip_header_text(data)
        if said:
            yield self._header_text(archive_member, "gzip header", said)

    # -- tar -----------------------------------------------------------------------------

    def _tar(self, archive_member: Member) -> Iterator[Item]:
        compressed = len(archive_member.data)
        # Decompressed by the gzip/bz2/lzma file objects (bounded reads), not by tarfile's
        # own stream, which inflates a whole bzip2 block of a bomb at once (1.3 GB).
        stream = _decompressing(io.BytesIO(archive_member.data), archive_member.data[:6])
        with tarfile.open(fileobj=stream, mode="r|", tarinfo=_BoundedTarInfo) as archive:
            archive.skip_limit = self.limits.max_skipped_stream_bytes  # type: ignore[attr-defined]
            read_total = skipped = damaged = 0
            for info in archive:
                if getattr(archive, "skipped_bytes", 0) > damaged:
                    yield MemberError(archive_member.path, "damaged header (bad checksum): "
                                      f"{archive.skipped_bytes - damaged} bytes skipped "  # type: ignore[attr-defined]
                                      "to the next good header; the member it began not "
                                      "read")
                    damaged = archive.skipped_bytes  # type: ignore[attr-defined]
                if info.name == TOO_LONG_NAME:  # read under a name of ours
                    info.name = f"(name over {MAX_TAR_HEADER_BYTES} bytes, not read)"
                name = _safe_member_name(info.name)
                display = self._shown_child(archive_member, name or info.name)
                if info.isdir():
                    continue
                if info.issym() or info.islnk():
                    yield error_at(display, "link not followed", info.name, self.key)
                    continue
                if not info.isfile():
                    kind = "device" if info.ischr() or info.isblk() else \
                        "FIFO" if info.isfifo() else "special entry"
                    yield error_at(display, f"not a regular file ({kind}); not read",
                                   info.name, self.key)
                    continue
                if name is None:
                    yield error_at(display, "path climbs out of the archive; not read",
                                   info.name, self.key)
                    continue
                if read_total + info.size > self.limits.ratio_floor_bytes and \
                        read_total + info.size > compressed * self.limits.max_ratio:
                    # Past the stream's ratio: not read, but skipped through (bounded reads,
                    # decompression time only) so the members after it are read; past the
                    # skip allowance the rest of the stream is left.
                    skipped += info.size
                    if skipped > self.limits.max_skipped_stream_bytes:
                        yield error_at(display, "compression ratio over the limit (a bomb?); "
                                       f"rest of the archive not read (more than "
                                       f"{self.limits.max_skipped_stream_bytes} bytes skipped)",
                                       info.name, self.key)
                        return
                    yield error_at(display, "compression ratio over the limit (a bomb?); "
                                            "not read", info.name, self.key)
                    continue
                read_total += info.size
                refused = self._check_member(info.size, None)
                if refused:
                    yield error_at(display, refused, info.name, self.key)
                    continue
                handle = archive.extractfile(info)
                if handle is None:
                    continue
                content = handle.read(self.limits.max_member_bytes + 1)
                refused = self._check_read(content, None)
                if refused:
                    yield error_at(display, refused, info.name, self.key)
                    continue
                yield archive_member.child(name, content, self.key)

    # -- 7z ------------------------------------------------------------------------------

    def _7z(self, archive_member: Member) -> Iterator[Item]:
        import py7zr

        data = archive_member.data
        with py7zr.SevenZipFile(io.BytesIO(data)) as archive:
            if archive.needs_password():
                yield MemberError(archive_member.path, "encrypted 7z archive; not read")
                return
            entries = [entry for entry in archive.list() if not entry.is_directory]
            # Members are refused one by one (too large, or past the archive's ratio budget,
            # in order); the others are read, so a bomb does not cost its neighbours.
            budget = max(self.limits.ratio_floor_bytes, len(data) * self.limits.max_ratio)
            targets, spent = [], 0
            for entry in entries:
                size = entry.uncompressed or 0
                if size > self.limits.max_member_bytes or spent + size > budget:
                    reason = f"larger than the member limit ({size} > " \
                             f"{self.limits.max_member_bytes} bytes)" \
                        if size > self.limits.max_member_bytes else \
                        "compression ratio of the archive over the limit (a bomb?); not read"
                    yield error_at(self._shown_child(archive_member, entry.filename), reason,
                                   entry.filename, self.key)
                    continue
                spent += size
                targets.append(entry.filename)
            if not targets:
                return
            for raw, content, error in _stream_7z(archive, self.limits, targets):
                name = _safe_member_name(raw) if raw is not None else None
                display = self._shown_child(archive_member, name or raw) if raw is not None \
                    else archive_member.path
                if error:
                    yield error_at(display, error, raw or "", self.key)
                    continue
                if name is None:
                    yield error_at(display, "path climbs out of the archive; not read",
                                   raw or "", self.key)
                    continue
                refused = self.budget.take_file() or self.budget.take_bytes(len(content))
                if refused:
                    yield error_at(display, refused, raw or "", self.key)
                    continue
                yield archive_member.child(name, content, self.key)

    # -- shared checks -------------------------------------------------------------------

    def _ratio_refusal(self, size: int, compressed: int) -> str | None:
        """Why ``size`` bytes from ``compressed`` are refused by the compression ratio."""
        if size > self.limits.ratio_floor_bytes and \
                size > max(compressed, 1) * self.limits.max_ratio:
            return (f"compression ratio {size / max(compressed, 1):.0f}:1 over the limit "
                    f"of {self.limits.max_ratio:.0f}:1 (a bomb?); not read")
        return None

    def _check_member(self, size: int, compressed: int | None) -> str | None:
        """Refuse a member by its declared sizes (before reading it)."""
        refused = self.budget.take_file()
        if refused:
            return refused
        if size > self.limits.max_member_bytes:
            return f"larger than the member limit ({size} > {self.limits.max_member_bytes} bytes)"
        if self.budget.total_bytes + size > self.budget.total_limit:
            return self.budget.take_bytes(size)  # the reason; nothing is counted
        return self._ratio_refusal(size, compressed) if compressed is not None else None

    def _check_read(self, content: bytes, compressed: int | None) -> str | None:
        """Refuse a member by what was actually read (headers can lie)."""
        if len(content) > self.limits.max_member_bytes:
            return "larger than the member limit (its header said less)"
        if compressed is not None and len(content) > self.limits.ratio_floor_bytes and \
                len(content) > max(compressed, 1) * self.limits.max_ratio:
            return "compression ratio over the limit (a bomb?); not read"
        return self.budget.take_bytes(len(content))


def _stream_7z(archive: object, limits: Limits, targets: list[str] | None = None
               ) -> Iterator[tuple[str | None, bytes, str | None]]:
    """7z members one at a time: py7zr's callbacks, turned into a generator.

    py7zr decompresses on a thread of its own and hands each finished member
    to a factory; a queue of one keeps at most one member in memory.
    """
    from py7zr.io import Py7zIO, WriterFactory

    handoff: queue.Queue[tuple[str | None, bytes, str | None] | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    class _Buffer(Py7zIO):
        def __init__(self, name: str) -> None:
            self.name = name
            self.buffer = io.BytesIO()
            self.too_big = False

        def write(self, s: bytes | bytearray) -> int:
            if not self.too_big:
                if self.buffer.tell() + len(s) > limits.max_member_bytes:
                    self.too_big = True
                    self.buffer = io.BytesIO()
                else:
                    self.buffer.write(s)
            return len(s)

        def read(self, size: int | None = None) -> bytes:
            return b""

        def seek(self, offset: int, whence: int = 0) -> int:
            return self.buffer.seek(offset, whence)

        def flush(self) -> None:
            return None

        def size(self) -> int:
            return self.buffer.tell()

        def close(self) -> None:
            item: tuple[str | None, bytes, str | None]
            if self.too_big:
                item = (self.name, b"", "larger than the member limit")
            else:
                item = (self.name, self.buffer.getvalue(), None)
            while not stop.is_set():
                try:
                    handoff.put(item, timeout=0.2)
                    return
                except queue.Full:
                    continue

    class _Factory(WriterFactory):
        def create(self, filename: str) -> Py7zIO:
            return _Buffer(filename)

    failure: list[BaseException] = []

    def produce() -> None:
        try:
            archive.extract(targets=targets, factory=_Factory())  # type: ignore[attr-defined]
        except BaseException as error:  # noqa: BLE001 - handed to the consumer below
            failure.append(error)
        finally:
            while not stop.is_set():
                try:
                    handoff.put(None, timeout=0.2)
                    break
                except queue.Full:
                    continue

    worker = threading.Thread(target=produce, name="notforsale-7z", daemon=True)
    worker.start()
    try:
        while True:
            item = handoff.get()
            if item is None:
                break
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)
    if failure:
        error = failure[0]
        log.debug("7z extraction failed: %s", type(error).__name__)
        yield None, b"", f"corrupt or unreadable 7z archive ({error})"
