"""Redact documents in their own format: text, csv/tsv, xlsx, json, jsonl.

Text and delimited tables are masked in place — digits become ``*`` and nothing
else moves — so columns, quoting, line endings and the file's encoding survive.
Spreadsheets keep their sheets, styles and formulas; JSON keeps its structure
(numbers that are identity numbers become masked strings).
"""

from __future__ import annotations

import codecs
import io
import json
from typing import Any

from ..errors import InputError
from ..read.documents import (
    HTML_SUFFIXES,
    JSON_SUFFIXES,
    TABLE_SUFFIXES,
    TEXT_SUFFIXES,
    XLSX_SUFFIXES,
    suffix,
)
from ..text.mask import mask_text

#: Documents this module rewrites.
REDACTABLE = TEXT_SUFFIXES | HTML_SUFFIXES | TABLE_SUFFIXES | JSON_SUFFIXES | XLSX_SUFFIXES


def _decode(data: bytes, path: str) -> tuple[str, str]:
    """Text and the encoding to write it back in."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError(path, "not text in UTF-8, UTF-16 or GB18030")


def _mask_lines(text: str, header_hint: bool) -> tuple[str, int]:
    lines = text.splitlines(keepends=True)
    hint = lines[0] if header_hint and lines else ""
    total = 0
    out = []
    for index, line in enumerate(lines):
        masked, count = mask_text(line, context_hint=hint if index else "")
        out.append(masked)
        total += count
    return "".join(out), total


def _mask_json(value: Any, key: str = "") -> tuple[Any, int]:
    if isinstance(value, dict):
        total = 0
        out: dict[str, Any] = {}
        for k, v in value.items():
            out[k], count = _mask_json(v, str(k))
            total += count
        return out, total
    if isinstance(value, list):
        pairs = [_mask_json(v, key) for v in value]
        return [p[0] for p in pairs], sum(p[1] for p in pairs)
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        masked, count = mask_text(str(value), context_hint=key)
        return (masked if count else value), count
    return value, 0


def _xlsx(data: bytes, path: str) -> tuple[bytes, int]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types for bad files
        raise InputError(path, f"unreadable spreadsheet ({type(error).__name__})") from None
    total = 0
    for sheet in book.worksheets:
        headers = {cell.column: str(cell.value) for cell in next(sheet.iter_rows(max_row=1), ())
                   if cell.value is not None}
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                if isinstance(value, str) or (isinstance(value, int)
                                              and not isinstance(value, bool)):
                    masked, count = mask_text(str(value),
                                              context_hint=headers.get(cell.column, ""))
                    if count:
                        cell.value = masked
                        total += count
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), total


def redact_document(path: str, data: bytes) -> tuple[bytes, int]:
    """The redacted document (same format and encoding) and how many values were masked."""
    kind = suffix(path)
    if kind in XLSX_SUFFIXES:
        return _xlsx(data, path)
    text, encoding = _decode(data, path)
    if kind == ".json":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(path, f"invalid JSON ({error.msg})") from None
        masked_doc, count = _mask_json(document)
        indent = 2 if "\n" in text.strip() else None
        return (json.dumps(masked_doc, ensure_ascii=False, indent=indent) + "\n").encode(
            encoding), count
    if kind in (".jsonl", ".ndjson"):
        out_lines, total = [], 0
        for line in text.splitlines():
            try:
                record = json.loads(line) if line.strip() else None
            except json.JSONDecodeError:
                masked, count = mask_text(line)
                out_lines.append(masked)
                total += count
                continue
            if record is None:
                out_lines.append(line)
                continue
            masked_record, count = _mask_json(record)
            out_lines.append(json.dumps(masked_record, ensure_ascii=False))
            total += count
        return ("\n".join(out_lines) + "\n").encode(encoding), total
    masked, count = _mask_lines(text, header_hint=kind in TABLE_SUFFIXES)
    return masked.encode(encoding), count
