"""Turn a file's bytes into text units: whole texts, table cells, JSON values, PDF pages.

A unit is a piece of text with the place it came from. Table cells carry
their column header as a context hint (a column named 身份证号 says what its
numbers are) and a record key, so numbers in one row can be linked to the
image that row names.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from ..errors import InputError
from ..text.mask import mask_path
from .text_files import decode

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md", ".log", ".text", ".ini", ".cfg", ".xml", ".vcf", ""})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TABLE_SUFFIXES = frozenset({".csv", ".tsv"})
JSON_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
PDF_SUFFIXES = frozenset({".pdf"})
DOCUMENT_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | TABLE_SUFFIXES | JSON_SUFFIXES | \
    XLSX_SUFFIXES | PDF_SUFFIXES


@dataclass(frozen=True, slots=True)
class TextUnit:
    """A piece of text to scan and where it is."""

    text: str
    row: int | None = None        # 1-based data row of a table, or record number
    column: str | None = None     # column header, JSON path, or "file name"
    page: int | None = None       # 1-based PDF page
    hint: str = ""                # context that stands before every number in the text
    record: int | None = None     # rows with the same record number belong together
    whole_text: bool = False      # line and column numbers make sense


def suffix(path: str) -> str:
    name = posixpath.basename(path.rsplit("!/", 1)[-1]).lower()
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def read_units(path: str, data: bytes) -> Iterator[TextUnit]:
    """Text units of a document; raises :class:`InputError` when it cannot be read."""
    kind = suffix(path)
    if kind in TABLE_SUFFIXES:
        yield from _delimited(path, data, "\t" if kind == ".tsv" else None)
    elif kind in XLSX_SUFFIXES:
        yield from _xlsx(path, data)
    elif kind in (".jsonl", ".ndjson"):
        yield from _json_lines(path, data)
    elif kind == ".json":
        yield from _json(path, data)
    elif kind in PDF_SUFFIXES:
        yield from _pdf(path, data)
    elif kind in HTML_SUFFIXES:
        yield TextUnit(_html_text(decode(data, path)), whole_text=True)
    else:
        yield TextUnit(decode(data, path), whole_text=True)


def _looks_like_header(cells: list[str]) -> bool:
    return bool(cells) and not any(sum(ch.isdigit() for ch in cell) >= 7 for cell in cells)


def _table_rows(rows: Iterator[list[str]], sheet: str = "") -> Iterator[TextUnit]:
    header: list[str] = []
    prefix = f"{sheet}!" if sheet else ""
    for number, cells in enumerate(rows, start=1):
        if number == 1 and _looks_like_header(cells):
            header = [cell.strip() for cell in cells]
            continue
        for index, cell in enumerate(cells):
            if not cell or not cell.strip():
                continue
            name = header[index] if index < len(header) and header[index] else str(index + 1)
            yield TextUnit(cell, row=number, column=prefix + name, hint=name, record=number)


def _delimited(path: str, data: bytes, delimiter: str | None) -> Iterator[TextUnit]:
    text = decode(data, path)
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    try:
        yield from _table_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise InputError(path, f"malformed table ({error})") from None


def _xlsx(path: str, data: bytes) -> Iterator[TextUnit]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types for bad files
        raise InputError(path, f"unreadable spreadsheet ({type(error).__name__})") from None
    try:
        for sheet in book.worksheets:
            rows = ([_cell_text(value) for value in row]
                    for row in sheet.iter_rows(values_only=True))
            yield from _table_rows(rows, sheet.title)
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 13812345678 typed as a number
    return str(value)


def _json_values(value: object, path: str, record: int | None) -> Iterator[TextUnit]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _json_values(item, f"{path}.{key}", record)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_values(item, f"{path}[{index}]", record)
    elif isinstance(value, str | int) and not isinstance(value, bool):
        text = str(value)
        if text.strip():
            key = path.rsplit(".", 1)[-1].split("[", 1)[0]
            yield TextUnit(text, row=record, column=path, hint=key, record=record)


def _json(path: str, data: bytes) -> Iterator[TextUnit]:
    try:
        document = json.loads(decode(data, path))
    except json.JSONDecodeError as error:
        raise InputError(path, f"invalid JSON ({error.msg} at line {error.lineno})") from None
    if isinstance(document, list):
        for index, item in enumerate(document, start=1):
            yield from _json_values(item, f"$[{index - 1}]", index)
    else:
        yield from _json_values(document, "$", None)


def _json_lines(path: str, data: bytes) -> Iterator[TextUnit]:
    for number, line in enumerate(decode(data, path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            yield TextUnit(line, row=number, column="(not JSON)", record=number)
            continue
        yield from _json_values(record, "$", number)


def _pdf(path: str, data: bytes) -> Iterator[TextUnit]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(path, "encrypted PDF; not read")
        pages = list(reader.pages)
    except PdfReadError as error:
        raise InputError(path, f"unreadable PDF ({error})") from None
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as error:  # noqa: BLE001 - pypdf raises many types on bad pages
            log.debug("pdf page %d of %s unreadable: %s", number, mask_path(path),
                      type(error).__name__)
            continue
        if text.strip():
            yield TextUnit(text, page=number, whole_text=True)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "tr", "li", "td", "th", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _html_text(markup: str) -> str:
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)
