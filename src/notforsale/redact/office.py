"""Redact Word, PowerPoint, OpenDocument, EPUB and HTML files in their own format.

The very walk the reader uses (:mod:`read.markup`) finds each paragraph's text and
the nodes it came from; the paragraph is masked as one string (a number split over
several runs is masked whole) and written back into the same nodes — masks keep
the length, so nothing else moves. Images and embedded files of the package are
redacted as files of their own (a pasted ID-card scan gets its face covered and
its number filled). Every other part is copied as it was, in its order, with the
package's own compression (OpenDocument's and EPUB's ``mimetype`` stays first and
stored).
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from ..errors import InputError
from ..read import markup
from ..read.html import parse as parse_html_member
from ..read.office import (
    DOCX,
    EPUB,
    ODF,
    PPTX,
    Package,
    entries,
    inert,
    is_xml_entry,
    masked_part_names,
    parse_entry,
)
from ..text.mask import mask_text
from .context import CannotRewrite, Context, Written
from .documents import decode_keeping


def mask_walked(walked: markup.Walked) -> int:
    """Mask every paragraph of a walked document in place; how many values were masked."""
    total = 0
    for paragraph in walked.paragraphs:
        masked, count = mask_text(paragraph.text, context_hint=paragraph.hint)
        shown = paragraph.shown()
        if shown is not None:  # as a viewer shows it: a digit hidden inside a number
            text, indexes = shown
            masked_shown, shown_count = mask_text(text, context_hint=paragraph.hint)
            if shown_count:
                chars = list(masked)
                for position, (before, after) in enumerate(zip(text, masked_shown,
                                                               strict=True)):
                    if before != after:
                        chars[indexes[position]] = after
                masked = "".join(chars)
                count += shown_count
        if count:
            paragraph.write(masked)
            total += count
    return total


def _serialize(tree: etree._ElementTree) -> bytes:
    docinfo = tree.docinfo
    return etree.tostring(tree, xml_declaration=True, encoding=docinfo.encoding or "UTF-8",
                          standalone=docinfo.standalone)


def rewrite_package(package: Package):  # type: ignore[no-untyped-def]
    def write(source_member, ctx: Context) -> Written:  # type: ignore[no-untyped-def]
        return _rewrite(package, source_member, ctx)

    return write


def _rewrite(package: Package, member, ctx: Context) -> Written:  # type: ignore[no-untyped-def]
    try:
        source = zipfile.ZipFile(io.BytesIO(member.data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise InputError(member.path, f"not a readable zip package ({error})") from None
    written = Written(None)
    out = io.BytesIO()
    renamed = masked_part_names([info.filename for info in source.infolist()])
    # References to a renamed part (relationships, content types, manifests) name it by
    # its last segment: rewritten before the part is masked, so the package holds.
    references = [(old.rsplit("/", 1)[-1].encode(), new.rsplit("/", 1)[-1].encode())
                  for old, new in renamed.items()]
    with source, zipfile.ZipFile(out, "w") as target:
        for info, data in entries(source, ctx.limits):
            if isinstance(data, str):
                raise CannotRewrite(f"a part of the document could not be read ({data})")
            name = info.filename
            if name in renamed:
                written.numbers += 1  # the number in the part's name
            if is_xml_entry(package, name) and references:
                for old_name, new_name in references:
                    data = data.replace(old_name, new_name)
            if is_xml_entry(package, name):
                try:
                    tree, how = parse_entry(package, name, data)
                except (etree.XMLSyntaxError, ValueError):
                    raise CannotRewrite(f"a part of the document is not readable XML "
                                        f"({name})") from None
                count = mask_walked(markup.walk(tree, package.dialect))
                if count:
                    data = _serialize(tree) if how == "xml" else \
                        etree.tostring(tree, method="html", encoding="utf-8")
                    written.numbers += count
            elif not inert(name) and data:
                part = ctx.nested(member.child(name, data, ctx.key, embedded=True))
                written.absorb(part)
                if part.data is None:
                    raise CannotRewrite(f"an embedded part ({name}) cannot be redacted")
                data = part.data
            target.writestr(_same_entry(info, renamed.get(name)), data)
    written.data = out.getvalue()
    return written


def _same_entry(info: zipfile.ZipInfo, name: str | None = None) -> zipfile.ZipInfo:
    """A new entry with the old one's name (or ``name``), date and compression (mimetype
    stays stored)."""
    entry = zipfile.ZipInfo(name or info.filename, date_time=info.date_time)
    entry.compress_type = info.compress_type if info.compress_type in (
        zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else zipfile.ZIP_DEFLATED
    entry.external_attr = info.external_attr
    return entry


write_docx = rewrite_package(DOCX)
write_pptx = rewrite_package(PPTX)
write_odf = rewrite_package(ODF)
write_epub = rewrite_package(EPUB)


def write_html(member, ctx: Context) -> Written:  # type: ignore[no-untyped-def]
    from .documents import redact_data_uris

    tree = parse_html_member(member)
    count = mask_walked(markup.walk(tree, markup.HTML))
    text, encoding = decode_keeping(member.data, member.path)
    pictures = markup.data_uri_mark(text)
    if not count and not pictures:
        return Written(member.data)
    html = etree.tostring(tree, method="html", encoding="unicode", doctype=tree.docinfo.doctype
                          or None) if count else text
    written = Written(None, count)
    redacted = redact_data_uris(html, member, ctx, written)  # <img src="data:image/…">
    if redacted is html and not count:
        return Written(member.data, written.numbers, written.faces)
    written.data = redacted.encode(encoding if encoding != "utf-16" else "utf-8")
    return written
