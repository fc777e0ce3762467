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
from .images import MAX_PIXELS, tail_name
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


def open_pdf(member: Member, limit: int | None = None, *, leave_out: bool = False,
             swept: Sweep | None = None) -> tuple[Any, list[PartError]]:
    """The document, and the records of what was left out of it.

    With ``limit``, a stream that inflates past it is a bomb, and so is a form, or a page's
    content, that makes PDFium parse past :data:`MAX_DRAWN_BYTES` (:func:`fanned_out`, from
    ``swept`` or a sweep made here): with ``leave_out`` its first bytes are overwritten in a
    copy of the file, so PDFium reads it as empty and the rest of the document is read (a
    record per stream says where); without, or past ``MAX_BOMB_STREAMS``, the document is
    refused (:class:`InputError`).
    """
    import pypdfium2 as pdfium

    data, left_out = member.data, []
    if limit is not None:
        bombs = expanded_streams(data, limit)
        swept = swept if swept is not None else sweep(data, limit)
        if swept.exhausted:
            raise InputError(member.path, f"not read: more than {MAX_SWEPT_STRUCTURE} "
                                          "references, the forms its pages draw not counted")
        fanned = fanned_out(swept)
        if len(bombs) + len(fanned) > (MAX_BOMB_STREAMS if leave_out else 0):
            many = len(bombs) + len(fanned)
            what = f"{many} streams inside expand" if many > 1 else "a stream inside expands"
            raise InputError(member.path, f"not read: {what} past {limit} bytes, or draw "
                                          f"forms past {MAX_DRAWN_BYTES} (a bomb?)"
                             if fanned else f"not read: {what} past {limit} bytes (a bomb?)")
        if bombs or fanned:
            copy = bytearray(data)
            for start, first in bombs:
                empty = _EMPTY[first]
                copy[start:start + len(empty)] = empty
                left_out.append(PartError(
                    f"stream at byte {start}", f"not read: expands past {limit} bytes (a "
                    "bomb?); the page or picture drawn from it is read without it"))
            for drawing, what in fanned:
                first = (drawing.filters or [b""])[0]
                empty = _EMPTY.get(first) or b" " * (drawing.stop - drawing.start)
                copy[drawing.start:drawing.start + len(empty)] = empty
                left_out.append(PartError(
                    f"{what} at byte {drawing.start}",
                    f"not read: forms drawn past {MAX_DRAWN_BYTES} bytes of content (a "
                    "fan-out bomb?); the page is read without it"))
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
    swept = sweep(member.data, ctx.limits.max_member_bytes)
    pdf, left_out = open_pdf(member, ctx.limits.max_member_bytes, leave_out=True,
                             swept=swept)
    try:
        yield from left_out
        # what PDFium shows, not reported again from the sweep: strings shown (metadata,
        # annotations, form values) and, when a content stream may hold a number, the
        # numbers of the page text (by kind and keyed fingerprint)
        shown = _Shown(any(found.stream is not None and found.texts
                           for found in swept.found))
        with PDFIUM_LOCK:
            head = list(_document_parts(pdf))
            form = _form(pdf)
            pages = len(pdf)
        shown.note(head)
        yield from head
        limit = ctx.limits.max_pages
        if pages > limit:
            yield PartError(f"pages {limit + 1}-{pages}",
                            f"not read: over the page limit of {limit}")
        # images left, renders left, pages not rendered, the first of them
        budget = [MAX_IMAGES, MAX_RENDERED_PAGES, 0, 0]
        judged = swept.judges_pages
        for number in range(1, min(pages, limit) + 1):
            with PDFIUM_LOCK:
                parts = list(_page_parts(pdf, form, number, member, ctx, budget, judged))
            shown.note(parts)
            yield from parts
        if budget[2]:
            yield PartError(f"pages from {budget[3]}", f"{budget[2]} page(s) without text "
                                                       f"after the first {MAX_RENDERED_PAGES} "
                                                       "rendered were not rendered")
        with PDFIUM_LOCK:
            attachments = list(_attachments(pdf, member, ctx))
        yield from attachments
        yield from _hidden(swept, member, ctx, shown, attachments)
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def _squeezed(text: str) -> str:
    return "".join(text.split())


class _Shown:
    """What PDFium showed: strings (metadata, annotations, form values), squeezed of
    spaces; with ``pages``, the lines of the page text too, and the texts themselves,
    whose numbers are told (by kind and keyed fingerprint) only when a content stream
    holds a number that none of its lines shown explains."""

    def __init__(self, pages: bool) -> None:
        self.strings: set[str] = set()
        self.lines: set[str] | None = set() if pages else None
        self.texts: list[str] = []
        self.numbers: set[tuple[str, str]] | None = None

    def note(self, parts: list[Part]) -> None:
        for part in parts:
            if not isinstance(part, TextUnit):
                continue
            if part.part in ("annotation", "metadata"):
                self.strings.add(_squeezed(part.text))
            if self.lines is not None:
                self.texts.append(part.text)
                self.lines.update(_squeezed(line) for line in part.text.splitlines())

    def prints(self, key: bytes) -> set[tuple[str, str]]:
        from ..text.engine import scan_text

        if self.numbers is None:
            self.numbers = {(hit.type, hit.fingerprint) for text in self.texts
                            for hit in scan_text(text, key=key)}
        return self.numbers


def _hidden(swept: Sweep, member: Member, ctx: ReadContext, shown: _Shown,
            attachments: list[Part]) -> Iterator[Part]:
    """What the sweep found that PDFium did not show: text units (never a raw value in
    where they are), files no attachment list names, data after the end of the file."""
    import hashlib

    from ..text.engine import scan_text

    yield from swept.errors
    listed = {hashlib.sha256(part.data).digest() for part in attachments
              if isinstance(part, Member)}
    for found in swept.found:
        if found.digest in listed:
            continue  # an attached file's data (read as the attachment)
        texts = swept.texts(found)
        if not texts:
            continue
        content = found.stream is not None and texts is found.texts
        if not content:
            texts = [text for text in texts if _squeezed(text) not in shown.strings]
        elif shown.lines:  # the lines a page shows, as they are: reported from there
            texts = ["\n".join(line for line in text.split("\n")
                               if _squeezed(line) not in shown.lines) for text in texts]
        text = "\n".join(texts)
        if not _may_hold_text(text):
            continue
        if content and shown.texts:
            prints = shown.prints(ctx.key)
            spans = [(hit.start, hit.end) for hit in scan_text(text, key=ctx.key)
                     if (hit.type, hit.fingerprint) in prints]
            for start, end in reversed(spans):  # shown on a page: reported from there
                text = text[:start] + " " * (end - start) + text[end:]
            if not _may_hold_text(text):
                continue
        yield TextUnit(text, field=swept.where(found), part=SWEPT)
    for index, (digest, start, stop, filters) in enumerate(swept.files, start=1):
        if digest in listed:
            continue
        listed.add(digest)
        data = swept._decoded(start, stop, filters, charged=False)
        if data:
            yield member.child(f"unlisted-attachment-{index}.bin", data, ctx.key,
                               group=member.path)
    tail = swept.tail()
    if tail:
        yield member.child(tail_name(tail), tail, ctx.key, embedded=True)


def _form(pdf: Any) -> Any:
    try:
        pdf.init_forms()
        return pdf.formenv.raw if pdf.formenv is not None else None
    except Exception:  # noqa: BLE001 - a document without a usable form
        return None


def _document_parts(pdf: Any) -> Iterator[Part]:
    for key, value in pdf.get_metadata_dict(skip_empty=True).items():
        yield TextUnit(str(value), field=f"metadata {key}", hint=key, part="metadata")


_INLINE_IMAGE = re.compile(rb"(?<![^\s\]\)>/])BI(?![^\s\[\(</])")
_SHOWING = re.compile(rb"(?<![^\s\]\)>/])(?:BT|Do|BI|sh)(?![^\s\[\(</])")
_PATH_OPERATOR = re.compile(rb"(?<![^\s\]\)>/])(?:m|l|c|v|y|re)(?![^\s\[\(</])")


def _may_show(content: bytes) -> bool:
    """Whether content (a tiling pattern's cell) can show text or a picture: it writes
    text, draws an image, a form or a shading, or builds more paths than a few boxes."""
    if _SHOWING.search(content):
        return True
    return sum(1 for _ in itertools.islice(_PATH_OPERATOR.finditer(content),
                                           MAX_BLANK_SEGMENTS + 1)) > MAX_BLANK_SEGMENTS


#: Most path segments a page without text, image, shading or annotation may draw in all
#: and still be taken to show nothing to read (a frame, a rule, a few boxes): a number
#: drawn as outlines takes several segments a digit.
MAX_BLANK_SEGMENTS = 48
#: Most objects looked at to tell that (a page of more is rendered).
_MAX_BLANK_OBJECTS = 256


def shows_nothing(page: Any) -> bool:
    """Whether a page without a text layer draws nothing that can show a number or a face:
    no text object, image, shading or annotation, only paths (in forms or not) of
    :data:`MAX_BLANK_SEGMENTS` segments at most in all. Such a page is not rendered (a
    PDF of 400 pages each filling one box took 4 min 40 s through face detection and OCR).
    """
    import pypdfium2.raw as c

    if c.FPDFPage_GetAnnotCount(page.raw) != 0:
        return False
    segments = 0
    for index, obj in enumerate(page.get_objects(max_depth=16)):
        if index >= _MAX_BLANK_OBJECTS or obj.type not in (c.FPDF_PAGEOBJ_PATH,
                                                            c.FPDF_PAGEOBJ_FORM):
            return False
        if obj.type == c.FPDF_PAGEOBJ_FORM and obj.level >= 15:
            return False  # deeper than looked at
        if obj.type == c.FPDF_PAGEOBJ_PATH:
            segments += max(0, c.FPDFPath_CountSegments(obj.raw))
            if segments > MAX_BLANK_SEGMENTS:
                return False
    return True


def _page_parts(pdf: Any, form: Any, number: int, member: Member, ctx: ReadContext,
                budget: list[int], judged: bool = False) -> Iterator[Part]:
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
            if ctx.render_pages and not (judged and shows_nothing(page)):
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


# --- What a viewer does not show: a sweep of the file's own objects --------------------
#
# PDFium reads a document the way a viewer shows it: the latest revision's pages, their
# annotations, the Info dictionary, the attachments listed. A number can sit elsewhere in
# the bytes: an object nobody references, an outline title, XMP metadata, JavaScript, a
# content stream an incremental update replaced, data after the last %%EOF. The sweep
# lexes the file once (strings, names, references, streams; linear, no backtracking),
# decodes the streams it keeps through the guard's bounded decoders, and keeps only the
# pieces that may hold a number (:func:`_may_hold_text`); what PDFium showed is not
# reported twice (strings equal to a value shown; numbers of a content stream that the
# page text holds).

#: Objects swept from one PDF at most (those of object streams counted); past them the
#: sweep reads no more strings and says so (it still notes what the pages draw).
MAX_SWEPT_OBJECTS = 200_000
#: References and streams noted for what pages draw at most; past them the sweep ends, and
#: the document is refused (its pages' forms could not be counted).
MAX_SWEPT_STRUCTURE = 1_000_000
#: Bytes of streams the sweep decodes from one PDF at most, as a multiple of the member
#: limit (each stream is bounded by the limit itself, as the guard measured).
MAX_SWEEP_BYTES_FACTOR = 2
#: Characters of strings held from one object at a time (past them, those held are
#: weighed and let go, and the object's next strings are held anew).
_MAX_OBJECT_TEXT = 1 << 20
SWEPT = "objects not shown on a page"

_SPACE = b"\x00\t\n\x0c\r "
_TOKEN = re.compile(rb"[\x00\t\n\x0c\r ]+|%[^\r\n]*|<<|>>|<[0-9A-Fa-f\x00\t\n\x0c\r ]*>|[\[\]{}]"
                    rb"|/[^\x00\t\n\x0c\r /\[\]<>(){}%]*|[^\x00\t\n\x0c\r /\[\]<>(){}%]+"
                    rb"|[\s\S]")
_PAREN = re.compile(rb"[()\\]")
_LITERAL_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r\n|[\s\S])")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f",
            b"\r\n": b"", b"\n": b"", b"\r": b""}
_CONTENT_MARK = re.compile(rb"[(<%]|(?<![^\x00\t\n\x0c\r ])ID[\x00\t\n\x0c\r ]")
_INLINE_END = re.compile(rb"[\x00\t\n\x0c\r ]EI(?![^\x00\t\n\x0c\r ])")
_HEX_STRING = re.compile(rb"<[0-9A-Fa-f\x00\t\n\x0c\r ]*>")
_LINE_BREAK = re.compile(rb"T[dDm*]|ET|BT|['\"]")
_TEXT_OBJECT = re.compile(rb"(?<![^\x00\t\n\x0c\r \]>)])BT(?![^\x00\t\n\x0c\r /\[<(])")
_TAG = re.compile(r"<[^<>]*>")
_EOL = re.compile(rb"[\r\n]")
#: What a string is, by the key it is the value of (the rest: "string").
_KEYS = {b"/Title": "title", b"/JS": "JavaScript", b"/URI": "link address",
         b"/Contents": "annotation text", b"/RC": "annotation text", b"/T": "form field name",
         b"/TU": "form field name", b"/TM": "form field name", b"/V": "form field value",
         b"/DV": "form field value", b"/Alt": "alternate text", b"/ActualText": "alternate text",
         b"/E": "alternate text", b"/Author": "document information",
         b"/Subject": "document information", b"/Keywords": "document information",
         b"/Creator": "document information", b"/Producer": "document information"}
#: Streams that hold no text a number could be read from (fonts, colour profiles, maps of
#: glyphs to characters), by the key that refers to them.
_BINARY_REFS = {b"/FontFile", b"/FontFile2", b"/FontFile3", b"/ICCBased", b"/ToUnicode",
                b"/Thumb"}


def _literal(data: bytes, start: int, end: int) -> tuple[bytes, int]:
    """The raw bytes of the literal string opening at ``start``, and where it ends."""
    depth, at = 1, start + 1
    while True:
        match = _PAREN.search(data, at, end)
        if match is None:
            return data[start + 1:end], end
        at = match.end()
        char = data[match.start()]
        if char == 0x5C:
            at += 1
        elif char == 0x28:
            depth += 1
        else:
            depth -= 1
            if not depth:
                return data[start + 1:match.start()], at


def _unescape_literal(raw: bytes) -> bytes:
    if b"\\" not in raw:
        return raw

    def one(match: re.Match[bytes]) -> bytes:
        value = match.group(1)
        if value[0] in b"01234567":
            return bytes([int(value, 8) & 0xFF])
        return _ESCAPES.get(value, value)

    return _LITERAL_ESCAPE.sub(one, raw)


def _hex_bytes(token: bytes) -> bytes:
    digits = token[1:-1].translate(None, _SPACE)
    return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))


def _text(raw: bytes) -> str:
    """A string's bytes as text: UTF-16 or UTF-8 by its mark, else byte by byte."""
    if raw[:2] == b"\xfe\xff":
        return raw[2:].decode("utf-16-be", errors="replace")
    if raw[:2] == b"\xff\xfe":
        return raw[2:].decode("utf-16-le", errors="replace")
    if raw[:3] == b"\xef\xbb\xbf":
        return raw[3:].decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _content_text(data: bytes) -> str:
    """The strings of a content stream (what Tj, TJ, ' and " show, and marked-content
    strings), joined: on one line unless a text-positioning operator stands between."""
    pieces: list[str] = []
    at, last = 0, 0
    while True:
        match = _CONTENT_MARK.search(data, at)
        if match is None:
            break
        start, char = match.start(), data[match.start()]
        if char == 0x25:  # a comment
            line = _EOL.search(data, start)
            at = line.end() if line else len(data)
            continue
        if char == 0x49:  # an inline image's data, up to EI
            end = _INLINE_END.search(data, match.end())
            at = end.end() if end else len(data)
            continue
        if char == 0x3C:
            hexed = _HEX_STRING.match(data, start)
            if hexed is None:
                at = start + 2 if data[start + 1:start + 2] == b"<" else start + 1
                continue
            raw, at = _hex_bytes(hexed.group()), hexed.end()
        else:
            literal, at = _literal(data, start, len(data))
            raw = _unescape_literal(literal)
        if pieces and _LINE_BREAK.search(data, last, start):
            pieces.append("\n")
        pieces.append(_text(raw))
        last = at
    return "".join(pieces)


def _xml_text(data: bytes) -> str:
    import html

    return html.unescape(_TAG.sub(" ", _text(data)))


class _Found:
    """A piece the sweep kept: where (object number and which definition of it), what
    kind, and its texts (strings) or where its stream is (decoded again at the end)."""

    __slots__ = ("number", "definition", "kind", "texts", "stream", "content", "digest")

    def __init__(self, number: int | None, definition: int, kind: str, texts: list[str],
                 stream: tuple[int, int, list[bytes] | None] | None = None,
                 content: bool = False, digest: bytes = b"") -> None:
        self.number, self.definition, self.kind, self.texts = number, definition, kind, texts
        self.stream, self.content, self.digest = stream, content, digest


_DO = re.compile(rb"/([^\x00\t\n\x0c\r /\[\]<>(){}%]+)[\x00\t\n\x0c\r ]*Do"
                 rb"(?![^\x00\t\n\x0c\r /\[\]<>(){}%])")


class _Drawing:
    """A stream a page or a form may draw: where it is, its decoded length, how many times
    it draws each XObject name (``Do``), and whether it is a form."""

    __slots__ = ("start", "stop", "filters", "length", "draws", "form")

    def __init__(self, start: int, stop: int, filters: list[bytes] | None, length: int,
                 draws: dict[bytes, int], form: bool) -> None:
        self.start, self.stop, self.filters = start, stop, filters
        self.length, self.draws, self.form = length, draws, form


def _count_draws(data: bytes, draws: dict[bytes, int]) -> None:
    if b"Do" not in data:
        return
    for match in _DO.finditer(data):
        name = _unescape(b"/" + match.group(1))
        draws[name] = draws.get(name, 0) + 1


def _drawing(data: bytes, start: int, stop: int, filters: list[bytes] | None,
             form: bool) -> _Drawing:
    draws: dict[bytes, int] = {}
    _count_draws(data, draws)
    return _Drawing(start, stop, filters, len(data), draws, form)


class Sweep:
    """What the file's bytes hold beyond what PDFium shows (see :func:`sweep`)."""

    def __init__(self, data: bytes, limit: int) -> None:
        self.data, self.limit = data, limit
        self.end = _pdf_end(data)
        self.found: list[_Found] = []
        self.files: list[tuple[bytes, int, int, list[bytes] | None]] = []
        self.errors: list[PartError] = []
        self.defined: dict[int, int] = {}
        self.referenced: set[int] = set()
        #: the key each object is referred to by, "(mixed)" when by more than one kind
        self.ref_keys: dict[int, bytes] = {}
        self.objects = 0
        self.budget = MAX_SWEEP_BYTES_FACTOR * limit
        self.filters = _Objects(data)
        self.stopped = False
        #: what pages draw (see :func:`fanned_out`): per object, its references by the keys
        #: leading to them (its own keys, and those under /Resources or /XObject), the
        #: streams its /Contents array names, whether it has /Resources, which are pages,
        #: and per stream that may be drawn, where it is and what it draws
        self.refs: dict[int, dict[tuple[bytes, ...], int]] = {}
        self.contents: dict[int, list[int]] = {}
        self.has_resources: set[int] = set()
        self.pages: set[int] = set()
        self.drawn: dict[int, _Drawing] = {}
        #: references and streams noted for that, past MAX_SWEPT_STRUCTURE: the lexing ends
        self.structure = 0
        self.exhausted = False
        #: a tiling pattern is defined (its cell can write text a shape is filled with)
        self.patterns = False
        #: pictures the file holds, drawn or not: image streams, streams referred to as a
        #: page's thumbnail (/Thumb), streams drawing an inline image (``BI``)
        self.pictures = 0

    @property
    def judges_pages(self) -> bool:
        """Whether a page may be judged by what it draws (:func:`shows_nothing`): the sweep
        saw every object and no tiling pattern that can write text."""
        return not (self.patterns or self.stopped or self.exhausted)

    # -- lexing ---------------------------------------------------------------------------
    def run(self) -> Sweep:
        self._lex(self.data, 0, self.end, None)
        return self

    def _define(self, number: int) -> int:
        """The object's definition number (0 for its first); past MAX_SWEPT_OBJECTS its
        strings are no longer read (``stopped``), only what its pages draw."""
        self.objects += 1
        if self.objects > MAX_SWEPT_OBJECTS and not self.stopped:
            self.stopped = True
            self.errors.append(PartError(SWEPT, f"not all read: more than "
                                                f"{MAX_SWEPT_OBJECTS} objects"))
        if self.stopped:
            return 0
        definition = self.defined.get(number, 0)
        self.defined[number] = definition + 1
        return definition

    def _lex(self, data: bytes, at: int, end: int, number: int | None,
             definition: int = 0, in_stream: bool = False) -> None:
        recent: list[bytes] = []  # the last few tokens (not strings, spaces or comments)
        strings: dict[str, list[str]] = {}
        kept = 0
        depth = arrays = 0
        top: list[bytes] = []  # the object's dictionary, its own keys and values
        opened: list[bytes] = []  # the key of each dictionary ("<<") or array ("[") open
        while at < end and not self.exhausted:
            if data[at] == 0x28:
                literal, at = _literal(data, at, end)
                raw = _unescape_literal(literal)
                token = b"(string)"
            else:
                match = _TOKEN.match(data, at, end)
                assert match is not None  # noqa: S101 - the last alternative takes any byte
                token, at = match.group(), match.end()
                first = token[0]
                if first in _SPACE or first == 0x25:
                    continue
                if first == 0x3C and token != b"<<" and token[-1:] == b">" and len(token) > 1:
                    raw, token = _hex_bytes(token), b"(string)"
                elif first == 0x2F and b"#" in token:
                    token = _unescape(token)  # /F#6frm is /Form to PDFium
            if token == b"(string)":
                if kept >= _MAX_OBJECT_TEXT:
                    self._flush(number, definition, strings, top)
                    strings, kept = {}, 0
                if raw and not self.stopped:
                    key = recent[-1] if recent and recent[-1][:1] == b"/" else b""
                    kind = _KEYS.get(key, "string")
                    text = _text(raw)
                    kept += len(text)
                    strings.setdefault(kind, []).append(text)
                if depth == 1 and not arrays:
                    top.append(b"(string)")
                recent = recent[-3:] + [token]
                continue
            if depth == 1 and not arrays:
                top.append(token if token not in (b"<<", b"[") else b"(nested)")
            if token == b"obj" and len(recent) >= 2 and recent[-1].isdigit() and \
                    recent[-2].isdigit() and not in_stream:
                self._flush(number, definition, strings, top)
                self._close(number, top)
                strings, kept, depth, arrays, top, opened = {}, 0, 0, 0, [], []
                number = int(recent[-2])
                definition = self._define(number)
                self.refs.pop(number, None)  # a later definition replaces an earlier one
                self.contents.pop(number, None)
            elif token == b"endobj" and not in_stream:
                self._flush(number, definition, strings, top)
                self._close(number, top)
                strings, kept, depth, arrays, top, opened, number = {}, 0, 0, 0, [], [], None
            elif token == b"R" and len(recent) >= 2 and recent[-1].isdigit() and \
                    recent[-2].isdigit():
                referred = int(recent[-2])
                if not self.stopped:
                    self.referenced.add(referred)
                if len(recent) >= 3 and recent[-3] == b"/Thumb":
                    self.pictures += 1
                if len(recent) >= 3 and recent[-3][:1] == b"/" and not self.stopped:
                    key = self.ref_keys.setdefault(referred, recent[-3])
                    if key != recent[-3]:
                        self.ref_keys[referred] = b"(mixed)"  # a font and a script: neither
                if number is not None:
                    self._refer(number, opened, recent, referred)
            elif token == b"<<":
                depth += 1
                opened.append(recent[-1] if recent and recent[-1][:1] == b"/" else b"")
            elif token == b">>":
                depth = max(0, depth - 1)
                if opened:
                    opened.pop()
            elif token == b"[":
                arrays += 1
                opened.append(b"[" + (recent[-1] if recent and recent[-1][:1] == b"/"
                                      else b""))
            elif token == b"]":
                arrays = max(0, arrays - 1)
                if opened:
                    opened.pop()
            elif token == b"stream" and not in_stream:
                start = at + (2 if data[at:at + 2] == b"\r\n" else 1 if data[at:at + 1]
                              in (b"\n", b"\r") else 0)
                stop = data.find(b"endstream", start, end)
                stop = stop if stop >= 0 else end
                self._stream(number, definition, _pairs(top), start, stop)
                at = stop + len(b"endstream")
            recent = recent[-3:] + [token]
        self._flush(number, definition, strings, top)
        if in_stream:
            self._close(number, top)

    def _refer(self, number: int, opened: list[bytes], recent: list[bytes],
               referred: int) -> None:
        """Note a reference that says what a page or form draws: ``/Key n g R`` directly in
        the object's dictionary or under its /Resources or /XObject key (three deep at
        most), or an element of its /Contents array."""
        if len(opened) == 2 and opened[1] == b"[/Contents" and opened[0] == b"":
            self.contents.setdefault(number, []).append(referred)
            return
        if len(recent) < 3 or recent[-3][:1] != b"/" or not opened or \
                any(key[:1] == b"[" for key in opened):
            return
        path = (*opened[1:], recent[-3])
        if len(path) == 1 or (len(path) <= 3 and path[0] in (b"/Resources", b"/XObject")):
            self.refs.setdefault(number, {})[path] = referred
            self._noted()

    def _noted(self) -> None:
        self.structure += 1
        if self.structure > MAX_SWEPT_STRUCTURE and not self.exhausted:
            self.exhausted = self.stopped = True
            self.errors.append(PartError(SWEPT, "not all read: more than "
                                                f"{MAX_SWEPT_STRUCTURE} references"))

    def _close(self, number: int | None, top: list[bytes]) -> None:
        """Note whether the object closing is a page, and whether it has /Resources."""
        if number is None or not top:
            return
        pairs = _pairs(top)
        if pairs.get(b"/Type") == b"/Page":
            self.pages.add(number)
        if b"/Resources" in pairs:
            self.has_resources.add(number)

    def _flush(self, number: int | None, definition: int, strings: dict[str, list[str]],
               top: list[bytes]) -> None:
        for kind, texts in strings.items():
            if kind == "title" and b"/Parent" in top:
                kind = "outline title"
            if _may_hold_text("\n".join(texts)):
                self.found.append(_Found(number, definition, kind, texts))

    # -- streams --------------------------------------------------------------------------
    def _decoded(self, start: int, stop: int, filters: list[bytes] | None,
                 charged: bool = True) -> bytes | None:
        """A stream's data through its filters, a step at a time, each filter's output
        bounded by the member limit (None: a filter the sweep does not decode, past the
        limit — a bomb the guard left out — or past the sweep's budget)."""
        if self.budget <= 0 and charged:
            return None
        chunks = self._chain(start, stop, filters)
        if chunks is None:
            return None
        try:
            out = b"".join(_counted(chunks, self.limit))
        except _Over:
            return None
        if charged:
            if len(out) > self.budget:
                self.budget = 0
                self.errors.append(PartError(SWEPT, "not all read: their streams decode "
                                                    f"to over {MAX_SWEEP_BYTES_FACTOR} "
                                                    "times the member limit"))
                return None
            self.budget -= len(out)
        return out

    def _chain(self, start: int, stop: int, filters: list[bytes] | None
               ) -> Iterator[bytes] | None:
        """A stream's data through its filters, a step at a time, each filter's output
        bounded by the member limit (:class:`_Over` past it); None: a filter not decoded
        here."""
        chunks: Iterator[bytes] = (self.data[at:min(at + _STEP, stop)]
                                   for at in range(start, stop, _STEP))
        for name in filters or ():
            if name not in _DECODERS:
                return None
            chunks = _counted(_DECODERS[name](chunks), self.limit)
        return chunks

    def _stream(self, number: int | None, definition: int, pairs: dict[bytes, bytes],
                start: int, stop: int) -> None:
        kind, subtype = pairs.get(b"/Type"), pairs.get(b"/Subtype")
        if pairs.get(b"/PatternType") == b"1" and not self.patterns:
            cell = self._decoded(start, stop, stream_filters(self.data, start, self.filters))
            self.patterns = cell is None or _may_show(cell)
        if subtype == b"/Image":
            self.pictures += 1
        if subtype == b"/Image" or kind == b"/XRef" or subtype in (
                b"/Type1C", b"/CIDFontType0C", b"/OpenType") or \
                pairs.keys() & {b"/Length1", b"/Length2", b"/Length3"}:
            return
        filters = stream_filters(self.data, start, self.filters)
        if b"/Resources" in pairs and number is not None:
            self.has_resources.add(number)
        data = self._decoded(start, stop, filters)
        if data is None or _INLINE_IMAGE.search(data):
            self.pictures += 1  # (a stream not decoded may draw one)
        if number is not None and kind not in (b"/ObjStm", b"/EmbeddedFile", b"/Metadata"):
            # what it draws, when a page or a form draws it (see fanned_out)
            form = subtype == b"/Form"
            drawing = _drawing(data, start, stop, filters, form) if data is not None else \
                self._drawing_unheld(start, stop, filters, form) if self.budget <= 0 else None
            if drawing is not None:
                self.drawn[number] = drawing
                self._noted()
        if not data or (self.stopped and kind != b"/ObjStm"):
            return
        if kind == b"/ObjStm":
            self._object_stream(data, pairs)
        elif kind == b"/EmbeddedFile":
            import hashlib

            self.files.append((hashlib.sha256(data).digest(), start, stop, filters))
        elif kind == b"/Metadata" or subtype == b"/XML":
            text = _xml_text(data)
            if _may_hold_text(text):
                self.found.append(_Found(number, definition, "XMP metadata", [text]))
        else:
            content = subtype in (b"/Form", b"/PS") or _TEXT_OBJECT.search(data) is not None
            shown_text = _content_text(data)
            texts = [shown_text] if _may_hold_text(shown_text) else []
            if texts or _may_hold(data):
                import hashlib

                self.found.append(_Found(number, definition, "content stream", texts,
                                         (start, stop, filters), content,
                                         hashlib.sha256(data).digest()))

    def _drawing_unheld(self, start: int, stop: int, filters: list[bytes] | None,
                        form: bool) -> _Drawing | None:
        """What a stream the sweep's budget left undecoded draws, decoded again a step at a
        time and let go (None: a filter not decoded here, or past the member limit — a bomb
        the guard leaves out)."""
        chunks = self._chain(start, stop, filters)
        if chunks is None:
            return None
        draws: dict[bytes, int] = {}
        length, carry = 0, b""
        try:
            for chunk in _counted(chunks, self.limit):
                length += len(chunk)
                text = carry + chunk
                cut = text.rfind(b"/", max(0, len(text) - 256))  # a name cut in two: kept
                cut = len(text) if cut < 0 else cut
                _count_draws(text[:cut], draws)
                carry = text[cut:]
        except _Over:
            return None
        _count_draws(carry, draws)
        return _Drawing(start, stop, filters, length, draws, form)

    def _object_stream(self, data: bytes, pairs: dict[bytes, bytes]) -> None:
        first = pairs.get(b"/First", b"")
        if not first.isdigit() or int(first) > len(data):
            return
        base = int(first)
        header = data[:base].split()
        entries = [(int(header[i]), int(header[i + 1])) for i in range(0, len(header) - 1, 2)
                   if header[i].isdigit() and header[i + 1].isdigit()]
        entries.sort(key=lambda entry: entry[1])
        for index, (number, offset) in enumerate(entries):
            if self.exhausted:
                return
            definition = self._define(number)
            self.refs.pop(number, None)
            self.contents.pop(number, None)
            following = entries[index + 1][1] if index + 1 < len(entries) else len(data)
            self._lex(data, min(base + offset, len(data)),
                      min(base + max(offset, following), len(data)), number, definition,
                      in_stream=True)

    # -- what is reported -----------------------------------------------------------------
    def where(self, found: _Found) -> str:
        number = found.number
        if number is None:
            state = "outside any object: "
        elif found.definition + 1 < self.defined.get(number, 0):
            state = "earlier revision: "
        elif number not in self.referenced:
            state = "orphan object: "
        else:
            state = ""
        kind = found.kind
        if found.stream is not None and not self._is_content(found):
            kind = "JavaScript" if self.ref_keys.get(number or 0) == b"/JS" else "stream"
        return state + kind

    def _is_content(self, found: _Found) -> bool:
        key = self.ref_keys.get(found.number) if found.number is not None else None
        return found.content or key in (b"/Contents", b"/CharProcs")

    def texts(self, found: _Found) -> list[str] | None:
        """The texts of a piece (a stream not drawn as content: its data, decoded again);
        None: a stream holding no text (a font, a colour profile)."""
        if found.stream is None or self._is_content(found):
            return found.texts
        key = self.ref_keys.get(found.number) if found.number is not None else None
        if key in _BINARY_REFS:
            return None
        start, stop, filters = found.stream
        data = self._decoded(start, stop, filters, charged=False)  # within the budget once
        return [_text(data)] if data else None

    def tail(self) -> bytes:
        """Data after the end of the PDF (its last %%EOF), whitespace stripped."""
        tail = self.data[self.end:].lstrip(_SPACE)  # (a zip ends with NULs: kept)
        return tail if tail.rstrip(_SPACE) else b""


def _may_hold_text(text: str) -> bool:
    """Whether :func:`scan_text` may find something in ``text`` (:func:`finds_nothing`,
    told at C speed when it holds ten ASCII digits or an at sign, or no digits to speak
    of and no other letters than ASCII ones)."""
    from ..text.engine import finds_nothing

    digits = sum(map(text.count, "0123456789"))
    if digits >= 10 or "@" in text:
        return True
    return (digits >= 5 or not text.isascii()) and not finds_nothing(text)


def _may_hold(data: bytes) -> bool:
    """Whether a stream's bytes, as text, may hold a number (told at C speed when they
    hold ten ASCII digits or an at sign, as a content stream's coordinates do)."""
    from ..text.engine import finds_nothing

    digits = len(data) - len(data.translate(None, b"0123456789"))
    if digits >= 10 or b"@" in data:
        return True
    return (digits >= 5 or not data.isascii()) and not finds_nothing(_text(data))


def _pairs(top: list[bytes]) -> dict[bytes, bytes]:
    """An object dictionary's own keys and their values (a reference: its number)."""
    pairs: dict[bytes, bytes] = {}
    index = 0
    while index + 1 < len(top):
        key = top[index]
        if key[:1] != b"/":
            index += 1
            continue
        value = top[index + 1]
        pairs.setdefault(key, value)
        if value.isdigit() and index + 3 < len(top) and top[index + 3] == b"R":
            index += 4
        else:
            index += 2
    return pairs


def _pdf_end(data: bytes) -> int:
    """Where the PDF ends: after its last %%EOF that closes a revision (a startxref
    between it and the %%EOF before), so an appended archive holding "%%EOF" is not
    taken for the end; the file's length when there is none."""
    end = data.rfind(b"%%EOF")
    while end >= 0:
        before = data.rfind(b"%%EOF", 0, end)
        if data.find(b"startxref", before + 5 if before >= 0 else 0, end) >= 0:
            return end + 5
        end = before
    return len(data)


def sweep(data: bytes, limit: int) -> Sweep:
    """The file's objects swept (see the comment above :data:`MAX_SWEPT_OBJECTS`)."""
    return Sweep(data, limit).run()


# --- What a page makes PDFium parse: forms drawn within forms ---------------------------
#
# PDFium parses each Form XObject a page draws, each time it is drawn, when the page is
# loaded (measured: about 25 bytes of memory a byte of content, 1.4 KB a drawing). Twenty-
# eight forms each drawing the next twice are 2²⁸ drawings from 6 KB: the fifth hostile
# set's scan held 22.9 GB before the kernel killed it. From the sweep (each form's ``Do``
# operators, the names resolved through the resources of the form or of the page, its
# /Pages nodes included, however the dictionaries are referred to), the content each page
# would parse is counted before any page is loaded, and bounded.

#: Content a page may make PDFium parse, in bytes: its own content streams, and each form
#: it draws counted each time it is drawn, plus :data:`_DRAW_COST` a drawing.
MAX_DRAWN_BYTES = 16 * 1024 * 1024
_DRAW_COST = 64
#: Rounds of leaving forms out at most (each leaves one out at least); in the last, every
#: form and page past the bound is left out.
_MAX_ROUNDS = 32
_XOBJECTS = (b"/Resources", b"/XObject")


def fanned_out(swept: Sweep, bound: int = MAX_DRAWN_BYTES) -> list[tuple[_Drawing, str]]:
    """The streams to leave out, each with what it is ("form", "page content"), so that no
    page, and no form drawn on its own (an annotation's appearance), makes PDFium parse
    more than ``bound``: first the forms past the bound that draw none past it, then the
    content of a page past the bound by its own drawings. A form that draws itself, through
    others or not, counts as past the bound (ISO 32000 forbids it)."""
    over = bound + 1
    names: dict[int | None, dict[bytes, int]] = {}
    left: dict[int, str] = {}

    def xobjects(owner: int | None) -> dict[bytes, int]:
        if owner not in names:
            names[owner] = {} if owner is None else _names(swept.refs, owner, _XOBJECTS, 4)
        return names[owner]

    def owner_of(page: int) -> int | None:
        for _ in range(64):
            if page in swept.has_resources:
                return page
            parent = swept.refs.get(page, {}).get((b"/Parent",))
            if parent is None:
                return None
            page = parent
        return None

    def page_streams(page: int) -> list[int]:
        listed = swept.contents.get(page)
        single = swept.refs.get(page, {}).get((b"/Contents",))
        return listed or ([single] if single is not None else [])

    Node = tuple[int, int | None]  # (stream, resources' owner); a page: (-page, owner)

    def parts(node: Node) -> tuple[int, list[tuple[int, Node]]]:
        number, owner = node
        streams = page_streams(-number) if number < 0 else [number]
        length, children = 0, []
        for stream in streams:
            drawing = swept.drawn.get(stream)
            if drawing is None or stream in left:
                continue
            length += drawing.length
            for name, count in drawing.draws.items():
                target = xobjects(owner).get(name)
                form = swept.drawn.get(target) if target is not None else None
                if target is None or form is None or not form.form or target in left:
                    continue
                children.append((count, (target, target if target in swept.has_resources
                                         else owner)))
        return length, children

    def weigh(root: Node, memo: dict[Node, int], minimal: list[int]) -> int:
        """The content ``root`` makes PDFium parse (capped at ``over``); the streams past
        the bound whose drawings are not go to ``minimal``."""
        stack: list[tuple[Node, int, list[tuple[int, Node]], int, bool]] = []
        on_stack: set[Node] = set()
        length, children = parts(root)
        stack.append((root, 0, children, length, False))
        on_stack.add(root)
        while stack:
            node, index, children, total, child_over = stack.pop()
            while index < len(children):
                count, child = children[index]
                index += 1
                if child in on_stack:
                    total = over  # a form drawing itself
                    continue
                if child not in memo:
                    stack.append((node, index - 1, children, total, child_over))
                    length, grandchildren = parts(child)
                    stack.append((child, 0, grandchildren, length, False))
                    on_stack.add(child)
                    break
                weight = memo[child]
                child_over = child_over or weight >= over
                total = min(over, total + count * (_DRAW_COST + weight))
            else:
                on_stack.discard(node)
                memo[node] = total
                if total >= over and not child_over:
                    minimal.append(node[0])
        return memo[root]

    roots: list[Node] = [(-page, owner_of(page)) for page in sorted(swept.pages)]
    roots += [(number, number if number in swept.has_resources else None)
              for number, drawing in sorted(swept.drawn.items()) if drawing.form]
    for round_ in range(_MAX_ROUNDS):
        memo: dict[Node, int] = {}
        minimal: list[int] = []
        past = [root for root in roots if weigh(root, memo, minimal) >= over]
        if not past:
            break
        if round_ + 1 == _MAX_ROUNDS:
            minimal += [number for number, _ in past]
        for number in minimal:
            if number < 0:
                for stream in page_streams(-number):
                    if stream in swept.drawn:
                        left.setdefault(stream, "page content")
            else:
                left.setdefault(number, "form")
    return [(swept.drawn[number], what) for number, what in sorted(left.items())]


def _names(refs: dict[int, dict[tuple[bytes, ...], int]], number: int,
           path: tuple[bytes, ...], hops: int) -> dict[bytes, int]:
    """The names under ``path`` of object ``number`` and the objects they refer to, each
    dictionary on the way written in place or referred to (``/Resources 12 0 R``)."""
    own = refs.get(number, {})
    found = {key[-1]: referred for key, referred in own.items()
             if len(key) == len(path) + 1 and key[:-1] == path}
    if hops:
        for cut in range(1, len(path) + 1):
            referred = own.get(path[:cut])
            if referred is not None and referred != number:
                found.update(_names(refs, referred, path[cut:], hops - 1))
    return found


def hides_anything(data: bytes, limit: int, swept: Sweep | None = None) -> bool:
    """Whether the file's bytes hold a number beyond what PDFium shows (any, shown or
    not: a copy of such a file is never the file itself), a file no attachment list
    names, or data after its end (``swept``: the file's sweep, when made already)."""
    from ..text.engine import scan_text

    swept = swept if swept is not None else sweep(data, limit)
    if swept.tail() or swept.files or swept.errors:
        return True
    return any(scan_text("\n".join(texts)) for found in swept.found
               if (texts := swept.texts(found)))
