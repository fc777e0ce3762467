"""Readers for text, delimited tables, JSON, JSON lines and spreadsheets.

Each reader takes a member and yields :mod:`units <notforsale.read.units>`; a member
that cannot be read at all raises :class:`InputError`, a part that cannot be read
(one sheet, one line) becomes a :class:`PartError` and the rest is read.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from ..text.normalize import digit_count
from .encoded import encoded_stretches
from .images import IMAGE_SUFFIXES, looks_like_image
from .markup import data_uri_members
from .member import Member
from .text_files import across_tags, decode, is_markup, markup_text, references_decoded
from .units import Part, PartError, ReadContext, TextUnit, formula_text, shown, table_rows

#: Longest table cell read (csv's own field limit is raised to this).
MAX_CELL_CHARS = 64 * 1024 * 1024
csv.field_size_limit(MAX_CELL_CHARS)


def member_text(member: Member) -> str:
    """A member's text: decoded as its file's first piece was when it is a piece."""
    piece = member.piece
    if piece is None:
        return decode(member.data, member.path)
    try:
        return member.data.decode(piece.encoding)
    except UnicodeDecodeError:
        raise InputError(member.path, f"not text in {piece.encoding} (after line "
                                      f"{piece.lines_before})") from None


def read_plain(member: Member, ctx: ReadContext) -> Iterator[Part]:
    text = member_text(member)
    offset = member.piece.lines_before if member.piece else 0
    yield TextUnit(text, whole_text=True, line_offset=offset)
    shown_text = references_decoded(text) if markup_text(member.suffix, text) else None
    if shown_text is not None:  # markup shows a character reference as its character
        yield TextUnit(shown_text, whole_text=True, line_offset=offset,
                       part="character references decoded")
    joined = across_tags(text) if is_markup(member.suffix, text) else None
    if joined is not None:  # a number whose digits stand in several elements
        yield TextUnit(joined, part="text across tags")
    line, counted = offset, 0
    for start, _end, decoded, kind in encoded_stretches(text):  # %31%31…, ESC[31m…, "…"+"…"
        line += text.count("\n", counted, start)  # (in text order: counted once)
        counted = start
        yield TextUnit(decoded, hint=text[max(0, start - 40):start], whole_text=True,
                       line_offset=line, part=f"{kind} decoded")
    if member.suffix in (".yaml", ".yml"):
        yield from _yaml_values(text, offset)
    yield from data_uri_members(member, text, ctx)  # an SVG's <image href="data:…">, CSS


def _yaml_values(text: str, offset: int) -> Iterator[Part]:
    """A YAML file's values whose digits wrap over lines, as YAML joins them."""
    from .yaml_text import NotComposed, wrapped_values

    line, counted = offset, 0
    try:
        for start, _end, value in wrapped_values(text):
            line += text.count("\n", counted, start)
            counted = start
            yield TextUnit(value, hint=text[max(0, start - 40):start], whole_text=True,
                           line_offset=line, part="YAML value over lines")
    except NotComposed as error:
        yield PartError("YAML", str(error))


def read_delimited(member: Member, ctx: ReadContext) -> Iterator[Part]:
    text = member_text(member)
    piece = member.piece
    delimiter: str | None = "\t" if member.suffix == ".tsv" else \
        piece.delimiter if piece is not None else None
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    def rows() -> Iterator[list[str]]:
        # A quote never closed (an odd count to the end) would make the rest of the table
        # one cell: the line that opens it ends its own table, and the lines after it are
        # read as rows (their counts of quotes are even), numbered on.
        cut = _unclosed_quote_end(text)
        for part in (text,) if cut is None else (text[:cut], text[cut:]):
            yield from csv.reader(io.StringIO(part, newline=""), delimiter=delimiter)

    try:
        yield from table_rows(rows(), header=piece.header if piece is not None else None)
    except csv.Error as error:
        raise InputError(member.path, f"malformed table ({error})") from None


def _unclosed_quote_end(text: str) -> int | None:
    """The end of the line that opens a quote never closed, or None when every quote
    closes (an even count). One pass, counting each line's quotes."""
    if text.count('"') % 2 == 0:
        return None
    parity, start, opened = 0, 0, None
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        before = parity
        parity = (parity + text.count('"', start, end)) % 2
        if before == 0 and parity == 1:
            opened = end  # the last line where a quote opened and stayed open so far
        start = end
    return opened if opened is not None and opened < len(text) else None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 13812345678 typed as a number
    return str(value)


#: openpyxl reads a workbook's shared strings whole (in read-only mode too).
MAX_SHARED_STRINGS = 64 * 1024 * 1024


def check_package(member: Member, limits: Any) -> None:
    """Refuse a zip-based document whose parts expand past the limits before a library
    inflates them (a 1 MB workbook with a 1 GiB shared string took 3 GB in openpyxl)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(member.data))
    except zipfile.BadZipFile as error:
        raise InputError(member.path, f"not a readable zip package ({error})") from None
    with archive:
        for info in archive.infolist():
            size = info.file_size
            if size > limits.max_member_bytes:
                raise InputError(member.path, f"a part ({shown(info.filename)}) is larger "
                                              "than the member limit")
            if size > limits.ratio_floor_bytes and size > max(info.compress_size, 1) * \
                    limits.max_ratio:
                raise InputError(member.path, f"a part ({shown(info.filename)}) expands "
                                              f"{size // max(info.compress_size, 1)}:1 "
                                              "(a bomb?)")
            if info.filename.endswith("sharedStrings.xml") and size > MAX_SHARED_STRINGS:
                raise InputError(member.path, f"shared strings of {size} bytes (over "
                                              f"{MAX_SHARED_STRINGS}; read whole by openpyxl)")


#: Strict OOXML's namespaces (ISO/IEC 29500 Strict, "conformance=strict": what Excel's
#: "Strict Open XML Spreadsheet" writes) and the transitional ones openpyxl reads.
_STRICT = re.compile(rb"http://purl\.oclc\.org/ooxml/(spreadsheetml/main|drawingml/main|"
                     rb"drawingml/spreadsheetDrawing|drawingml/chart|officeDocument/"
                     rb"relationships|officeDocument/extendedProperties|officeDocument/"
                     rb"docPropsVTypes)(/(?=\"))?")
_TRANSITIONAL = {
    b"spreadsheetml/main": b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    b"drawingml/main": b"http://schemas.openxmlformats.org/drawingml/2006/main",
    b"drawingml/spreadsheetDrawing":
        b"http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    b"drawingml/chart": b"http://schemas.openxmlformats.org/drawingml/2006/chart",
    b"officeDocument/relationships":
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    b"officeDocument/extendedProperties":
        b"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    b"officeDocument/docPropsVTypes":
        b"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"}


def transitional_workbook(data: bytes) -> bytes:
    """A Strict OOXML workbook's package with its namespaces written as the transitional
    ones (openpyxl knows only those: a Strict workbook opened as "no sheets", nothing
    read and no error); any other package as it is."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        marked = False
        for name in ("_rels/.rels", "xl/workbook.xml"):
            if name in names:
                with archive.open(name) as part:
                    marked = marked or b"purl.oclc.org/ooxml" in part.read(1 << 20)
    if not marked:
        return data
    out = io.BytesIO()
    changed = False
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith((".xml", ".rels")) and b"purl.oclc.org/ooxml" in content:
                content = _STRICT.sub(lambda m: _TRANSITIONAL[m.group(1)], content)
                changed = True
            target.writestr(info.filename, content)
    return out.getvalue() if changed else data


def _sheets_declared(data: bytes) -> int:
    """How many sheets the workbook part lists."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if re.fullmatch(r"xl/workbook\d*\.xml", name):
                with archive.open(name) as part:
                    return len(re.findall(rb"<(?:\w+:)?sheet\b", part.read(MAX_SHARED_STRINGS)))
    return 0


def read_xlsx(member: Member, ctx: ReadContext) -> Iterator[Part]:
    from openpyxl import load_workbook

    check_package(member, ctx.limits)
    try:
        data = transitional_workbook(member.data)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types for bad files
        raise InputError(member.path, f"unreadable spreadsheet ({type(error).__name__})") \
            from None
    if not book.worksheets and _sheets_declared(data):
        book.close()
        raise InputError(member.path, "no sheet read of those the workbook lists")
    try:
        for sheet in book.worksheets:
            # The sheet's declared size is not trusted (A1:XFD1048576 padded every row to
            # 16,384 cells): rows are read as the file holds them.
            sheet.reset_dimensions()
            rows = ([_cell_text(value) for value in row]
                    for row in sheet.iter_rows(values_only=True))
            yield from table_rows(rows, sheet.title)
    finally:
        book.close()
    yield from xlsx_extras(member, ctx)
    yield from package_media(member, ctx, ("xl/media/", "xl/embeddings/"))


#: Parts of a workbook openpyxl reads as cells (the rest of the package is walked as XML).
XLSX_CELL_PARTS = re.compile(r"xl/(worksheets/sheet[^/]*|sharedStrings)\.xml$")
_HEADER_FOOTER = re.compile(rb"<(?:\w+:)?headerFooter\b.*?</(?:\w+:)?headerFooter>", re.DOTALL)


#: A cell's formula in a sheet's XML (written without its "=").
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>/]*>([^<]*)</(?:\w+:)?f>")


def _formula_units(data: bytes, part: str) -> Iterator[TextUnit]:
    """The text each formula joins from its string literals (``CONCATENATE("110101",
    "1990…")``): cells are read as their cached values, which a formula need not have."""
    import html

    for found in _FORMULA.finditer(data):
        text = formula_text("=" + html.unescape(found.group(1).decode("utf-8", "replace")))
        if text is not None:
            yield TextUnit(text, part=f"{part} (the text a formula joins)")


def xlsx_extras(member: Member, ctx: ReadContext) -> Iterator[Part]:
    """What a workbook holds besides its cells: comments, headers and footers, hyperlinks
    (``mailto:``), text boxes and charts, document properties."""
    from . import markup
    from .office import Package as _Package
    from .office import entries, name_unit, parse_entry

    package = _Package("xlsx", markup.OOXML)
    try:
        archive = zipfile.ZipFile(io.BytesIO(member.data))
    except zipfile.BadZipFile as error:
        yield PartError("workbook parts", f"unreadable ({error})")
        return
    with archive:
        for info, data in entries(archive, ctx.limits):
            name = info.filename
            if not name.startswith(("xl/media/", "xl/embeddings/")):  # read with their names
                yield from name_unit(name)
            if isinstance(data, str) or not name.lower().endswith((".xml", ".rels", ".vml")):
                continue
            if XLSX_CELL_PARTS.match(name):
                yield from _formula_units(data, shown(name))
                pieces = _HEADER_FOOTER.findall(data)
                if not pieces:
                    continue
                data = b"<root>" + b"".join(pieces) + b"</root>"
            try:
                tree, _ = parse_entry(package, name, data)
            except Exception:  # noqa: BLE001 - a part that is not XML is not text
                yield PartError(shown(name), "unreadable XML")
                continue
            for paragraph, part in markup.iter_units(markup.walk(tree, markup.OOXML),
                                                      shown(name)):
                yield TextUnit(paragraph.text, field=paragraph.field, hint=paragraph.hint,
                               whole_text=True, part=part)


def read_xls(member: Member, ctx: ReadContext) -> Iterator[Part]:
    """Legacy Excel (BIFF) workbooks, read with xlrd: sheet names and cell values."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=member.data, on_demand=True)
    except Exception as error:  # noqa: BLE001 - xlrd raises many types for bad files
        raise InputError(member.path, f"unreadable spreadsheet ({type(error).__name__})") \
            from None
    try:
        for name in book.sheet_names():  # a sheet's name is text a seller writes too
            if name.strip():
                yield TextUnit(name, field="sheet name", part="sheet names")
        for index in range(book.nsheets):
            try:
                sheet = book.sheet_by_index(index)
            except Exception as error:  # noqa: BLE001
                yield PartError(f"sheet {index + 1}", f"unreadable ({type(error).__name__})")
                continue
            rows = ([_cell_text(value) for value in sheet.row_values(r)]
                    for r in range(sheet.nrows))
            yield from table_rows(rows, sheet.name)
            book.unload_sheet(index)
    finally:
        book.release_resources()


def package_media(member: Member, ctx: ReadContext, prefixes: tuple[str, ...]
                  ) -> Iterator[Part]:
    """Images and embedded files inside a zip-based document, as nested members."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(member.data))
    except zipfile.BadZipFile as error:
        yield PartError("embedded files", f"unreadable ({error})")
        return
    with archive:
        for info in archive.infolist():
            if info.filename.endswith("/") or not info.filename.startswith(prefixes):
                continue
            if info.file_size > ctx.limits.max_member_bytes:
                yield PartError(shown(info.filename), "larger than the member limit")
                continue
            data = archive.read(info)
            yield member.child(info.filename, data, ctx.key, embedded=True)


def is_embedded_image(name: str, data: bytes) -> bool:
    lowered = name.lower()
    return lowered.endswith(tuple(IMAGE_SUFFIXES)) or looks_like_image(data[:16])


# -- JSON ---------------------------------------------------------------------------------

class _Object(list[tuple[str, Any]]):
    """A JSON object as its pairs, in order: a key written twice keeps both values (a
    parser keeps the last; the first is in the file all the same)."""


def _paired(text: str) -> str:
    """``text`` with each lone surrogate (``"\\udc80"`` is valid JSON, not valid text)
    replaced by U+FFFD, one character for one: they could not be encoded further on."""
    if text.isascii():
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _json_values(value: Any, path: str, record: int | None) -> Iterator[TextUnit]:
    """Every string and integer in a JSON value, depth first, without recursion."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, _Object):
            pairs = [(_paired(key), v) for key, v in item]
            for key, _ in pairs:
                # A key can be a number too ({"13812345678": …}): read as a cell of its own.
                if digit_count(key) >= 7 or "@" in key:
                    yield TextUnit(key, row=record, field=shown(f"{where} (key)"),
                                   record=record)
            stack.extend((v, f"{where}.{k}") for k, v in reversed(pairs))
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            # 1.3812345678e10 is the number 13812345678, written as a float
            text = _cell_text(item) if isinstance(item, float) and abs(item) < 1e20 \
                else str(item)
            if text.strip():
                text = _paired(text)
                key = where.rsplit(".", 1)[-1].split("[", 1)[0]
                yield TextUnit(text, row=record, field=shown(where), hint=key, record=record)
                if isinstance(item, str):  # a field of base64 (of gzip), escapes, …
                    for start, _end, decoded, kind in encoded_stretches(text):
                        yield TextUnit(decoded, row=record, field=shown(where),
                                       hint=text[max(0, start - 40):start] or key,
                                       record=record, part=f"{kind} decoded")


def _load_json(text: str, where: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_Object)
    except RecursionError:
        raise InputError(where, "JSON nested too deeply to parse") from None


def read_json(member: Member, ctx: ReadContext) -> Iterator[Part]:
    """Every value of a JSON file with its path. A file that does not parse — cut short,
    or nested past what a parser's stack holds — is read as plain text, with a record
    saying so (its escapes, ``\\u0031``, are then not decoded)."""
    text = decode(member.data, member.path)
    try:
        document = _load_json(text, member.path)
    except json.JSONDecodeError as error:
        yield PartError("JSON", f"invalid JSON ({error.msg} at line {error.lineno}); read as "
                                "plain text")
        yield from read_plain(member, ctx)
        return
    except InputError as error:
        yield PartError("JSON", f"{error.reason}; read as plain text")
        yield from read_plain(member, ctx)
        return
    if isinstance(document, list) and not isinstance(document, _Object):
        for index, item in enumerate(document, start=1):
            yield from _json_values(item, f"$[{index - 1}]", index)
    else:
        yield from _json_values(document, "$", None)


def read_json_lines(member: Member, ctx: ReadContext) -> Iterator[Part]:
    text = member_text(member)
    first = 1 + (member.piece.lines_before if member.piece else 0)
    for number, line in enumerate(text.split("\n"), start=first):
        if not line.strip():
            continue
        try:
            record = _load_json(line, member.path)
        except (json.JSONDecodeError, InputError):
            yield TextUnit(line, row=number, field="(not JSON)", record=number)
            continue
        yield from _json_values(record, "$", number)
