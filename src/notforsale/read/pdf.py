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
#: is inflated up to the limit to be measured: ~0.2 s a stream at the default limit).
MAX_BOMB_STREAMS = 8
#: A zlib stream that inflates to nothing: written over a bomb's first bytes, it ends the
#: stream for PDFium's decoder, which ignores what follows up to ``endstream``.
_EMPTY_ZLIB = zlib.compress(b"")


def expanded_streams(data: bytes, limit: int, most: int | None = None) -> list[int]:
    """Where the compressed streams that expand past ``limit`` start (byte offsets).

    PDFium decompresses a page's content stream whole: a 400 KB stream that inflates to
    1 GiB would cost that much memory. Every stream that inflates with zlib (FlateDecode,
    the usual filter) is inflated here first, counted and thrown away, a megabyte at a
    time, each only up to the limit. The search stops after ``most`` + 1 bombs.
    """
    most = MAX_BOMB_STREAMS if most is None else most
    found: list[int] = []
    at = 0
    while len(found) <= most:
        match = _STREAM.search(data, at)
        if match is None:
            break
        start = match.end()
        at = start
        if data[start:start + 1] != b"x":  # every zlib stream starts 0x78
            continue
        inflater = zlib.decompressobj()
        total = 0
        chunk_at = start
        try:
            while chunk_at < len(data) and not inflater.eof:
                piece = inflater.decompress(data[chunk_at:chunk_at + (1 << 16)], 1 << 20)
                total += len(piece)
                while inflater.unconsumed_tail and not inflater.eof and total <= limit:
                    piece = inflater.decompress(inflater.unconsumed_tail, 1 << 20)
                    total += len(piece)
                if total > limit:
                    break
                chunk_at += 1 << 16
        except zlib.error:
            continue
        if total > limit:
            found.append(start)
            end = data.find(b"endstream", start)
            at = end if end > 0 else len(data)
            continue
        at = max(at, chunk_at - (1 << 16))
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
            for start in bombs:
                copy[start:start + len(_EMPTY_ZLIB)] = _EMPTY_ZLIB
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
