"""PDF files, read with PDFium (pypdfium2): text layer, images, scanned pages, forms.

Per page: the text layer (a unit per page, with lines and columns); the images
placed on a page that has text (nested members: a photo or an ID-card scan goes
through face detection and OCR); a page without any text — a scanned page — is
rendered and read as an image, so OCR and face detection see it. Annotations and
form-field values, the document's metadata and its attached files are read too.

PDFium is not thread-safe: every call into it holds one process-wide lock.
"""

from __future__ import annotations

import ctypes
import io
import itertools
import re
import threading
import zlib
from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from .images import MAX_PIXELS
from .member import Member
from .units import Part, PartError, ReadContext, TextUnit, shown

#: Every call into PDFium holds this lock (the library is not thread-safe).
PDFIUM_LOCK = threading.RLock()
#: Scanned pages are rendered at this many pixels per inch (capped by RENDER_MAX_SIDE).
RENDER_DPI = 200
RENDER_MAX_SIDE = 2400
#: Images smaller than this on both sides hold neither a face nor a number worth reading.
MIN_IMAGE_SIDE = 24
#: Images taken from one document at most (the rest is reported, not read).
MAX_IMAGES = 2000
#: Pages without a text layer rendered from one document at most (a page tree can list one
#: blank page 200,000 times); the rest are reported, not read.
MAX_RENDERED_PAGES = 300
#: Bytes of attachments decoded from one document at most, duplicates included (2,000
#: attachments can name one 4 MiB stream); identical attachments are read once.
MAX_ATTACHMENT_BYTES_FACTOR = 2


_STREAM = re.compile(rb"stream\r?\n")


#: Streams past the limit left out of one PDF at most; past them the PDF is refused (each
#: is decoded up to the limit to be measured: ~0.2 s a Flate stream at the default limit).
MAX_BOMB_STREAMS = 8
#: A stream's data, decoded by each filter of its chain in turn, goes through in steps of
#: at most this many bytes (input and output alike): memory holds a few steps, not a stream.
_STEP = 1 << 20
#: Bytes before a stream's data searched for its dictionary (its /Filter).
_DICTIONARY_BYTES = 65536
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()%]+|(\d+)\s+(\d+)\s+R\b)")
_NAME = re.compile(rb"/([^\s/\[\]<>()%]+)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_OBJECT = re.compile(rb"(?<![0-9])(\d+)\s+(\d+)\s+obj\b\s*")
#: A filter's full name for its abbreviation (inline-image names, which PDFium accepts).
_ABBREVIATIONS = {b"Fl": b"FlateDecode", b"AHx": b"ASCIIHexDecode",
                  b"A85": b"ASCII85Decode", b"LZW": b"LZWDecode", b"RL": b"RunLengthDecode"}
#: Of each filter the guard decodes, data that decodes to nothing: written over a bomb's
#: first bytes, it ends the stream for PDFium's decoder, which ignores what follows up to
#: ``endstream`` (and the filters after the first get nothing).
_EMPTY = {b"FlateDecode": zlib.compress(b""), b"ASCIIHexDecode": b">",
          b"ASCII85Decode": b"~>", b"RunLengthDecode": b"\x80",
          b"LZWDecode": bytes([0x80, 0x40, 0x40])}  # 9-bit codes 256 (clear), 257 (end)
_EMPTY_ZLIB = _EMPTY[b"FlateDecode"]
_NOT_HEX = bytes(sorted(set(range(256)) - set(b"0123456789abcdefABCDEF")))
_WHITE = b" \t\r\n\f\x00"


def _looks_zlib(head: bytes) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


def _inflate(chunks: Iterator[bytes]) -> Iterator[bytes]:
    inflater = zlib.decompressobj()
    try:
        for chunk in chunks:
            yield inflater.decompress(chunk, _STEP)
            while inflater.unconsumed_tail and not inflater.eof:
                yield inflater.decompress(inflater.unconsumed_tail, _STEP)
            if inflater.eof:
                return
    except zlib.error:
        return  # PDFium keeps what inflated before the damage: counted already


def _ascii_hex(chunks: Iterator[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        end = chunk.find(b">")
        digits = carry + (chunk if end < 0 else chunk[:end]).translate(None, _NOT_HEX)
        even = len(digits) // 2 * 2
        yield bytes.fromhex(digits[:even].decode("ascii"))
        carry = digits[even:]
        if end >= 0:
            break
    if carry:
        yield bytes.fromhex((carry + b"0").decode("ascii"))


def _ascii85(chunks: Iterator[bytes]) -> Iterator[bytes]:
    import base64

    carry = b""
    try:
        for chunk in chunks:
            end = chunk.find(b"~")
            text = (chunk if end < 0 else chunk[:end]).translate(None, _WHITE)
            digits = carry + text.replace(b"z", b"!!!!!")
            whole = len(digits) // 5 * 5
            yield base64.a85decode(digits[:whole])
            carry = digits[whole:]
            if end >= 0:
                break
        if len(carry) > 1:
            yield base64.a85decode(carry + b"u" * (5 - len(carry)))[:len(carry) - 1]
    except ValueError:
        return


def _run_length(chunks: Iterator[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        data, at, out = carry + chunk, 0, bytearray()
        while at < len(data):
            length = data[at]
            if length == 128:
                yield bytes(out)
                return
            if length < 128:
                if at + length + 2 > len(data):
                    break
                out += data[at + 1:at + length + 2]
                at += length + 2
            else:
                if at + 2 > len(data):
                    break
                out += data[at + 1:at + 2] * (257 - length)
                at += 2
            if len(out) >= _STEP:
                yield bytes(out)
                out.clear()
        carry = data[at:]
        yield bytes(out)


def _lzw(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """LZW as PDF writes it: MSB first, 9 to 12 bits a code, the width growing one code
    early (EarlyChange 1, the default)."""
    table: list[bytes] = [bytes([value]) for value in range(256)] + [b"", b""]
    width, bits, held, previous = 9, 0, 0, b""
    out = bytearray()
    for chunk in chunks:
        for byte in chunk:
            bits = bits << 8 | byte
            held += 8
            if held < width:
                continue
            held -= width
            code, bits = bits >> held, bits & ((1 << held) - 1)
            if code == 256:
                del table[258:]
                width, previous = 9, b""
                continue
            if code == 257:
                yield bytes(out)
                return
            if code < len(table):
                entry = table[code]
            elif code == len(table) and previous:
                entry = previous + previous[:1]
            else:
                yield bytes(out)
                return  # not LZW: PDFium stops here too
            out += entry
            if previous and len(table) < 4096:
                table.append(previous + entry[:1])
            previous = entry
            if len(table) + 1 >= 1 << width and width < 12:
                width += 1
            if len(out) >= _STEP:
                yield bytes(out)
                out.clear()
        yield bytes(out)
        out.clear()


_DECODERS = {b"FlateDecode": _inflate, b"ASCIIHexDecode": _ascii_hex,
             b"ASCII85Decode": _ascii85, b"RunLengthDecode": _run_length,
             b"LZWDecode": _lzw}


class _Over(Exception):
    """A filter's output went past the limit."""


def _counted(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise _Over
        if chunk:
            yield chunk


def _sniffed(chunks: Iterator[bytes], limit: int, depth: int) -> Iterator[bytes]:
    """``chunks``, inflated again while they look like zlib (a /Filter the guard could not
    read: each layer is measured all the same)."""
    for first in chunks:
        rest = itertools.chain((first,), chunks)
        if depth and _looks_zlib(first[:2]):
            yield from _sniffed(_counted(_inflate(rest), limit), limit, depth - 1)
        else:
            yield from rest
        return


class _Objects:
    """Where each object of a file starts, indexed on first use (one pass over the file),
    to read a /Filter given by reference."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.index: dict[tuple[int, int], int] | None = None

    def filters(self, number: int, generation: int) -> bytes:
        if self.index is None:
            self.index = {(int(m[1]), int(m[2])): m.end() for m in _OBJECT.finditer(self.data)}
        at = self.index.get((number, generation))
        if at is None:
            return b""
        value = re.match(rb"\[[^\]]*\]|/[^\s/\[\]<>()%]+", self.data[at:at + 4096])
        return value.group() if value else b""


def stream_filters(data: bytes, start: int, objects: _Objects | None = None
                   ) -> list[bytes] | None:
    """The filters of the stream whose data starts at ``start``, as its dictionary names
    them (after the last ``obj`` keyword before it, within ``_DICTIONARY_BYTES``),
    abbreviations expanded; None when it names none."""
    window = max(0, start - _DICTIONARY_BYTES)
    opened = data.rfind(b"obj", window, start)
    match = _FILTER.search(_unescape(data[opened if opened >= 0 else window:start]))
    if match is None:
        return None
    value = match.group(1)
    if match.group(2) is not None:
        value = _unescape((objects or _Objects(data)).filters(int(match.group(2)),
                                                              int(match.group(3))))
    return [_ABBREVIATIONS.get(name, name) for name in _NAME.findall(value)]


def _unescape(text: bytes) -> bytes:
    """Names' ``#xx`` escapes decoded (``/Fl#61teDecode`` is /FlateDecode to PDFium)."""
    if b"#" not in text:
        return text
    return _ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), text)


def stream_expands(data: bytes, start: int, end: int, filters: list[bytes] | None,
                   limit: int) -> bool:
    """Whether the stream ``data[start:end]`` decodes past ``limit`` bytes through any of
    its ``filters`` (the output of each filter is measured, as PDFium holds each whole),
    decoding each only up to the limit, a step at a time. The chain is followed up to the
    first filter the guard does not decode (an image's DCT or JPX: the pixel limits judge
    those); past the named filters, output that looks like zlib is inflated again, and a
    stream whose first filter is none of these or not found (``None``) is measured as Flate
    when it starts like zlib."""
    chunks: Iterator[bytes] = (data[at:min(at + (1 << 16), end)]
                               for at in range(start, end, 1 << 16))
    known = list(itertools.takewhile(lambda name: name in _DECODERS, filters or ()))
    if not known:  # none named, or none the guard decodes: measured if it looks like zlib
        if not _looks_zlib(data[start:start + 2]):
            return False
        known = [b"FlateDecode"]
    for name in known:
        chunks = _counted(_DECODERS[name](chunks), limit)
    try:
        for _ in _sniffed(chunks, limit, 4):
            pass
    except _Over:
        return True
    return False


def expanded_streams(data: bytes, limit: int, most: int | None = None
                     ) -> list[tuple[int, bytes]]:
    """Where the streams that decode past ``limit`` start (byte offsets), each with its
    first filter.

    PDFium decodes a page's content stream whole, each of its filters in turn: a 400 KB
    stream that inflates to 1 GiB would cost that much memory, and a stream compressed
    twice (``/Filter [/FlateDecode /FlateDecode]``) inflates to little the first time and
    to gigabytes the second. Every stream is decoded here first through its filter chain
    (Flate, LZW, run-length, ASCII hex and 85: :func:`stream_expands`), counted and thrown
    away a step at a time, each filter's output only up to the limit. The search stops
    after ``most`` + 1 bombs.
    """
    most = MAX_BOMB_STREAMS if most is None else most
    found: list[tuple[int, bytes]] = []
    objects = _Objects(data)
    at = 0
    while len(found) <= most:
        match = _STREAM.search(data, at)
        if match is None:
            break
        start = match.end()
        at = start
        if data[max(0, match.start() - 3):match.start()] == b"end":
            continue  # "endstream" followed by a line end
        end = data.find(b"endstream", start)
        end = end if end >= 0 else len(data)
        filters = stream_filters(data, start, objects)
        if stream_expands(data, start, end, filters, limit):
            first = filters[0] if filters and filters[0] in _EMPTY else b"FlateDecode"
            found.append((start, first))
        at = end
    return found


def open_pdf(member: Member, limit: int | None = None, *, leave_out: bool = False
             ) -> tuple[Any, list[PartError]]:
    """The document, and the records of what was left out of it.

    With ``limit``, a stream that inflates past it is a bomb: with ``leave_out`` its first
    bytes are overwritten in a copy of the file, so PDFium reads it as empty and the rest
    of the document is read (a record per stream says where); without, or past
    ``MAX_BOMB_STREAMS``, the document is refused (:class:`InputError`).
    """
    import pypdfium2 as pdfium

    data, left_out = member.data, []
    if limit is not None:
        bombs = expanded_streams(data, limit)
        if len(bombs) > (MAX_BOMB_STREAMS if leave_out else 0):
            many = f"{len(bombs)} streams inside expand" if len(bombs) > 1 \
                else "a stream inside expands"
            raise InputError(member.path, f"not read: {many} past {limit} bytes (a bomb?)")
        if bombs:
            copy = bytearray(data)
            for start, first in bombs:
                empty = _EMPTY[first]
                copy[start:start + len(empty)] = empty
                left_out.append(PartError(
                    f"stream at byte {start}", f"not read: expands past {limit} bytes (a "
                    "bomb?); the page or picture drawn from it is read without it"))
            data = bytes(copy)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        message = str(error).lower()
        if "password" in message:
            raise InputError(member.path, "encrypted PDF; not read") from None
        raise InputError(member.path, f"unreadable PDF ({error})") from None
    return pdf, left_out


def page_scale(page: Any) -> float:
    width, height = page.get_size()
    scale = RENDER_DPI / 72
    longer = max(width, height, 1.0)
    return min(scale, RENDER_MAX_SIDE / longer)


def render_png(page: Any, scale: float) -> bytes | None:
    """The page as a PNG, or None when it is blank (nothing to find on it)."""
    image = page.render(scale=scale, may_draw_forms=True).to_pil()
    low, high = image.convert("L").getextrema()
    if high - low <= 8:
        return None
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _utf16(function: Any, *args: Any) -> str:
    """A string PDFium hands out as UTF-16 (FPDF_WCHAR*): asked for its size, then read."""
    size = function(*args, None, 0)
    if size <= 2:
        return ""
    buffer = (ctypes.c_ushort * ((size + 1) // 2))()
    function(*args, buffer, size)
    return bytes(buffer)[: size - 2].decode("utf-16-le", errors="replace")


def _annotations(page: Any, form: Any) -> list[str]:
    import pypdfium2.raw as c

    texts = []
    for index in range(c.FPDFPage_GetAnnotCount(page.raw)):
        annot = c.FPDFPage_GetAnnot(page.raw, index)
        if not annot:
            continue
        try:
            for key in (b"Contents", b"T", b"TU"):
                if c.FPDFAnnot_HasKey(annot, key):
                    texts.append(_utf16(c.FPDFAnnot_GetStringValue, annot, key))
            if form is not None:
                texts.append(_utf16(c.FPDFAnnot_GetFormFieldValue, form, annot))
        finally:
            c.FPDFPage_CloseAnnot(annot)
    return [text for text in texts if text.strip()]


def read_pdf(member: Member, ctx: ReadContext) -> Iterator[Part]:
    """The parts of a PDF, page by page (the lock is held while a page is read, never
    across a yield, so nested members can be read meanwhile on other threads)."""
    pdf, left_out = open_pdf(member, ctx.limits.max_member_bytes, leave_out=True)
    try:
        yield from left_out
        with PDFIUM_LOCK:
            head = list(_document_parts(pdf))
            form = _form(pdf)
            pages = len(pdf)
        yield from head
        limit = ctx.limits.max_pages
        if pages > limit:
            yield PartError(f"pages {limit + 1}-{pages}",
                            f"not read: over the page limit of {limit}")
        # images left, renders left, pages not rendered, the first of them
        budget = [MAX_IMAGES, MAX_RENDERED_PAGES, 0, 0]
        for number in range(1, min(pages, limit) + 1):
            with PDFIUM_LOCK:
                parts = list(_page_parts(pdf, form, number, member, ctx, budget))
            yield from parts
        if budget[2]:
            yield PartError(f"pages from {budget[3]}", f"{budget[2]} page(s) without text "
                                                       f"after the first {MAX_RENDERED_PAGES} "
                                                       "rendered were not rendered")
        with PDFIUM_LOCK:
            attachments = list(_attachments(pdf, member, ctx))
        yield from attachments
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def _form(pdf: Any) -> Any:
    try:
        pdf.init_forms()
        return pdf.formenv.raw if pdf.formenv is not None else None
    except Exception:  # noqa: BLE001 - a document without a usable form
        return None


def _document_parts(pdf: Any) -> Iterator[Part]:
    for key, value in pdf.get_metadata_dict(skip_empty=True).items():
        yield TextUnit(str(value), field=f"metadata {key}", hint=key, part="metadata")


def _page_parts(pdf: Any, form: Any, number: int, member: Member, ctx: ReadContext,
                budget: list[int]) -> Iterator[Part]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as c

    try:
        page = pdf[number - 1]
    except pdfium.PdfiumError as error:
        yield PartError(f"page {number}", f"unreadable ({error})")
        return
    try:
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        textpage.close()
        if text.strip():
            yield TextUnit(text, page=number, whole_text=True)
        for note in _annotations(page, form):
            yield TextUnit(note, page=number, field="annotation", part="annotation")
        if not text.strip():
            if ctx.render_pages:
                if budget[1] <= 0:  # told once, after the pages (read_pdf)
                    budget[2] += 1
                    budget[3] = budget[3] or number
                    return
                budget[1] -= 1
                rendered = render_png(page, page_scale(page))
                if rendered is not None:
                    yield member.child(f"page-{number}.png", rendered, ctx.key, embedded=True)
            return
        for index, obj in enumerate(page.get_objects(filter=[c.FPDF_PAGEOBJ_IMAGE],
                                                     max_depth=4), start=1):
            width, height = obj.get_px_size()
            if width < MIN_IMAGE_SIDE and height < MIN_IMAGE_SIDE:
                continue
            if width * height > MAX_PIXELS:
                yield PartError(f"page {number} image {index}",
                                f"larger than {MAX_PIXELS} pixels (a decompression bomb?)")
                continue
            if budget[0] <= 0:
                yield PartError(f"page {number}", f"images after the first {MAX_IMAGES} of "
                                                  "the document not read")
                return
            budget[0] -= 1
            try:
                picture = obj.get_bitmap(render=False).to_pil().convert("RGB")
            except (pdfium.PdfiumError, ValueError, OSError) as error:
                yield PartError(f"page {number} image {index}", f"unreadable ({error})")
                continue
            out = io.BytesIO()
            picture.save(out, format="PNG", compress_level=1)
            yield member.child(f"page-{number}-image-{index}.png", out.getvalue(), ctx.key,
                               embedded=True)
    except pdfium.PdfiumError as error:
        yield PartError(f"page {number}", f"unreadable ({error})")
    finally:
        page.close()


def _attachments(pdf: Any, member: Member, ctx: ReadContext) -> Iterator[Part]:
    import hashlib

    import pypdfium2 as pdfium

    seen: dict[bytes, str] = {}
    decoded, budget = 0, MAX_ATTACHMENT_BYTES_FACTOR * ctx.limits.max_member_bytes
    count = pdf.count_attachments()
    for index in range(count):
        if decoded > budget:
            yield PartError(f"attachments {index + 1}-{count}", f"not read: the attachments "
                                                               f"before them decoded to over "
                                                               f"{budget} bytes")
            return
        try:
            attachment = pdf.get_attachment(index)
            name = attachment.get_name() or f"attachment-{index + 1}"
            data = bytes(attachment.get_data())
        except (pdfium.PdfiumError, ValueError) as error:
            yield PartError(f"attachment {index + 1}", f"unreadable ({error})")
            continue
        decoded += len(data)
        if len(data) > ctx.limits.max_member_bytes:
            yield PartError(shown(name), "larger than the member limit")
            continue
        digest = hashlib.sha256(data).digest()
        if digest in seen:
            continue  # the same bytes as an attachment read already: checked once
        seen[digest] = name
        yield member.child(name, data, ctx.key, group=member.path)
