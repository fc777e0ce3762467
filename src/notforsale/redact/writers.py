"""The redaction writers, by the names the format registry gives them."""

from __future__ import annotations

from collections.abc import Callable

from ..read.member import Member
from .context import Context, Written

Writer = Callable[[Member, Context], Written]


def writer(name: str) -> Writer:
    """The writer a format names (imported on first use)."""
    from . import documents, mail, office, pdf

    table: dict[str, Writer] = {
        "text": documents.write_text,
        "table": documents.write_table,
        "json": documents.write_json,
        "jsonl": documents.write_json_lines,
        "xlsx": documents.write_xlsx,
        "sql": documents.write_sql,
        "sqlite": documents.write_sqlite,
        "rtf": documents.write_rtf,
        "html": office.write_html,
        "ooxml": _ooxml,
        "odf": office.write_odf,
        "epub": office.write_epub,
        "pdf": pdf.write_pdf,
        "eml": mail.write_eml,
        "mbox": mail.write_mbox,
        "video": _video,
        "tiff_pages": _tiff_pages,
    }
    return table[name]


def _ooxml(member: Member, ctx: Context) -> Written:
    from . import office

    lowered = member.name.lower()
    return (office.write_pptx if lowered.endswith((".pptx", ".pptm", ".ppsx"))
            else office.write_docx)(member, ctx)


def _video(member: Member, ctx: Context) -> Written:
    """A video redacted frame by frame (see :mod:`redact.video`); the redaction's own check
    of the copy (a denser sampling than the redaction's) is handed to the context."""
    from ..read.video import VideoError
    from ..text.mask import mask_name
    from .context import CannotRewrite
    from .video import VideoRedactOptions, redact_video, verify_video

    options = getattr(ctx, "video_options", None) or VideoRedactOptions()
    try:
        out, changes = redact_video(member.data, member.path, options)
    except VideoError as error:
        raise CannotRewrite(mask_name(f"the video cannot be redacted ({error})")) from None
    check = getattr(ctx, "check_video", None)
    if check is not None:
        check(member, verify_video(out, changes, options, member.path))
    note = f"re-encoded as {changes.codec} in {changes.container}" + \
        ("; audio dropped" if changes.audio_dropped else "")
    return Written(out, changes.numbers, changes.faces, bool(changes.metadata_removed), note)


def _tiff_pages(member: Member, ctx: Context) -> Written:
    """A multi-page TIFF: each page redacted as an image, written back as pages."""
    import io

    from PIL import Image, TiffImagePlugin

    from ..read.images import tiff_pages
    from .context import CannotRewrite

    written = Written(None, metadata_removed=True)
    out = io.BytesIO()
    # each page written as soon as it is redacted: 150 pages of 2500×2500 held at once
    # as pictures took 4 GB
    with TiffImagePlugin.AppendingTiffWriter(out) as pages:
        for number, png in tiff_pages(member.data):
            part = ctx.nested(member.child(f"page-{number}.png", png, ctx.key, embedded=True))
            written.absorb(part)
            if part.data is None:
                raise CannotRewrite(f"page {number} cannot be redacted")
            with Image.open(io.BytesIO(part.data)) as page:
                page.convert("RGB").save(pages, format="TIFF", compression="tiff_deflate")
            pages.newFrame()
    written.data = out.getvalue()
    return written
