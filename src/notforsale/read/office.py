"""Word, PowerPoint, OpenDocument and EPUB files: zip packages of XML and images.

Every XML part of the package is walked (:mod:`read.markup`): paragraphs of the
body, headers, footers, notes, comments, slides; text outside paragraphs (chart
values, document properties) and attribute values that may hold a number or an
address. Images and embedded files in the package are nested members (an ID-card
scan pasted into a Word file goes through face detection and OCR), tied to the
paragraph or table row that shows them. The redactor walks the same parts
(:mod:`redact.office`).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from ..errors import InputError
from ..text.normalize import digit_count
from . import markup
from .limits import Limits
from .member import Member
from .units import Part, PartError, ReadContext, TextUnit, shown

_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


@dataclass(frozen=True)
class Package:
    """Which dialect a package's XML speaks and how its parts are labelled."""

    name: str
    dialect: markup.Dialect
    #: (regex on the entry name, label with {n}) for parts shown as sections.
    sections: tuple[tuple[str, str], ...] = ()
    #: Entries that hold XHTML content (EPUB).
    xhtml: bool = False


DOCX = Package("docx", markup.OOXML, (
    (r"word/document\.xml", ""), (r"word/header(\d*)\.xml", "header {n}"),
    (r"word/footer(\d*)\.xml", "footer {n}"), (r"word/footnotes\.xml", "footnotes"),
    (r"word/endnotes\.xml", "endnotes"), (r"word/comments\w*\.xml", "comments")))
PPTX = Package("pptx", markup.OOXML, (
    (r"ppt/slides/slide(\d+)\.xml", "slide {n}"),
    (r"ppt/notesSlides/notesSlide(\d+)\.xml", "notes {n}")))
ODF = Package("odf", markup.ODF, ((r"content\.xml", ""), (r"styles\.xml", "styles")))
EPUB = Package("epub", markup.HTML, (), xhtml=True)

_XML_SUFFIXES = (".xml", ".rels", ".opf", ".ncx", ".smil", ".svg")
_XHTML_SUFFIXES = (".xhtml", ".html", ".htm")
#: Structural entries with nothing of anyone in them.
_IGNORED = frozenset({"mimetype"})
#: Parts that hold no text or picture of a person — printer settings, embedded fonts —
#: are neither read nor redacted (copied as they are).
_INERT = re.compile(r"(^|/)printerSettings/[^/]+\.bin$|\.(odttf|ttf|otf|fntdata|woff2?)$",
                    re.IGNORECASE)


def inert(name: str) -> bool:
    return name in _IGNORED or _INERT.search(name) is not None


def section_label(package: Package, entry: str) -> str:
    for pattern, label in package.sections:
        match = re.fullmatch(pattern, entry)
        if match:
            return label.format(n=match.group(1) if match.groups() else "").strip()
    return shown(entry)


def open_package(member: Member) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(member.data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise InputError(member.path, f"not a readable zip package ({error})") from None


def entries(archive: zipfile.ZipFile, limits: Limits) -> Iterator[tuple[zipfile.ZipInfo,
                                                                        bytes | str]]:
    """Each file entry and its bytes, or the reason it was not read (a str)."""
    for info in archive.infolist():
        if info.filename.endswith("/"):
            continue
        if info.flag_bits & 0x1:
            yield info, "encrypted entry; not read"
            continue
        if info.file_size > limits.max_member_bytes:
            yield info, "larger than the member limit"
            continue
        if info.file_size > limits.ratio_floor_bytes and \
                info.file_size > max(info.compress_size, 1) * limits.max_ratio:
            yield info, "compression ratio over the limit (a bomb?); not read"
            continue
        try:
            with archive.open(info) as handle:
                data = handle.read(limits.max_member_bytes + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
            yield info, f"unreadable ({error})"
            continue
        if len(data) > limits.max_member_bytes:
            yield info, "larger than the member limit (its header said less)"
            continue
        yield info, data


def name_unit(name: str) -> Iterator[TextUnit]:
    """The name of a package's part as text to scan, when it could hold a number."""
    base = name.rsplit("/", 1)[-1]
    if digit_count(base) >= 7 or "@" in base or "＠" in base:
        yield TextUnit(base, field="part name")


def masked_part_names(names: list[str]) -> dict[str, str]:
    """New names for a package's parts whose names hold a number: the number masked in
    the last segment (same length, so references to it are rewritten in place)."""
    from ..text.mask import mask_text

    renamed = {}
    for name in names:
        folder, _, base = name.rpartition("/")
        if next(name_unit(name), None) is None:
            continue
        masked, count = mask_text(base)
        if count:
            renamed[name] = (folder + "/" if folder else "") + masked
    return renamed


def is_xml_entry(package: Package, name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(_XML_SUFFIXES) or (package.xhtml and lowered.endswith(_XHTML_SUFFIXES))


def parse_entry(package: Package, name: str, data: bytes) -> tuple[etree._ElementTree, str]:
    """An XML entry parsed, and how ("xml", or "html" for EPUB content that is not valid
    XML and is tolerated as HTML)."""
    try:
        return markup.parse_xml(data), "xml"
    except etree.XMLSyntaxError:
        if package.xhtml and name.lower().endswith(_XHTML_SUFFIXES):
            return markup.parse_html(data), "html"
        raise


def relationships(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """OOXML relationship ids of a part, to the entry names they point at."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    try:
        data = archive.read(rels)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return {}
    try:
        root = markup.parse_xml(data).getroot()
    except etree.XMLSyntaxError:
        return {}
    targets = {}
    for rel in root.iter(_RELS):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        resolved = posixpath.normpath(target.lstrip("/") if target.startswith("/")
                                      else posixpath.join(folder, target))
        targets[rel.get("Id", "")] = resolved
    return targets


def image_target(package: Package, archive: zipfile.ZipFile, part: str,
                 ref: markup.ImageRef, rels: dict[str, str]) -> str | None:
    if package.dialect is markup.OOXML:
        return rels.get(ref.target)
    target = ref.target.split("#", 1)[0]
    if not target or "://" in target or target.startswith("data:"):
        return None
    folder = posixpath.dirname(part) if package.xhtml else ""
    return posixpath.normpath(posixpath.join(folder, target))


def read_package(package: Package):  # type: ignore[no-untyped-def]
    def read(member: Member, ctx: ReadContext) -> Iterator[Part]:
        yield from _read(package, member, ctx)

    read.__name__ = f"read_{package.name}"
    return read


def _read(package: Package, member: Member, ctx: ReadContext) -> Iterator[Part]:
    with open_package(member) as archive:
        record_base = 0
        ties: dict[str, int] = {}
        media: list[tuple[str, bytes]] = []
        for info, data in entries(archive, ctx.limits):
            name = info.filename
            if isinstance(data, str) or inert(name) or is_xml_entry(package, name) or \
                    not data:
                # A part's name is text too; an image or file part's name is read with it.
                yield from name_unit(name)
            if isinstance(data, str):
                yield PartError(shown(name), data)
                continue
            if inert(name):
                continue
            if not is_xml_entry(package, name):
                media.append((name, data))
                continue
            try:
                tree, _how = parse_entry(package, name, data)
            except (etree.XMLSyntaxError, ValueError) as error:
                # (nested past libxml2's depth limit, say): an error, and its text read
                # without its structure, so what stands beside the nest is still read
                yield PartError(shown(name), f"unreadable XML ({type(error).__name__}); its "
                                             "text read without its structure")
                text = markup.text_without_tags(data)
                if text.strip():
                    yield TextUnit(text, whole_text=True, part=f"{shown(name)} (text only)")
                continue
            walked = markup.walk(tree, package.dialect)
            section = section_label(package, name)
            rels = relationships(archive, name) if package.dialect is markup.OOXML else {}
            top = 0
            for paragraph, part in markup.iter_units(walked, section):
                record = None if paragraph.record is None else record_base + paragraph.record
                top = max(top, paragraph.record or 0)
                yield TextUnit(paragraph.text, row=paragraph.row,
                               field=shown(paragraph.field) if paragraph.field else None,
                               hint=paragraph.hint, record=record,
                               whole_text=paragraph.table is None, part=part)
            for ref in walked.images:
                target = image_target(package, archive, name, ref, rels)
                if target is not None and ref.record is not None:
                    ties.setdefault(target, record_base + ref.record)
                top = max(top, ref.record or 0)
            record_base += top
        for name, data in media:
            if not data:
                continue
            record = ties.get(name)
            yield member.child(name, data, ctx.key, embedded=True, parent_record=record)


read_docx = read_package(DOCX)
read_pptx = read_package(PPTX)
read_odf = read_package(ODF)
read_epub = read_package(EPUB)

__all__ = ["read_docx", "read_pptx", "read_odf", "read_epub"]
