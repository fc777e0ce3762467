"""Redact a PDF by rasterizing it: every page written back as a redacted picture.

A PDF's text layer cannot be masked reliably in place (fonts, subsets, text drawn in
pieces), so a PDF that holds anything to hide — a number in its text, annotations
or metadata, any image, a scanned page, an attached file — is rendered page by page
(200 dpi); the text layer's numbers are filled black at their character boxes, and
each page then goes through image redaction like any photo (faces covered, numbers
read by OCR filled). The copy has no text layer, no metadata and no attachments, and
none of what the file's bytes hold beyond what PDFium shows (an orphan object, an
outline, XMP, JavaScript, an earlier revision, data after its end: the reader's sweep);
a PDF whose sweep finds anything is rasterized too. A PDF with none of that is copied
unchanged.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageDraw

from ..read.member import Member
from ..read.pdf import PDFIUM_LOCK, hides_anything, open_pdf, page_scale, shows_nothing, sweep
from ..text.engine import scan_text
from .context import CannotRewrite, Context, Written

#: JPEG quality of rasterized pages.
PAGE_QUALITY = 85


def _page_states(pdf: Any) -> tuple[bool, list[bool]]:
    """Whether the PDF holds anything to hide (metadata, an attachment, or a page that is
    not clean), and per page whether it is clean: a text layer without a number, no
    annotation, no picture drawn."""
    import pypdfium2.raw as c

    needs = bool(pdf.count_attachments()) or any(
        scan_text(str(v)) for v in pdf.get_metadata_dict(skip_empty=True).values())
    clean = []
    for index in range(len(pdf)):
        page = pdf[index]
        try:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            clean.append(bool(text.strip()) and not scan_text(text)
                         and c.FPDFPage_GetAnnotCount(page.raw) == 0
                         and not any(True for _ in page.get_objects(
                             filter=[c.FPDF_PAGEOBJ_IMAGE], max_depth=4)))
        finally:
            page.close()
    return needs or not all(clean), clean


def _rotate_box(box: tuple[float, float, float, float], rotation: int, width: float,
                height: float) -> tuple[float, float, float, float]:
    """A box in the unrotated page's pixels, in the pixels of the page as rendered."""
    x0, y0, x1, y1 = box
    if rotation == 90:
        x0, y0, x1, y1 = height - y1, x0, height - y0, x1
    elif rotation == 180:
        x0, y0, x1, y1 = width - x1, height - y1, width - x0, height - y0
    elif rotation == 270:
        x0, y0, x1, y1 = y0, width - x1, y1, width - x0
    return x0, y0, x1, y1


Box = tuple[float, float, float, float]


def _number_chars(textpage: Any) -> list[list[tuple[int, Box]]]:
    """For each number in a text layer, its characters: (index, loose box in page units,
    left-bottom-right-top; empty when the character has no extent)."""
    findings = scan_text(textpage.get_text_range())
    count = textpage.count_chars()
    return [[(index, textpage.get_charbox(index, loose=True))
             for index in range(finding.start, min(finding.end, count))]
            for finding in findings]


def _text_boxes(page: Any, scale: float) -> tuple[list[Box], int]:
    """Pixel boxes of the characters of every number in a page's text layer, and how
    many numbers there are."""
    textpage = page.get_textpage()
    try:
        numbers = _number_chars(textpage)
    finally:
        textpage.close()
    width, height = page.get_size()
    rotation = page.get_rotation() % 360
    boxes = []
    for chars in numbers:
        for _, (left, bottom, right, top) in chars:
            if right <= left:
                continue
            box = (left * scale, (height - top) * scale, right * scale,
                   (height - bottom) * scale)
            boxes.append(_rotate_box(box, rotation, width * scale, height * scale))
    return boxes, len(numbers)


#: A text-masking plan for a page: the positions (in the page's objects) of the text
#: objects to remove, the boxes to fill black (page units), how many numbers.
TextPlan = tuple[list[int], list[Box], int]
#: Pages masked in their text at a time, in a document of their own (PDFium writes a
#: changed page's content in time that grows with the document's pages: 35 ms a page in
#: a 3,000-page one, quadratic over its pages).
_MASK_BATCH = 50


def _text_plan(page: Any) -> TextPlan | None:
    """How to mask a page of text and shapes only (no picture, form, annotation or other
    object) in its own text layer: each text object that draws a character of a number
    removed, a black box drawn where the number stood; the page is then taken over with
    its text (read back as it is scanned, without OCR: a 3,000-page roster is not drawn
    and read 3,000 times). None when it is not such a page or holds no number."""
    import ctypes

    import pypdfium2.raw as c

    if c.FPDFPage_GetAnnotCount(page.raw):
        return None
    objects = list(page.get_objects(max_depth=0))
    if not objects or any(obj.type not in (c.FPDF_PAGEOBJ_TEXT, c.FPDF_PAGEOBJ_PATH)
                          for obj in objects):
        return None

    def address(handle: Any) -> int | None:
        return ctypes.cast(handle, ctypes.c_void_p).value

    textpage = page.get_textpage()
    try:
        numbers = _number_chars(textpage)
        drawing = {address(c.FPDFText_GetTextObject(textpage.raw, index))
                   for chars in numbers for index, _ in chars}
    finally:
        textpage.close()
    if not numbers:
        return None
    boxes: list[Box] = []
    for chars in numbers:
        line: list[Box] = []
        for _, (left, bottom, right, top) in chars:
            if right <= left:
                continue
            if line and abs(line[-1][1] - bottom) < 1 and abs(line[-1][3] - top) < 1:
                last = line[-1]  # on the same line: one box
                line[-1] = (min(last[0], left), last[1], max(last[2], right), last[3])
            else:
                line.append((left, bottom, right, top))
        boxes += line
    position = {address(obj.raw): at for at, obj in enumerate(objects)}
    if not drawing <= position.keys():
        return None  # a character no object of the page draws: rasterized instead
    return sorted(position[handle] for handle in drawing), boxes, len(numbers)


def _masked_in_text(pdf: Any, pages: list[int], plans: dict[int, TextPlan]) -> Any:
    """A document of ``pages`` of ``pdf``, each masked by its plan."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as c

    batch = pdfium.PdfDocument.new()
    batch.import_pages(pdf, pages=pages)
    for at, index in enumerate(pages):
        removed, boxes, _ = plans[index]
        page = batch[at]
        try:
            objects = list(page.get_objects(max_depth=0))
            for position in removed:
                page.remove_obj(objects[position])
            for left, bottom, right, top in boxes:
                box = c.FPDFPageObj_CreateNewRect(left - 0.5, bottom - 0.5,
                                                  right - left + 1, top - bottom + 1)
                c.FPDFPageObj_SetFillColor(box, 0, 0, 0, 255)
                c.FPDFPath_SetDrawMode(box, c.FPDF_FILLMODE_WINDING, False)
                c.FPDFPage_InsertObject(page.raw, box)
            page.gen_content()
        finally:
            page.close()
    return batch


def _redrawn(page: Any, copy: Any) -> bool:
    """A page that shows nothing to read (:func:`read.pdf.shows_nothing`: a few shapes)
    drawn again in ``copy`` as the same shapes — each path's segments, draw mode, colours,
    line width and matrix, nothing else of the page — so the copy need not hold a picture
    of it (whose check would be read like a scanned page). False (nothing added) when a
    shape stands inside a form: the page is then rasterized as any."""
    import ctypes

    import pypdfium2.raw as c

    objects = list(page.get_objects(max_depth=1))
    if any(obj.type != c.FPDF_PAGEOBJ_PATH for obj in objects):
        return False
    width, height = page.get_size()
    new_page = copy.new_page(width, height)
    for obj in objects:
        raw = obj.raw
        first = c.FPDFPath_GetPathSegment(raw, 0)
        x, y = ctypes.c_float(), ctypes.c_float()
        if not first or not c.FPDFPathSegment_GetPoint(first, x, y):
            continue
        path = c.FPDFPageObj_CreateNewPath(x.value, y.value)
        points: list[tuple[float, float]] = []
        for index in range(1, c.FPDFPath_CountSegments(raw)):
            segment = c.FPDFPath_GetPathSegment(raw, index)
            c.FPDFPathSegment_GetPoint(segment, x, y)
            kind = c.FPDFPathSegment_GetType(segment)
            if kind == c.FPDF_SEGMENT_MOVETO:
                c.FPDFPath_MoveTo(path, x.value, y.value)
            elif kind == c.FPDF_SEGMENT_LINETO:
                c.FPDFPath_LineTo(path, x.value, y.value)
            elif kind == c.FPDF_SEGMENT_BEZIERTO:
                points.append((x.value, y.value))
                if len(points) == 3:
                    c.FPDFPath_BezierTo(path, *points[0], *points[1], *points[2])
                    points = []
            if c.FPDFPathSegment_GetClose(segment):
                c.FPDFPath_Close(path)
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        c.FPDFPath_GetDrawMode(raw, fill, stroke)
        c.FPDFPath_SetDrawMode(path, fill.value, stroke.value)
        r, g, b, a = (ctypes.c_uint() for _ in range(4))
        if c.FPDFPageObj_GetFillColor(raw, r, g, b, a):
            c.FPDFPageObj_SetFillColor(path, r.value, g.value, b.value, a.value)
        if c.FPDFPageObj_GetStrokeColor(raw, r, g, b, a):
            c.FPDFPageObj_SetStrokeColor(path, r.value, g.value, b.value, a.value)
        line = ctypes.c_float()
        if c.FPDFPageObj_GetStrokeWidth(raw, line):
            c.FPDFPageObj_SetStrokeWidth(path, line.value)
        matrix = c.FS_MATRIX()
        if c.FPDFPageObj_GetMatrix(raw, matrix):
            c.FPDFPageObj_SetMatrix(path, matrix)
        c.FPDFPage_InsertObject(new_page.raw, path)
    new_page.gen_content()
    new_page.close()
    return True


def _picture(pdf: Any, index: int, member: Member, ctx: Context) -> tuple[bytes, float, float,
                                                                            int, int]:
    """Page ``index`` as a redacted picture: JPEG, the page's size as shown, and the
    numbers and faces covered."""
    page = pdf[index]
    try:
        scale = page_scale(page)
        boxes, numbers = _text_boxes(page, scale)
        picture = page.render(scale=scale, may_draw_forms=True).to_pil().convert("RGB")
        width, height = page.get_size()
        if page.get_rotation() % 180 == 90:
            width, height = height, width
    finally:
        page.close()
    draw = ImageDraw.Draw(picture)
    for x0, y0, x1, y1 in boxes:
        draw.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1), fill=(0, 0, 0))
    png = io.BytesIO()
    picture.save(png, format="PNG", compress_level=1)
    part = ctx.nested(member.child(f"page-{index + 1}.png", png.getvalue(), ctx.key,
                                   embedded=True))
    if part.data is None:
        raise CannotRewrite(f"page {index + 1} could not be redacted")
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(part.data)).convert("RGB").save(jpeg, format="JPEG",
                                                          quality=PAGE_QUALITY)
    return jpeg.getvalue(), width, height, numbers + part.numbers, part.faces


def _taken_over_cleanly(data: bytes, pictures: int, limit: int) -> bool:
    """Whether a copy holding pages taken over as they are holds nothing else than they
    show and ``pictures`` pictures (the redacted pages): no number anywhere in its bytes,
    no file, no other picture — drawn or not, a thumbnail, inline — and it was swept whole.
    A page can carry what no page shows (an image in its resources it never draws, its
    own XMP, a script); then the copy is made again with every page rasterized."""
    swept = sweep(data, limit)
    return (swept.judges_pages and not swept.errors and swept.pictures == pictures
            and not hides_anything(data, limit, swept))


def _assemble(pdf: Any, member: Member, ctx: Context, swept: Any, keep: list[bool],
              pictures: dict[int, tuple[bytes, float, float, int, int]],
              plans: dict[int, TextPlan] | None = None) -> bytes:
    """The copy: pages in ``keep`` taken over as they are (those with a plan masked in
    their text first), the rest as redacted pictures (made once into ``pictures``), pages
    showing a few shapes only drawn again."""
    import pypdfium2 as pdfium

    plans = plans or {}
    copy = pdfium.PdfDocument.new()
    try:
        index = 0
        while index < len(pdf):
            if keep[index]:
                planned = index in plans
                stop = index
                while stop < len(pdf) and keep[stop] and (stop in plans) == planned and \
                        (not planned or stop - index < _MASK_BATCH):
                    stop += 1
                if planned:
                    batch = _masked_in_text(pdf, list(range(index, stop)), plans)
                    try:
                        copy.import_pages(batch, index=len(copy))
                    finally:
                        batch.close()
                else:
                    copy.import_pages(pdf, pages=list(range(index, stop)), index=len(copy))
                index = stop
                continue
            page = pdf[index]
            # (a page with a text layer has text objects: shows_nothing says no)
            if swept.judges_pages and page.get_rotation() % 360 == 0 \
                    and shows_nothing(page) and _redrawn(page, copy):
                page.close()
                index += 1
                continue
            page.close()
            if index not in pictures:
                pictures[index] = _picture(pdf, index, member, ctx)
            jpeg, width, height, _, _ = pictures[index]
            new_page = copy.new_page(width, height)
            image = pdfium.PdfImage.new(copy)
            image.load_jpeg(io.BytesIO(jpeg), inline=True)
            image.set_matrix(pdfium.PdfMatrix().scale(width, height))
            new_page.insert_obj(image)
            new_page.gen_content()
            new_page.close()
            index += 1
        out = io.BytesIO()
        copy.save(out)
        return out.getvalue()
    finally:
        copy.close()


def write_pdf(member: Member, ctx: Context) -> Written:
    with PDFIUM_LOCK:
        swept = sweep(member.data, ctx.limits.max_member_bytes)  # once, for all three
        pdf, _ = open_pdf(member, ctx.limits.max_member_bytes,  # a bomb: not rewritten
                          swept=swept)
        try:
            needs, clean = _page_states(pdf)
            if not needs and not hides_anything(member.data, ctx.limits.max_member_bytes,
                                                swept):
                return Written(member.data, note="nothing to hide: copied unchanged")
            if len(pdf) > ctx.limits.max_pages:
                raise CannotRewrite(f"more pages than the page limit ({ctx.limits.max_pages})")
            try:
                pdf.init_forms()
            except Exception:  # noqa: BLE001 - forms are drawn when they can be
                pass
            pictures: dict[int, tuple[bytes, float, float, int, int]] = {}
            data = None
            plans: dict[int, TextPlan] = {}
            for index, is_clean in enumerate(clean):
                if not is_clean:
                    page = pdf[index]
                    try:
                        plan = _text_plan(page)
                    finally:
                        page.close()
                    if plan is not None:
                        plans[index] = plan
                        clean[index] = True
            if any(clean):
                data = _assemble(pdf, member, ctx, swept, clean, pictures, plans)
                if not _taken_over_cleanly(data, len(pictures), ctx.limits.max_member_bytes):
                    data, clean, plans = None, [False] * len(pdf), {}
            if data is None:
                data = _assemble(pdf, member, ctx, swept, clean, pictures)
            masked, masked_pages = sum(plan[2] for plan in plans.values()), len(plans)
            kept = sum(clean) - masked_pages
            written = Written(data, masked, metadata_removed=True,
                              note="rasterized: pages written as redacted pictures, no text "
                                   "layer" if not kept else
                              f"{len(pdf) - kept} of {len(pdf)} page(s) rasterized (redacted "
                              f"pictures), {kept} with nothing to hide taken over as they are")
            if masked_pages:
                written.note = f"{masked_pages} of {len(pdf)} page(s) masked in their text " \
                    "layer (objects drawing a number removed, black boxes drawn), " \
                    f"{len(pdf) - sum(clean)} rasterized, {kept} taken over as they are"
            for _, _, _, numbers, faces in pictures.values():
                written.numbers += numbers
                written.faces += faces
            return written
        finally:
            pdf.close()
