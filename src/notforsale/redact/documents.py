"""Redact documents in their own format: text, tables, JSON, spreadsheets, SQL dumps, RTF.

Text and delimited tables are masked in place — digits become ``*`` and nothing
else moves — so columns, quoting, line endings and the file's encoding survive.
Spreadsheets keep their sheets, styles and formulas (their images are redacted);
JSON keeps its structure (numbers that are identity numbers become masked strings);
a SQL dump's values are masked where they stand, with their column names as
context, as the reader reads them.
"""

from __future__ import annotations

import binascii
import codecs
import io
import json
import re
import zipfile
import zlib
from typing import Any

from ..errors import InputError
from ..read.encoded import decoded_copy
from ..read.member import Member
from ..read.rtf import TextView, pictures
from ..read.sql import SqlValue, hex_literal_text, sql_values
from ..read.text_files import (
    crosses,
    is_markup,
    joined_across_tags,
    markup_text,
    raw_position,
    wide_encoding,
)
from ..text.engine import scan_text
from ..text.mask import mask_findings, mask_text
from ..text.normalize import digit_count
from .context import CannotRewrite, Context, Written


def decode_keeping(data: bytes, path: str) -> tuple[str, str]:
    """Text and the encoding to write it back in."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8"), "utf-8-sig"
    wide = wide_encoding(data)
    if wide is not None:  # written back as it came: with its BOM, or without one
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError:
            raise InputError(path, f"not text in {wide}") from None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError(path, "not text in UTF-8, UTF-16 or GB18030")


def mask_lines(text: str, header_hint: bool = False) -> tuple[str, int]:
    """``text`` masked; a table's lines each with its header line as context (as the reader
    reads cells with their column names), other text in one pass, as the scanner reads it."""
    if not header_hint:
        return mask_text(text)
    lines = text.splitlines(keepends=True)
    hint = lines[0] if lines else ""
    total = 0
    out = []
    for index, line in enumerate(lines):
        if digit_count(line) < 7 and "@" not in line and "＠" not in line:
            out.append(line)  # too few digits for any number, no address
            continue
        masked, count = mask_text(line, context_hint=hint if index else "")
        out.append(masked)
        total += count
    return "".join(out), total


_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));")


def _literal_alnum(match: re.Match[str]) -> str:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    char = chr(code) if code < 128 else ""
    return char if char.isalnum() else match.group()


def redact_data_uris(text: str, member: Member, ctx: Context, written: Written) -> str:
    """``text`` with each picture it holds as a data: URI redacted through the registry and
    written back in place (base64 again); its changes counted on ``written``."""
    import base64

    from ..read.markup import data_uri_images

    out: list[str] = []
    last = 0
    for index, (start, end, kind, data) in enumerate(data_uri_images(text), 1):
        if data is None:
            raise CannotRewrite(f"a picture in a data: URI ({index}) was not read")
        part = ctx.nested(member.child(f"data-uri-{index}.{kind}", data, ctx.key,
                                       embedded=True))
        if part.data is None:
            raise CannotRewrite(f"a picture in a data: URI ({index}) cannot be redacted")
        written.absorb(part)
        if part.data != data:
            out += [text[last:start], base64.b64encode(part.data).decode("ascii")]
            last = end
    return "".join(out) + text[last:] if out else text


def write_text(member: Member, ctx: Context) -> Written:
    text, encoding = decode_keeping(member.data, member.path)
    if markup_text(member.suffix, text):
        # markup: a reference to a letter or digit (&#x31;) written as itself, so the
        # number it spells is masked (an XML reader sees the same characters)
        text = _CHAR_REF.sub(_literal_alnum, text)
    count = 0
    if member.suffix in (".yaml", ".yml"):
        text, count = _mask_yaml_values(text)
    if is_markup(member.suffix, text):
        text, more = _mask_across_tags(text)
        count += more
    # what a terminal, a browser or a program shows decoded (ESC[31m…, %31…, "…"+"…"),
    # written back masked, as the reader reads it decoded
    text, decoded = decoded_copy(text, lambda value, before: mask_text(
        value, context_hint=before))
    masked, more = mask_lines(text)
    written = Written(None, count + decoded + more)
    masked = redact_data_uris(masked, member, ctx, written)  # an SVG's <image href="data:…">
    written.data = masked.encode(encoding)
    return written


def _mask_yaml_values(text: str) -> tuple[str, int]:
    """A YAML file with the numbers of its values that wrap over lines masked where their
    digits stand (see :mod:`..read.yaml_text`); one too large to compose is left to the
    copy's reading, which says so."""
    from ..read.yaml_text import NotComposed, masked_in_place, wrapped_values

    out, last, count = [], 0, 0
    try:
        for start, end, value in wrapped_values(text):
            spans = [(f.start, f.end) for f in scan_text(value)]
            if spans:
                out += [text[last:start], masked_in_place(text, start, end, value, spans)]
                last = end
                count += len(spans)
    except NotComposed:
        return text, 0
    return "".join(out) + text[last:], count


def _mask_across_tags(text: str) -> tuple[str, int]:
    """Markup whose numbers stand in several elements (``<tspan>110105</tspan><tspan>…``):
    masked in the text a viewer shows (tags taken out), each masked character written back
    where it is in the markup, the tags kept as they are."""
    joined = joined_across_tags(text)
    if joined is None:
        return text, 0
    flat, cuts = joined
    hits = [hit for hit in scan_text(flat) if crosses(cuts, hit.start, hit.end)]
    masked = mask_findings(flat, hits)
    if not hits or len(masked) != len(flat):
        return text, 0  # (a mask of another length cannot be written back: the check says)
    out = list(text)
    for hit in hits:
        for position in range(hit.start, hit.end):
            if masked[position] != flat[position]:
                out[raw_position(cuts, position)] = masked[position]
    return "".join(out), len(hits)


def write_table(member: Member, ctx: Context) -> Written:
    text, encoding = decode_keeping(member.data, member.path)
    masked, count = mask_lines(text, header_hint=True)
    return Written(masked.encode(encoding), count)


def _mask_json(value: Any, key: str = "") -> tuple[Any, int]:
    """Masked copy of a JSON value (iterative: hostile nesting cannot exhaust the stack)."""
    total = 0

    def mask_leaf(leaf: Any, name: str) -> Any:
        nonlocal total
        if isinstance(leaf, float) and leaf.is_integer() and abs(leaf) < 1e20:
            masked, count = mask_text(str(int(leaf)), context_hint=name)
            total += count
            return masked if count else leaf
        if isinstance(leaf, str) or (isinstance(leaf, int) and not isinstance(leaf, bool)):
            text, decoded = decoded_copy(leaf, lambda value, before: mask_text(
                value, context_hint=before or name)) if isinstance(leaf, str) else (leaf, 0)
            masked, count = mask_text(str(text), context_hint=name)
            total += count + decoded
            return masked if count + decoded else leaf
        return leaf

    if not isinstance(value, dict | list):
        return mask_leaf(value, key), total
    root: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any, str]] = [(value, root, key)]
    while stack:
        source, target, name = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for k, v in items:
            child_name = str(k) if isinstance(source, dict) else name
            if isinstance(v, dict | list):
                copy: Any = {} if isinstance(v, dict) else []
                stack.append((v, copy, child_name))
                out = copy
            else:
                out = mask_leaf(v, child_name)
            if isinstance(target, dict):
                masked_key, count = mask_text(str(k))
                total += count
                target[masked_key if count else k] = out
            else:
                target.append(out)
    return root, total


def write_json(member: Member, ctx: Context) -> Written:
    text, encoding = decode_keeping(member.data, member.path)
    try:
        document = json.loads(text)
    except (RecursionError, json.JSONDecodeError):
        # What a scan reads as plain text (cut short, nested past a parser's stack) is
        # masked as plain text; the check reads the copy the same way.
        return write_text(member, ctx)
    masked, count = _mask_json(document)
    indent = 2 if "\n" in text.strip() else None
    return Written((json.dumps(masked, ensure_ascii=False, indent=indent) + "\n").encode(encoding),
                   count)


def write_json_lines(member: Member, ctx: Context) -> Written:
    text, encoding = decode_keeping(member.data, member.path)
    out_lines, total = [], 0
    for line in text.split("\n"):
        try:
            record = json.loads(line) if line.strip() else None
        except (json.JSONDecodeError, RecursionError):
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
    return Written("\n".join(out_lines).encode(encoding), total)


def write_xlsx(member: Member, ctx: Context) -> Written:
    from openpyxl import load_workbook

    from ..read.documents import check_package, transitional_workbook
    from ..read.units import formula_text

    check_package(member, ctx.limits)
    try:
        book = load_workbook(io.BytesIO(transitional_workbook(member.data)))
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types for bad files
        raise InputError(member.path, f"unreadable spreadsheet ({type(error).__name__})") \
            from None
    total = 0
    for sheet in book.worksheets:
        masked_title, count = mask_text(sheet.title)
        if count:  # a title may not hold '*' (nor \ ? : / [ ]): '#' masks it there
            sheet.title = re.sub(r"[\\*?:/\[\]]", "#", masked_title)[:31]
            total += count
        # The cells the sheet holds, not every coordinate up to its declared size (iter_rows
        # makes a cell for each: A1:XFD1048576 took 4 GB).
        cells = list(sheet._cells.values())  # noqa: SLF001 - openpyxl keeps no public view
        headers = {cell.column: str(cell.value) for cell in cells
                   if cell.row == 1 and cell.value is not None}
        for row in (cells,):
            for cell in row:
                value = cell.value
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                if isinstance(value, str) and value[:1] == "=":
                    # A formula joining a number from literals: the cell keeps the text it
                    # shows, masked (the formula would put the number back together).
                    joined = formula_text(value)
                    masked, count = mask_text(joined) if joined is not None else ("", 0)
                    if count:
                        cell.value = masked
                        cell.data_type = "s"
                        total += count
                        continue
                if isinstance(value, str) or (isinstance(value, int)
                                              and not isinstance(value, bool)):
                    masked, count = mask_text(str(value),
                                              context_hint=headers.get(cell.column, ""))
                    if count:
                        cell.value = masked
                        total += count
    out = io.BytesIO()
    book.save(out)
    written = Written(out.getvalue(), total)
    return rewrite_media(written, member, ctx, ("xl/media/", "xl/embeddings/"))


def rewrite_media(written: Written, member: Member, ctx: Context,
                  prefixes: tuple[str, ...]) -> Written:
    """Redact the images and embedded files of a workbook already written, and mask what
    its other parts hold (comments, headers and footers, hyperlinks, text boxes), as the
    reader reads them (:func:`read.documents.xlsx_extras`)."""
    from ..read import markup
    from ..read.documents import XLSX_CELL_PARTS
    from .office import mask_walked

    assert written.data is not None
    source = zipfile.ZipFile(io.BytesIO(written.data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            name = info.filename
            if name.startswith(prefixes) and not info.filename.endswith("/"):
                part = ctx.nested(member.child(name, data, ctx.key, embedded=True))
                written.absorb(part)
                if part.data is None:
                    raise CannotRewrite(f"an embedded part ({name}) cannot be redacted")
                data = part.data
            elif XLSX_CELL_PARTS.match(name):
                masked, count = mask_text(data.decode("utf-8", errors="surrogateescape"))
                if count:  # headers and footers of the sheet: plain text in the XML
                    data = masked.encode("utf-8", errors="surrogateescape")
                    written.numbers += count
            elif name.lower().endswith((".xml", ".rels", ".vml")):
                try:
                    tree = markup.parse_xml(data)
                except Exception:  # noqa: BLE001 - not XML: copied as openpyxl wrote it
                    target.writestr(info, data)
                    continue
                count = mask_walked(markup.walk(tree, markup.OOXML))
                if count:
                    from lxml import etree

                    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8",
                                          standalone=tree.docinfo.standalone)
                    written.numbers += count
            target.writestr(info, data)
    written.data = out.getvalue()
    return written


def write_sql(member: Member, ctx: Context) -> Written:
    """Values masked where they stand, with their column names as context; the rest of
    the dump (comments, defaults) masked as text. A masked value that stood as a bare
    number is written as a string (``'138****5678'``), or as ``0`` in a column the dump
    declares numeric, so the copy loads."""
    text, encoding = decode_keeping(member.data, member.path)
    pieces: list[str] = []
    total = 0
    last = 0
    for value in sql_values(text):
        gap, count = mask_lines(text[last:value.start])
        pieces.append(gap)
        total += count
        if value.parts:  # 'a' 'b': masked as the one value SQL reads, written back in parts
            pieces.append(_masked_parts(text, value))
            total += mask_text(value.text(text), context_hint=value.column)[1]
            last = value.end
            continue
        masked, count = mask_text(text[value.start:value.end], context_hint=value.column)
        decoded = hex_literal_text(text, value.start, value.end)
        if decoded is not None:  # X'3131…', 0x3131…: the text masked, written as hex again
            inner, inner_count = mask_text(decoded[0], context_hint=value.column)
            if inner_count:
                data = zlib.compress(inner.encode(decoded[1][5:])) \
                    if decoded[1].startswith("zlib+") else inner.encode(decoded[1])
                masked, count = decoded[2] + data.hex().upper(), inner_count
        if count and decoded is None and (value.numeric or value.bare):
            # A mask is not a number: a column declared numeric gets 0, a bare value of a
            # column of unknown type a string, so the copy still loads.
            masked = "0" if value.numeric else "'" + masked.replace("'", "''") + "'"
        pieces.append(masked)
        total += count
        last = value.end
    tail, count = mask_lines(text[last:])
    pieces.append(tail)
    total += count
    return Written("".join(pieces).encode(encoding), total)


def _masked_parts(text: str, value: SqlValue) -> str:
    """A value written as adjacent literals, masked as one and cut back into its literals
    (what stands between them kept); each part masked alone when a mask of another length
    cannot be cut back."""
    joined = value.text(text)
    masked, _ = mask_text(joined, context_hint=value.column)
    out, at, used = [], value.start, 0
    for start, end in value.parts:
        out.append(text[at:start])
        if len(masked) == len(joined):
            out.append(masked[used:used + end - start])
        else:
            out.append(mask_text(text[start:end], context_hint=value.column)[0])
        used += end - start
        at = end
    return "".join(out)


def write_rtf(member: Member, ctx: Context) -> Written:
    """Numbers masked in the RTF source where its text shows them; pictures redacted.

    The text is looked at through a view of the source in which escapes are decoded
    (``\\'31`` and ``\\u49?`` are ``1``) and control words and group braces are blanks,
    each piece with its place in the source, so a number found in the view is masked
    where it stands in the source, escapes included. The copy is read again by the
    verification, as every copy is.
    """
    data = member.data
    written = Written(None)
    # Pictures and embedded files first (from the end, so earlier offsets stay valid).
    changes: list[tuple[int, int, bytes]] = []
    for start, end, kind, picture in pictures(data):
        part = ctx.nested(member.child(f"picture.{kind}", picture, ctx.key, embedded=True))
        written.absorb(part)
        if part.data is None:
            raise CannotRewrite("an embedded picture cannot be redacted")
        changes.append((start, end, binascii.hexlify(part.data)))
    changes += _rtf_objects(member, ctx, written)
    replaced = bytearray(data)
    limit = len(data)
    for start, end, new in sorted(changes, reverse=True):
        if end > limit:
            raise CannotRewrite("a picture inside an embedded object's data")
        replaced[start:end] = new
        limit = start
    view = TextView(bytes(replaced).decode("latin-1"))
    masked_view, count = mask_text(view.text)
    out = view.replaced(masked_view)
    written.data = out.encode("latin-1")
    written.numbers += count
    return written


def _rtf_objects(member: Member, ctx: Context,
                 written: Written) -> list[tuple[int, int, bytes]]:
    """The hexadecimal data of each file embedded in an RTF document (a ``Package``) with
    the file redacted and its names masked; any other object is left as it is (the
    copy's reading says what it could not check)."""
    from ..read.ole1 import objects

    changes = []
    for found, object_, _ in objects(member.data):
        if object_ is None or object_.file is None:
            continue
        part = ctx.nested(member.child(f"object{object_.suffix}", object_.file, ctx.key,
                                       embedded=True))
        written.absorb(part)
        if part.data is None:
            raise CannotRewrite("a file embedded in the document cannot be redacted")

        def rename(name: str) -> str:
            masked, count = mask_text(name)
            written.numbers += count
            return masked

        changes.append((found.start, found.end,
                        binascii.hexlify(object_.rebuilt(part.data, rename))))
    return changes


def write_sqlite(member: Member, ctx: Context) -> Written:
    """The database with every value masked in place and its photos redacted, rebuilt
    (VACUUM) so no freed page keeps an old value. Triggers are dropped from the copy
    first (a hostile trigger must not run on the updates). Tables without rowids that
    hold something to mask cannot be updated here: the copy is then refused."""
    import sqlite3

    from ..read.documents import is_embedded_image
    from ..read.sql import blob_text, open_sqlite, quote, sqlite_tables, virtual_tables

    connection = open_sqlite(member)
    written = Written(None)
    try:
        connection.execute("PRAGMA secure_delete=ON")
        for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            connection.execute(f"DROP TRIGGER IF EXISTS {quote(name)}")
        for table in sqlite_tables(connection):
            try:
                rows = connection.execute(f"SELECT rowid, * FROM {quote(table)}")
                columns = [d[0] for d in rows.description or ()][1:]
            except sqlite3.OperationalError:
                # WITHOUT ROWID or a virtual table: read it to see if it holds anything.
                values = connection.execute(f"SELECT * FROM {quote(table)}").fetchall()
                if any(mask_text(str(v))[1] for row in values for v in row
                       if isinstance(v, str | int)):
                    raise CannotRewrite(f"table {mask_name_safe(table)} has no rowid to "
                                        "update its values by") from None
                continue
            updates = []
            number = 0
            for row in rows.fetchall():
                number += 1
                rowid, values = row[0], row[1:]
                for column, value in zip(columns, values, strict=False):
                    new: Any = None
                    if isinstance(value, bytes) and is_embedded_image(column, value):
                        part = ctx.nested(member.child(f"{table}/{number}/{column}", value,
                                                       ctx.key, embedded=True))
                        written.absorb(part)
                        new = part.data
                        if new == value:
                            continue
                    elif isinstance(value, bytes) and (blob := blob_text(value)) is not None:
                        text, encoding = blob  # text in a BLOB: masked, kept a BLOB
                        masked, count = mask_text(text, context_hint=column)
                        if not count:
                            continue
                        written.numbers += count
                        new = zlib.compress(masked.encode(encoding[5:])) \
                            if encoding.startswith("zlib+") else masked.encode(encoding)
                    elif isinstance(value, str) or (isinstance(value, int | float)
                                                    and not isinstance(value, bool)):
                        text = str(int(value)) if isinstance(value, float) and \
                            value.is_integer() else str(value)
                        masked, count = mask_text(text, context_hint=column)
                        if not count:
                            continue
                        written.numbers += count
                        new = masked
                    else:
                        continue
                    updates.append((column, new, rowid))
            for column, new, rowid in updates:
                connection.execute(f"UPDATE {quote(table)} SET {quote(column)} = ? "
                                   "WHERE rowid = ?", (new, rowid))
        # A full-text index keeps the old tokens in its segments until rebuilt from the
        # (now masked) text.
        for name, module in virtual_tables(connection).items():
            if module.startswith("FTS"):
                connection.execute(f"INSERT INTO {quote(name)}({quote(name)}) "
                                   "VALUES('rebuild')")
        connection.commit()
        written.numbers += _mask_schema(connection)
        connection.execute("VACUUM")
        written.data = connection.serialize()
    except sqlite3.DatabaseError as error:
        raise CannotRewrite(f"the database could not be rewritten ({error})") from None
    finally:
        connection.close()
    return written


def _mask_schema(connection: Any) -> int:
    """Names of tables, columns and indexes renamed to their masked form, and literals in
    the schema (a default, a view's constant) masked; how many values were masked.

    Tables and columns are renamed with ALTER TABLE, which rewrites the views and indexes
    that use them; an index is made again under its masked name; what is left (literals)
    is masked in the schema's text itself. A schema that still holds something after
    that, or no longer opens, refuses the copy."""
    from ..read.sql import quote

    total = 0

    def masked(name: str) -> str | None:
        nonlocal total
        text, count = mask_text(name)
        total += count
        return text if count else None

    tables = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    for table, sql in tables:
        virtual = (sql or "").upper().startswith("CREATE VIRTUAL TABLE")
        if not virtual and not table.startswith("sqlite_"):
            for column in [row[1] for row in connection.execute(
                    f"PRAGMA table_info({quote(table)})").fetchall()]:
                new = masked(column)
                if new is not None:
                    connection.execute(f"ALTER TABLE {quote(table)} RENAME COLUMN "
                                       f"{quote(column)} TO {quote(new)}")
        new = masked(table)
        if new is not None:
            connection.execute(f"ALTER TABLE {quote(table)} RENAME TO {quote(new)}")
    for name, sql in connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'view') "
            "AND sql IS NOT NULL").fetchall():
        text, count = mask_text(sql)
        if not count:
            continue
        total += count
        kind = "INDEX" if sql.upper().lstrip().startswith(("CREATE INDEX", "CREATE UNIQUE"))\
            else "VIEW"
        connection.execute(f"DROP {kind} {quote(name)}")
        connection.execute(text)  # the same definition, its names and literals masked
    left = [(name, sql) for name, sql in connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
        if mask_text(sql)[1]]
    if left:
        connection.execute("PRAGMA writable_schema=ON")
        for name, sql in left:
            text, count = mask_text(sql)
            total += count
            connection.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (text, name))
        connection.execute("PRAGMA writable_schema=OFF")
        connection.commit()
        connection.execute("PRAGMA writable_schema=RESET")
        if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise CannotRewrite("the database's schema cannot be masked")
    if any(mask_text(sql or name)[1] for name, sql in connection.execute(
            "SELECT name, sql FROM sqlite_master").fetchall()):
        raise CannotRewrite("the database's schema still holds a number after masking")
    connection.commit()
    return total


def mask_name_safe(name: str) -> str:
    from ..text.mask import mask_name

    return mask_name(name)
