"""Large files read in pieces: leaked tables, dumps and logs of any size, memory flat.

A plain-text file (text, delimited table, JSON lines, SQL dump) larger than
:attr:`Limits.piece_bytes` is not read whole: it is cut, as it is read, into pieces of about
that size, each ending at a line's end — a table's outside quotes, a dump's after a
statement where one ends in the piece — so no record is split. A quote still open a whole
piece after the line that opens it is taken as never closed (a broken row, the tester's
``"abc,110101…`` on line 3): that line ends its piece (its text read as one cell) and the
next piece starts after it, so the rows after it are read as rows, with their numbers, and
cutting stays linear (before, the rest of the file was one piece, cut again at every read
and refused past the member limit). Each piece is a member of its
own (:class:`member.Piece` says where it stands), read by the format's reader like a small
file and handed to any worker: a 20 GB dump is thousands of independent steps.

What a piece needs of the pieces before it travels with it: a table's delimiter and header
row (its cells keep their column names), a dump's ``CREATE TABLE`` column lists and the
``INSERT``/``COPY`` statement left open at the cut. Lines keep their numbers in the file;
table rows are numbered by the scan as the pieces come back, in order.

Only files named for one of these formats are cut (``.txt``, ``.log``, ``.csv``, ``.tsv``,
``.jsonl``, ``.sql``, …); UTF-16 files and files of other formats larger than the member
limit stay error records, as before. A line longer than the member limit ends the file with
an error record for the rest of it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .member import Piece
from .units import looks_like_header

#: Suffixes of the formats that can be cut, and the format each one is.
STREAMED = {".txt": "text", ".log": "text", ".text": "text", ".md": "text",
            ".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
            ".sql": "sql"}

_CREATE = re.compile(rb"CREATE\s+TABLE\b", re.IGNORECASE)
_INSERT = re.compile(rb"\b(?:INSERT|REPLACE)\s+[^;]{0,4096}?\bVALUES\b", re.IGNORECASE)
_COPY = re.compile(rb"\bCOPY\s+[^;\n]{0,4096}?\bFROM\s+stdin\s*;", re.IGNORECASE)
#: Most a dump's carried declarations may hold (more is not carried: later pieces' rows
#: then lose their column names, never their values).
MAX_HEAD = 1024 * 1024


def streamed_format(suffix: str) -> str | None:
    """The format a file of this suffix is cut as, or None when it is not cut."""
    return STREAMED.get(suffix.lower())


@dataclass
class Cut:
    """One piece: its bytes and where it stands; ``error`` when the rest of the file could
    not be cut (a line longer than the limit)."""

    data: bytes
    piece: Piece
    error: str = ""


def _encoding(first: bytes) -> str | None:
    from .text_files import wide_encoding

    if wide_encoding(first) is not None:
        return None
    if first.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        first.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        return "utf-8" if error.start > len(first) - 4 else "gb18030"


def _cut_table(chunk: bytes) -> int:
    """The end of the last line of ``chunk`` that ends outside quotes; when none does (a
    quote opened on the first line is still open a whole piece later), the end of the first
    line: the quote is taken as never closed (0: no line end at all). ``chunk`` is a whole
    piece (about the piece size, or more): a quoted cell longer than a piece is read in two
    pieces, its text whole all the same, and never swallows the rest of the file."""
    total = chunk.count(b'"')
    after = 0
    position = len(chunk)
    while True:
        newline = chunk.rfind(b"\n", 0, position)
        if newline < 0:
            return chunk.find(b"\n") + 1
        after += chunk.count(b'"', newline + 1, position)
        if (total - after) % 2 == 0:
            return newline + 1
        position = newline


def _cut_dump(chunk: bytes) -> int:
    """After the last statement that ends in the second half of ``chunk``, else after its
    last line (the statement left open is carried to the next piece)."""
    for end in (b";\n", b";\r\n"):
        at = chunk.rfind(end, len(chunk) // 2)
        if at >= 0:
            return at + len(end)
    return chunk.rfind(b"\n") + 1


def _cut_lines(chunk: bytes) -> int:
    return chunk.rfind(b"\n") + 1


def _last(matches: Iterator[re.Match[bytes]]) -> re.Match[bytes] | None:
    found = None
    for found in matches:  # noqa: B007 - the last one is wanted
        pass
    return found


class _DumpHead:
    """What a dump's earlier pieces declared: table columns, and the statement left open
    (an ``INSERT … VALUES`` whose rows go on, a ``COPY … FROM stdin;`` block)."""

    def __init__(self) -> None:
        self.creates: list[bytes] = []
        self.size = 0
        self.open: bytes | None = None
        self.copy = False

    def read(self, piece: bytes) -> None:
        for match in _CREATE.finditer(piece):
            end = piece.find(b";", match.start(), match.start() + 65536)
            if end < 0 or self.size > MAX_HEAD:
                continue
            statement = piece[match.start():end + 1]
            self.creates.append(statement)
            self.size += len(statement)
        copy = _last(_COPY.finditer(piece))
        if copy is not None:
            ended = piece.find(b"\n\\.", copy.end()) >= 0
            self.open, self.copy = (None, False) if ended else (copy.group(), True)
            if ended:
                self._insert(piece, copy.end())
            return
        if self.copy:
            if piece.find(b"\n\\.") >= 0:
                self.open, self.copy = None, False
                self._insert(piece, piece.find(b"\n\\."))
            return
        self._insert(piece, 0)

    def _insert(self, piece: bytes, start: int) -> None:
        last_end = piece.rfind(b";", start)
        opened = _last(_INSERT.finditer(piece, max(start, last_end + 1)))
        if opened is not None:
            self.open = opened.group()
        elif last_end >= 0:
            self.open = None  # the open statement ended here

    def head(self) -> bytes:
        """Declarations for the next piece, and the statement still open."""
        carried = [*self.creates, *([self.open] if self.open else [])]
        return b"\n".join(carried) + b"\n" if carried else b""


def pieces(handle: BinaryIO, fmt: str, size: int, limit: int) -> Iterator[Cut]:
    """The pieces of an open file of format ``fmt`` (see the module docstring): about
    ``size`` bytes each, none longer than ``limit``."""
    first = handle.read(size)
    encoding = _encoding(first[:65536])
    if encoding is None:
        yield Cut(b"", Piece(0, 0, ""), "a UTF-16 or UTF-32 file larger than the member "
                                         "limit is not read in pieces")
        return
    delimiter = None
    header: tuple[str, ...] | None = None
    if fmt == "csv":
        sample = first[:65536].decode(encoding, errors="replace")
        try:
            delimiter = csv.Sniffer().sniff(sample[:4096], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
        try:
            row = next(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter), [])
        except csv.Error:
            row = []
        header = tuple(cell.strip() for cell in row) if looks_like_header(row) else None
    cut = {"csv": _cut_table, "sql": _cut_dump}.get(fmt, _cut_lines)
    dump = _DumpHead() if fmt == "sql" else None
    index, lines, head = 0, 0, b""
    buffer, ended = first, len(first) < size
    while True:
        while len(buffer) < size and not ended:
            more = handle.read(size - len(buffer))
            ended = not more
            buffer += more
        if not buffer:
            return
        end = len(buffer) if ended else cut(buffer)
        if not end:  # no line end yet: read on (each read searched once), to the member limit
            held, parts = len(buffer), [buffer]
            while not end:
                if held >= limit:
                    yield Cut(b"", Piece(index, lines, encoding), f"line {lines + 1} is "
                              f"longer than the member limit ({limit} bytes): the rest of "
                              "the file was not read")
                    return
                more = handle.read(size)
                ended = not more
                parts.append(more)
                held += len(more)
                if ended or b"\n" in more:
                    buffer = b"".join(parts)
                    parts = [buffer]
                    end = len(buffer) if ended else cut(buffer)
        data, buffer = buffer[:end], buffer[end:]
        carried = head.count(b"\n")
        yield Cut(head + data if head else data, Piece(
            index, lines - carried, encoding, renumber=fmt in ("csv", "sql"),
            delimiter=delimiter, header=header if index else None))
        lines += data.count(b"\n")
        if dump is not None:
            dump.read(data)
            head = dump.head()
        index += 1
