"""Paragraphs of XML and HTML documents — one walk for reading and for redacting.

Word, PowerPoint, OpenDocument and EPUB keep their text in XML; a number is often
split over several runs (``<w:t>1101</w:t><w:t>0519…</w:t>``) or spans. The walk
here joins each paragraph's text nodes into one string and remembers which node
holds which characters, so the scanner reads the paragraph as a person would and
the redactor can write a masked paragraph (masks keep length) back into the very
same nodes. Reading and redaction use this one walk, so they cannot disagree on
what was read.

Also reported: text outside paragraphs (chart values, document properties, custom
XML) and attribute values that may hold a number or an address (``mailto:`` links,
ODF cell values), each as its own unit. Tables give records per row, with the first
row's cells as column names; shapes (PowerPoint text boxes, ODF frames) give a
record each; images referenced from a paragraph or row are tied to its record.

Untrusted XML is parsed by lxml with entity resolution and network access off and
libxml2's default depth and size limits.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from .units import PartError, formula_text, looks_like_header

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
V = "{urn:schemas-microsoft-com:vml}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"


@dataclass(frozen=True)
class Dialect:
    """How one family of documents keeps its text."""

    name: str
    paragraphs: frozenset[str]
    #: Elements whose own text is paragraph text; None: every text and tail inside a
    #: paragraph counts (OpenDocument, HTML).
    text_tags: frozenset[str] | None
    breaks: dict[str, str] = field(default_factory=dict)
    #: OpenDocument's ``<text:s text:c="3"/>``: this many spaces.
    spaces: str | None = None
    rows: frozenset[str] = frozenset()
    cells: frozenset[str] = frozenset()
    tables: frozenset[str] = frozenset()
    shapes: frozenset[str] = frozenset()
    skip: frozenset[str] = frozenset()
    #: (element, attribute) pairs that reference an image.
    images: tuple[tuple[str, str], ...] = ()
    local_names: bool = False  # HTML: match tags by local name


OOXML = Dialect(
    "ooxml",
    paragraphs=frozenset({W + "p", A + "p"}),
    text_tags=frozenset({W + "t", W + "delText", A + "t", M + "t", A + "fld"}),
    breaks={W + "tab": "\t", W + "br": "\n", W + "cr": "\n", A + "br": "\n"},
    rows=frozenset({W + "tr", A + "tr"}),
    cells=frozenset({W + "tc", A + "tc"}),
    tables=frozenset({W + "tbl", A + "tbl"}),
    shapes=frozenset({P + "txBody", W + "txbxContent"}),
    images=((A + "blip", R + "embed"), (A + "blip", R + "link"), (V + "imagedata", R + "id")),
)
ODF = Dialect(
    "odf",
    paragraphs=frozenset({TEXT + "p", TEXT + "h"}),
    text_tags=None,
    breaks={TEXT + "tab": "\t", TEXT + "line-break": "\n"},
    spaces=TEXT + "s",
    rows=frozenset({TABLE + "table-row"}),
    cells=frozenset({TABLE + "table-cell", TABLE + "covered-table-cell"}),
    tables=frozenset({TABLE + "table"}),
    shapes=frozenset({DRAW + "text-box"}),
    skip=frozenset({TEXT + "tracked-changes"}),
    images=((DRAW + "image", XLINK + "href"),),
)
HTML = Dialect(
    "html",
    # body (and html) catch the text outside any block.
    paragraphs=frozenset({"html", "body", "p", "div", "li", "td", "th", "h1", "h2", "h3", "h4",
                          "h5", "h6", "pre", "blockquote", "dt", "dd", "caption", "title",
                          "address", "figcaption", "option", "label", "section", "article",
                          "header", "footer", "nav", "aside", "main", "form", "fieldset",
                          "legend", "summary", "details", "figure", "center"}),
    text_tags=None,
    breaks={"br": "\n"},
    rows=frozenset({"tr"}),
    cells=frozenset({"td", "th"}),  # a cell and a paragraph at once
    tables=frozenset({"table"}),
    skip=frozenset({"script", "style", "noscript", "template"}),
    images=(("img", "src"),),
    local_names=True,
)

_ATTRIBUTE_WORTH = re.compile(r"@|[0-9].*[0-9].*[0-9].*[0-9].*[0-9].*[0-9].*[0-9]")

#: A place text was taken from: (element, "text" | "tail" | "@attribute"), or text an
#: attribute holds encoded: "%attribute" (a data: URI), "=attribute" (a formula's literals).
Slot = tuple[etree._Element, str]


@dataclass
class Paragraph:
    """One paragraph's text and the nodes it came from (``None`` slots are synthetic:
    a tab, a line break, spaces — read but never written)."""

    text: str = ""
    segments: list[tuple[Slot | None, int, int]] = field(default_factory=list)
    #: Spans of the text a viewer does not show (``display:none``, a ``w:vanish`` run).
    hidden: list[tuple[int, int]] = field(default_factory=list)
    record: int | None = None
    table: int | None = None
    row: int | None = None
    cell: int | None = None
    kind: str = "paragraph"  # paragraph | text | attribute
    hint: str = ""
    field: str | None = None

    def add(self, slot: Slot | None, text: str, hidden: bool = False) -> None:
        if text:
            start = len(self.text)
            self.text += text
            self.segments.append((slot, start, len(self.text)))
            if hidden:
                self.hidden.append((start, len(self.text)))

    def shown(self) -> tuple[str, list[int]] | None:
        """The text as a viewer shows it (hidden spans left out) and, for each of its
        characters, its index in ``text``; None when nothing is hidden. A digit hidden
        inside a number makes the reader see one digit too many."""
        if not self.hidden:
            return None
        keep = [True] * len(self.text)
        for start, end in self.hidden:
            keep[start:end] = [False] * (end - start)
        indexes = [i for i, kept in enumerate(keep) if kept]
        return "".join(self.text[i] for i in indexes), indexes

    def write(self, masked: str) -> None:
        """Write ``masked`` (the paragraph's text with the same length) into its nodes."""
        if len(masked) != len(self.text):
            raise ValueError("a masked paragraph must keep its length")
        for slot, start, end in self.segments:
            if slot is None:
                continue
            element, where = slot
            value = masked[start:end]
            if where == "text":
                element.text = value
            elif where == "tail":
                element.tail = value
            elif where.startswith("="):  # a formula joining literals: now one, masked
                head = element.get(where[1:], "").split("=", 1)[0]
                element.set(where[1:], head + '="' + value.replace('"', '""') + '"')
            elif where.startswith("%"):  # the text inside a data: URI, encoded again
                head = element.get(where[1:], "").split(",", 1)[0]
                element.set(where[1:], head + "," + base64.b64encode(
                    value.encode("utf-8")).decode("ascii"))
            else:
                element.set(where[1:], value)


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image referenced from the document (a relationship id or a path) and the
    record it sits in."""

    target: str
    record: int | None


@dataclass
class Walked:
    paragraphs: list[Paragraph]
    images: list[ImageRef]


_TAG_OR_BREAK = re.compile(rb"</(?:\w+:)?(?:p|tr|tc|li|div|h[1-6]|br)\s*>|<(?:\w+:)?(?:br|tab)\b"
                           rb"[^>]*/>|<[^>]*>")
_CLOSES_BLOCK = re.compile(rb"</(?:\w+:)?(?:p|tr|tc|li|div|h[1-6]|br)\s*>|<(?:\w+:)?(?:br|tab)\b")


def text_without_tags(data: bytes) -> str:
    """The text of markup that cannot be parsed (nested past the parser's limits): tags
    taken out — a paragraph's, a row's or a cell's end a line break, others nothing, as a
    paragraph's runs join — and character references decoded."""
    import html

    def replace(match: re.Match[bytes]) -> bytes:
        return b"\n" if _CLOSES_BLOCK.match(match.group()) else b""

    stripped = _TAG_OR_BREAK.sub(replace, data)
    return html.unescape(stripped.decode("utf-8", errors="replace"))


def parse_xml(data: bytes) -> etree._ElementTree:
    """XML parsed with entities, DTDs and the network off. A document libxml2 refuses for
    its DOCTYPE (an entity bomb: its references are refused even unexpanded) is parsed again
    without it, its own entities' references dropped, so the text beside them is read."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             remove_blank_text=False, load_dtd=False)
    try:
        return etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError:
        stripped = _without_doctype(data)
        if stripped is None:
            raise
        return etree.ElementTree(etree.fromstring(stripped, parser))


_DECLARED_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)"
                              rb"[A-Za-z_][A-Za-z0-9._-]{0,63};")


def _without_doctype(data: bytes) -> bytes | None:
    start = data.find(b"<!DOCTYPE", 0, 1 << 16)
    if start < 0:
        return None
    bracket, close = data.find(b"[", start), data.find(b">", start)
    if close < 0:
        return None
    if 0 <= bracket < close:  # an internal subset: up to its "]>"
        end = data.find(b"]", bracket)
        end = data.find(b">", end) if end >= 0 else -1
        if end < 0:
            return None
    else:
        end = close
    return data[:start] + _DECLARED_ENTITY.sub(b"", data[end + 1:])


def parse_html(data: bytes | str) -> etree._ElementTree:
    """An HTML document; one that libxml2 stopped reading (nested past its depth limit)
    is refused — its rest would be dropped without a word, and a copy called verified."""
    parser = lxml_html.HTMLParser(no_network=True, remove_comments=False)
    root = lxml_html.document_fromstring(data, parser=parser) if data else None
    if root is None:
        raise ValueError("empty document")
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT":
            raise TooDeep(f"not read to its end: {entry.message.split(',')[0].lower()} "
                          "levels of nesting")
    return etree.ElementTree(root)


class TooDeep(ValueError):
    """libxml2 stopped reading a document nested past its depth limit."""


_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _hidden(element: etree._Element, tag: str) -> int:
    """1 when a viewer does not show ``element``: an HTML element ``hidden`` or styled
    ``display:none``, a Word run whose properties say ``vanish``."""
    if element.get("hidden") is not None:
        return 1
    style = element.get("style")
    if style and _HIDING_STYLE.search(style):
        return 1
    if tag == "r" or tag.endswith("}r"):
        for child in element:
            if isinstance(child.tag, str) and child.tag.endswith("}rPr"):
                for prop in child:
                    if isinstance(prop.tag, str) and prop.tag.endswith("}vanish") and \
                            prop.get(f"{{{_W}}}val", "true") not in ("0", "false", "off"):
                        return 1
    return 0


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


#: Longest data: URI payload read as text.
MAX_DATA_URI = 1024 * 1024


#: A picture written into text as a data: URI (HTML's <img src>, SVG's <image href>, CSS's
#: url(), Markdown), base64.
_DATA_IMAGE = re.compile(r"data:image/(png|jpe?g|gif|webp|bmp|tiff);base64,"
                         r"((?:[A-Za-z0-9+/]|%2[bB]|%2[fF]|&#x?[0-9a-fA-F]+;|\s)+=*(?:%3[dD])*)",
                         re.IGNORECASE)
#: ``data:image`` in any case, found from its colon (a case-blind pattern is tried at every
#: character: 20 times slower on a log)
_DATA_MARK = re.compile(r":(?<=[dD][aA][tT][aA]:)[iI][mM][aA][gG][eE]")
#: Pictures taken from one text's data: URIs at most, and the largest (decoded).
MAX_DATA_IMAGES = 200
MAX_DATA_IMAGE_BYTES = 32 * 1024 * 1024


def data_uri_mark(text: str) -> bool:
    """Whether a text may hold a picture as a data: URI."""
    return _DATA_MARK.search(text) is not None


def data_uri_images(text: str) -> Iterator[tuple[int, int, str, bytes | None]]:
    """Each picture a text holds as a data: URI: where its payload starts and ends, its
    type (``png``, ``jpeg``…) and its bytes — None for one not read: past the first
    :data:`MAX_DATA_IMAGES`, over :data:`MAX_DATA_IMAGE_BYTES`, or not base64 that decodes
    (its reader and writer say so)."""
    if _DATA_MARK.search(text) is None:
        return
    for count, match in enumerate(_DATA_IMAGE.finditer(text)):
        payload = match.group(2)
        kind = match.group(1).lower().replace("jpg", "jpeg")
        data = None
        if count < MAX_DATA_IMAGES and len(payload) <= MAX_DATA_IMAGE_BYTES * 4 // 3 + 8:
            flat = re.sub(r"\s+", "", html.unescape(urllib.parse.unquote(payload)))
            try:
                data = base64.b64decode(flat + "=" * (-len(flat) % 4), validate=True)
            except ValueError:
                data = None
        yield match.start(2), match.end(2), kind, data


def data_uri_members(member: Any, text: str, ctx: Any) -> Iterator[Any]:
    """The pictures a text holds as data: URIs, each an embedded image (a face in
    ``<img src="data:image/jpeg;base64,…">`` is a face on the page); a record for those
    not read."""
    left = 0
    for index, (_start, _end, kind, data) in enumerate(data_uri_images(text), 1):
        if data is None:
            left += 1
        else:
            yield member.child(f"data-uri-{index}.{kind}", data, ctx.key, embedded=True)
    if left:
        yield PartError("data: URIs", f"{left} picture(s) in data: URIs not read (past "
                                      f"{MAX_DATA_IMAGES}, over {MAX_DATA_IMAGE_BYTES} bytes, "
                                      "or not base64)")


def data_uri_text(value: str) -> str | None:
    """The text inside a ``data:…;base64,…`` URI (a link or an image source that holds a
    file), when it is UTF-8 text; None otherwise."""
    head, comma, payload = value.partition(",")
    if not comma or ";base64" not in head.lower() or len(payload) > MAX_DATA_URI * 4 // 3 + 4:
        return None
    try:
        data = base64.b64decode("".join(payload.split()), validate=True)
        return data.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


class _Walk:
    def __init__(self, dialect: Dialect, loose: bool) -> None:
        self.d = dialect
        self.loose = loose
        self.paragraphs: list[Paragraph] = []
        self.images: list[ImageRef] = []
        self.records = 0
        self.tables = 0
        # Context stacks.
        self.open: list[Paragraph] = []
        self.row: list[tuple[int, int, int]] = []  # (record, table, row number)
        self.row_counts: list[int] = []
        self.cell: list[int] = []
        self.shape: list[int] = []
        self.hidden = 0  # depth of hidden elements around the one walked

    def tag(self, element: etree._Element) -> str:
        tag = element.tag
        if not isinstance(tag, str):
            return ""
        if self.d.local_names and tag.startswith("{"):
            return tag.split("}", 1)[1]
        return tag.lower() if self.d.local_names else tag

    def new_record(self) -> int:
        self.records += 1
        return self.records

    def current_record(self) -> int | None:
        if self.row:
            return self.row[-1][0]
        if self.shape:
            return self.shape[-1]
        if self.open:
            return self.open[-1].record
        return None

    def walk(self, element: etree._Element) -> None:
        tag = self.tag(element)
        d = self.d
        if not tag:  # comments, processing instructions (their tails count in the parent)
            if self.loose and isinstance(element.text, str) and element.text.strip():
                self._loose((element, "text"), element.text)
            return
        if tag in d.skip:
            # Not prose (a script, a style, tracked changes), but it can hold a number: its
            # text is read as one loose unit, never as a paragraph.
            if self.loose:
                self._loose_subtree(element)
            return
        hides = _hidden(element, tag)
        self.hidden += hides
        try:
            self._walk_shown(element, tag)
        finally:
            self.hidden -= hides

    def _walk_shown(self, element: etree._Element, tag: str) -> None:
        d = self.d
        hidden = self.hidden > 0
        opened_row = opened_shape = opened_paragraph = opened_table = opened_cell = False
        if tag in d.tables:
            self.tables += 1
            self.row_counts.append(0)
            opened_table = True
        if tag in d.rows:
            if self.row_counts:
                self.row_counts[-1] += 1
            table = self.tables if self.row_counts else 0
            self.row.append((self.new_record(), table, self.row_counts[-1] if self.row_counts
                             else 1))
            self.cell.append(0)
            opened_row = True
        if tag in d.cells and self.cell:
            self.cell[-1] += 1
            opened_cell = True
        if tag in d.shapes:
            self.shape.append(self.new_record())
            opened_shape = True
        if tag in d.paragraphs:
            paragraph = Paragraph()
            paragraph.record = self.current_record() if (self.row or self.shape) \
                else self.new_record()
            if self.row:
                paragraph.record, paragraph.table, paragraph.row = self.row[-1]
                paragraph.cell = self.cell[-1] if self.cell else None
            self.open.append(paragraph)
            opened_paragraph = True
        for ref_tag, attribute in d.images:
            if tag == ref_tag and element.get(attribute):
                self.images.append(ImageRef(element.get(attribute, ""), self.current_record()))
        self._attributes(element)
        # <bdo dir="rtl"> shows its text reversed: read between a right-to-left override
        # and its pop (synthetic, never written), as the text engine reads U+202E
        override = bool(self.open) and d.local_names and tag == "bdo" and \
            (element.get("dir") or "").strip().lower() == "rtl"
        if override:
            self.open[-1].add(None, "\u202e", hidden)
        # The element's own text.
        if element.text:
            if self.open and (d.text_tags is None or tag in d.text_tags):
                self.open[-1].add((element, "text"), element.text, hidden)
            elif self.loose and element.text.strip():
                self._loose((element, "text"), element.text)
        if tag in d.breaks and self.open:
            self.open[-1].add(None, d.breaks[tag], hidden)
        if d.spaces and tag == d.spaces and self.open:
            try:
                count = max(1, min(1000, int(element.get(TEXT + "c", "1"))))
            except ValueError:
                count = 1
            self.open[-1].add(None, " " * count, hidden)
        for child in element:
            self.walk(child)
            if child.tail:
                if self.open and d.text_tags is None:
                    self.open[-1].add((child, "tail"), child.tail, hidden)
                elif self.loose and child.tail.strip() and not self.open:
                    self._loose((child, "tail"), child.tail)
        if override and self.open:
            self.open[-1].add(None, "\u202c", hidden)
        if opened_paragraph:
            done = self.open.pop()
            if done.text.strip():
                self.paragraphs.append(done)
        if opened_shape:
            self.shape.pop()
        if opened_cell:
            # OpenDocument writes runs of empty cells once: <table:table-cell
            # table:number-columns-repeated="3"/>.
            try:
                repeated = int(element.get(TABLE + "number-columns-repeated", "1"))
            except ValueError:
                repeated = 1
            self.cell[-1] += max(0, min(repeated, 16384) - 1)
        if opened_row:
            self.row.pop()
            self.cell.pop()
        if opened_table:
            self.row_counts.pop()

    def _attributes(self, element: etree._Element) -> None:
        if not self.loose:
            return
        for name, value in element.attrib.items():
            if value and value[:5].lower() == "data:":
                text = data_uri_text(value)
                if text is not None and _ATTRIBUTE_WORTH.search(text):
                    self._loose((element, "%" + str(name)), text, kind="attribute")
                    continue
            if value and _ATTRIBUTE_WORTH.search(value):
                self._loose((element, "@" + name), value, kind="attribute")
                joined = formula_text(value) if '"' in value else None
                if joined is not None:  # of:=CONCATENATE("110101";"1990…"): what it shows
                    self._loose((element, "=" + str(name)), joined, kind="attribute")

    def _loose_subtree(self, element: etree._Element) -> None:
        paragraph = Paragraph(kind="text", record=self.new_record())
        if isinstance(element.text, str):
            paragraph.add((element, "text"), element.text)
        for inner in element.iterdescendants():
            if isinstance(inner.text, str) and isinstance(inner.tag, str):
                paragraph.add((inner, "text"), inner.text)
            if isinstance(inner.tail, str):
                paragraph.add((inner, "tail"), inner.tail)
        if paragraph.text.strip():
            self.paragraphs.append(paragraph)

    def _loose(self, slot: Slot, text: str, kind: str = "text") -> None:
        paragraph = Paragraph(kind=kind, record=self.new_record())
        paragraph.add(slot, text)
        self.paragraphs.append(paragraph)


def walk(tree: etree._ElementTree, dialect: Dialect, loose: bool = True) -> Walked:
    """Every paragraph (and loose text) of a parsed document, with table hints set."""
    walker = _Walk(dialect, loose)
    root = tree.getroot()
    walker.walk(root)
    _table_hints(walker.paragraphs)
    return Walked(walker.paragraphs, walker.images)


def _table_hints(paragraphs: list[Paragraph]) -> None:
    """Column names from each table's first row, as fields and context hints."""
    first_rows: dict[int, dict[int, str]] = {}
    for paragraph in paragraphs:
        if paragraph.table is not None and paragraph.row == 1 and paragraph.cell is not None:
            cells = first_rows.setdefault(paragraph.table, {})
            cells[paragraph.cell] = (cells.get(paragraph.cell, "") + " " + paragraph.text).strip()
    headers = {table: cells for table, cells in first_rows.items()
               if looks_like_header(list(cells.values()))}
    for paragraph in paragraphs:
        if paragraph.table is None or paragraph.cell is None:
            continue
        header = headers.get(paragraph.table, {})
        name = header.get(paragraph.cell, "")
        paragraph.hint = name
        paragraph.field = name or str(paragraph.cell)


def iter_units(walked: Walked, section: str = "") -> Iterator[tuple[Paragraph, str]]:
    """Each paragraph with its part label (``"slide 3 paragraph 2"``, ``"table 1"``)."""
    count = 0
    prefix = f"{section} " if section else ""
    for paragraph in walked.paragraphs:
        if paragraph.kind == "paragraph" and paragraph.table is None:
            count += 1
            label = f"{prefix}paragraph {count}"
        elif paragraph.table is not None:
            label = f"{prefix}table {paragraph.table}"
        else:
            label = (section or "document") + (" (attribute)" if paragraph.kind ==
                                               "attribute" else "")
        yield paragraph, label
        shown = paragraph.shown()
        if shown is not None and shown[0].strip():  # as a viewer shows it, hidden text out
            yield dataclasses.replace(paragraph, text=shown[0], segments=[], hidden=[]), \
                label + " as shown"
