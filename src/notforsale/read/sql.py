"""Leaked user databases: SQL dumps and SQLite files, read as tables of records.

**SQL dumps** (``.sql``, as mysqldump, pg_dump and phpMyAdmin write them): every value
of ``INSERT INTO t (a, b) VALUES (…), (…);`` and of ``COPY t (a, b) FROM stdin;``
blocks is a cell, with its column name (from the statement, else from the table's
``CREATE TABLE``) as field and context hint, and each row is a record. The rest of the
dump (comments, defaults) is read as text. :func:`sql_values` is the one tokenizer
the reader and the redactor share.

**SQLite** databases are opened read-only, in memory (``deserialize``: no file is
written), and every table's rows are records; a BLOB that holds an image (a user's
photo) is a nested member tied to its row.
"""

from __future__ import annotations

import re
import sqlite3
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace

from ..errors import InputError
from .documents import is_embedded_image
from .member import Member
from .units import Part, PartError, ReadContext, TextUnit, shown

_STATEMENT = re.compile(
    r"\b(?:INSERT|REPLACE)\s+(?:(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE|OR\s+\w+)\s+)*"
    r"INTO\s+(?P<table>[`\"\[]?[\w.$]+[`\"\]]?(?:\s*\.\s*[`\"\[]?[\w$]+[`\"\]]?)?)\s*"
    r"(?:\((?P<columns>[^()]*)\))?\s*VALUES\s*"
    r"|\bCOPY\s+(?P<copy_table>[\w.\"]+)\s*(?:\((?P<copy_columns>[^()]*)\))?\s+FROM\s+stdin\s*;[^\n]*\n"
    r"|\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<create_table>[`\"\[]?[\w.$]+[`\"\]]?"
    r"(?:\s*\.\s*[`\"\[]?[\w$]+[`\"\]]?)?)\s*\(",
    re.IGNORECASE)
_TOKEN = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"|[(),;]|[^\s(),;'\"]+",
                    re.DOTALL)
_NOT_COLUMNS = frozenset({"primary", "key", "unique", "constraint", "index", "foreign",
                          "check", "fulltext", "spatial", "exclude", "period"})
_NULLS = frozenset({"null", "default", "true", "false"})


def _unquote(name: str) -> str:
    name = name.strip()
    parts = [p.strip().strip("`\"[]") for p in name.split(".")]
    return parts[-1] if parts else name


def _names(columns: str) -> list[str]:
    return [_unquote(c) for c in columns.split(",") if c.strip()]


@dataclass(frozen=True, slots=True)
class SqlValue:
    """One value of a dump: its span in the text (inside quotes), table, column, row."""

    start: int
    end: int
    table: str
    column: str
    row: int
    #: The literals of a value written as several (``'110101199' '003071233'``, which SQL
    #: reads as one): their spans inside their quotes; () for a value written once.
    parts: tuple[tuple[int, int], ...] = ()
    #: Written without quotes in an INSERT (a number, a keyword).
    bare: bool = False
    #: Its column is declared numeric (``BIGINT``, ``numeric(11,0)``) by the dump's
    #: ``CREATE TABLE``: a copy must hold a number there.
    numeric: bool = False

    def text(self, text: str) -> str:
        """The value as SQL reads it (adjacent literals joined)."""
        if not self.parts:
            return text[self.start:self.end]
        return "".join(text[start:end] for start, end in self.parts)


#: Declared types that hold numbers only (SQL, MySQL, PostgreSQL, SQLite, Oracle).
_NUMERIC_TYPE = re.compile(r"(?:tiny|small|medium|big)?int(?:eger|[248])?|numeric|decimal|dec"
                           r"|number|fixed|float[48]?|double|real|(?:small|big)?serial[248]?",
                           re.IGNORECASE)


def _create_columns(text: str, at: int) -> tuple[list[str], set[str], int]:
    """Column names of a ``CREATE TABLE … (`` whose body starts at ``at``, and those of
    them declared numeric."""
    depth = 1
    current: list[str] = []
    columns: list[list[str]] = []
    for token in _TOKEN.finditer(text, at):
        value = token.group()
        if value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
            if depth == 0:
                if current:
                    columns.append(current)
                kept = [c for c in columns if c[0].lower() not in _NOT_COLUMNS]
                return [_unquote(c[0]) for c in kept], {
                    _unquote(c[0]) for c in kept
                    if len(c) > 1 and _NUMERIC_TYPE.fullmatch(c[1])}, token.end()
        elif value == "," and depth == 1:
            if current:
                columns.append(current)
            current = []
        elif depth == 1 and not current:
            current.append(value)
        elif depth == 1:
            current.append(value)
    return [], set(), len(text)


def sql_values(text: str) -> Iterator[SqlValue]:
    """Every value of the INSERT and COPY statements of a dump, in order."""
    known: dict[str, list[str]] = {}
    numeric: dict[str, set[str]] = {}
    row = 0
    at = 0
    while True:
        match = _STATEMENT.search(text, at)
        if match is None:
            return
        if match.group("create_table"):
            columns, numbers, at = _create_columns(text, match.end())
            known[_unquote(match.group("create_table"))] = columns
            numeric[_unquote(match.group("create_table"))] = numbers
            continue
        if match.group("copy_table") is not None:
            table = _unquote(match.group("copy_table"))
            columns = _names(match.group("copy_columns") or "") or known.get(table, [])
            at = match.end()
            while at < len(text):
                end = text.find("\n", at)
                end = len(text) if end == -1 else end
                line = text[at:end]
                if line.rstrip("\r") == "\\.":
                    at = end + 1
                    break
                row += 1
                start = at
                for index, cell in enumerate(line.rstrip("\r").split("\t")):
                    if cell and cell != "\\N":
                        name = columns[index] if index < len(columns) else str(index + 1)
                        yield SqlValue(start, start + len(cell), table, name, row,
                                       numeric=name in numeric.get(table, ()))
                    start += len(cell) + 1
                at = end + 1
            continue
        table = _unquote(match.group("table"))
        columns = _names(match.group("columns") or "") or known.get(table, [])
        at = match.end()
        depth, index = 0, 0
        held: SqlValue | None = None  # a quoted value, joined to the literals after it
        for token in _TOKEN.finditer(text, at):
            value = token.group()
            at = token.end()
            if held is not None:
                if value[0] == "'" and depth == 1:  # 'a' 'b': one value to SQL
                    start, end = token.start() + 1, token.end() - 1
                    held = replace(held, end=end, parts=(
                        *(held.parts or ((held.start, held.end),)), (start, end)))
                    continue
                yield held
                held = None
            if value == "(":
                depth += 1
                if depth == 1:
                    row += 1
                    index = 0
            elif value == ")":
                depth -= 1
            elif value == ",":
                if depth == 1:
                    index += 1
            elif value == ";" and depth == 0:
                break
            elif depth == 1:
                start, end = token.span()
                if value[0] in "'\"":
                    start, end = start + 1, end - 1
                elif value.lower() in _NULLS:
                    continue
                name = columns[index] if index < len(columns) else str(index + 1)
                if value[0] == "'":
                    held = SqlValue(start, end, table, name, row)
                else:
                    yield SqlValue(start, end, table, name, row, bare=value[0] != '"',
                                   numeric=name in numeric.get(table, ()))
            elif depth == 0 and value not in (",",):
                # Something other than a row after VALUES: the statement is over.
                at = token.start()
                break
        if held is not None:
            yield held


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def hex_literal_bytes(text: str, start: int, end: int) -> tuple[bytes, str] | None:
    """The bytes of a SQL hex literal at ``start:end``, and what stands before its hex digits
    inside the value: ``X'…'`` (standard SQL, SQLite, PostgreSQL, MySQL; the value is what
    stands between the quotes: ``""``) or ``0x…`` (MySQL, SQL Server: the value is the whole
    token, ``mysqldump --hex-blob``'s form: the ``0x`` as written)."""
    prefix = ""
    if text[start:start + 2] in ("0x", "0X"):
        prefix = text[start:start + 2]
    elif start < 2 or text[start - 2:start] not in ("X'", "x'"):
        return None
    digits = text[start + len(prefix):end]
    if not digits or len(digits) % 2 or not _HEX_DIGITS.issuperset(digits):
        return None
    return bytes.fromhex(digits), prefix


def hex_literal_text(text: str, start: int, end: int) -> tuple[str, str, str] | None:
    """The text a SQL hex literal spells (see :func:`hex_literal_bytes`), its encoding and
    the literal's prefix, when the value at ``start:end`` is one and its bytes are text."""
    literal = hex_literal_bytes(text, start, end)
    decoded = None if literal is None else blob_text(literal[0])
    return None if literal is None or decoded is None else (*decoded, literal[1])


def read_sql(member: Member, ctx: ReadContext) -> Iterator[Part]:
    from .documents import member_text

    text = member_text(member)
    # The rest of the dump is its text with every value blanked: kept as the stretches
    # between values (values come in text order), not as a list of every character.
    rest: list[str] = []
    last = 0
    fields: dict[tuple[str, str], str] = {}  # each column's name, masked once
    found = False
    for value in sql_values(text):
        found = True
        cell = value.text(text)
        if value.start >= last:
            rest.append(text[last:value.start])
            rest.append(" " * (value.end - value.start))
            last = value.end
        else:  # (not in text order: blank it in what is kept so far)
            kept = list("".join(rest) + text[last:])
            kept[value.start:value.end] = " " * (value.end - value.start)
            rest, last = ["".join(kept)], len(text)
        if cell.strip():
            where = (value.table, value.column)
            field_ = fields.get(where)
            if field_ is None:
                field_ = fields[where] = shown(f"{value.table}.{value.column}")
            yield TextUnit(cell, row=value.row, field=field_, hint=value.column,
                           record=value.row)
            literal = hex_literal_bytes(text, value.start, value.end)
            if literal is not None:  # X'3131…', 0x3131…: the text the bytes spell
                decoded = blob_text(literal[0])
                if decoded is not None:
                    yield TextUnit(decoded[0], row=value.row, field=field_,
                                   hint=value.column, record=value.row, part="hex literal")
                elif looks_zlib(literal[0]):  # said, never passed over in silence
                    yield PartError(f"{field_} row {value.row}", "a compressed value not read "
                                    f"(over {MAX_INFLATED_BLOB // 2**20} MiB inflated, or "
                                    "not text)")
    remainder = "".join(rest) + text[last:] if found else text
    if remainder.strip():
        yield TextUnit(remainder, whole_text=True, part="statements",
                       line_offset=member.piece.lines_before if member.piece else 0)


# -- SQLite ---------------------------------------------------------------------------------

SQLITE_MAGIC = b"SQLite format 3\x00"
#: Longest value (text or blob) read from an SQLite database.
MAX_VALUE_BYTES = 64 * 1024 * 1024


def open_sqlite(member: Member) -> sqlite3.Connection:
    """The database in memory, never touching the disk (WAL files opened as rollback)."""
    if not member.data.startswith(SQLITE_MAGIC):
        raise InputError(member.path, "not an SQLite database")
    data = bytearray(member.data)
    if len(data) > 20 and data[18:20] == b"\x02\x02":
        data[18:20] = b"\x01\x01"  # WAL mode: read the main file as it is
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    # No value longer than this is made by SQLite, stored or computed: a virtual generated
    # column of zeroblob(300e6) a row took a scan past 4 GB. Longer ones end their table
    # as an error record ("string or blob too big").
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    try:
        connection.deserialize(bytes(data))
        connection.execute("PRAGMA trusted_schema=OFF")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        connection.close()
        raise InputError(member.path, f"unreadable SQLite database ({error})") from None
    return connection


_SHADOW_SUFFIXES = ("_content", "_data", "_idx", "_docsize", "_config", "_segments",
                    "_segdir", "_stat", "_node", "_parent", "_rowid")


def virtual_tables(connection: sqlite3.Connection) -> dict[str, str]:
    """Virtual tables (full-text indexes, r-trees) by name, with their module."""
    out = {}
    for name, sql in connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
        text = (sql or "").upper()
        if text.startswith("CREATE VIRTUAL TABLE"):
            module = text.split(" USING ", 1)[1].split("(", 1)[0].strip() \
                if " USING " in text else ""
            out[name] = module
    return out


def sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    """Every table to read: ordinary tables and virtual ones, not the shadow tables a
    full-text index keeps its copy of the text and its token blobs in (read through the
    virtual table, once)."""
    virtual = virtual_tables(connection)
    names = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
    return [name for name in names
            if not any(name.startswith(v + "_") and name[len(v):] in _SHADOW_SUFFIXES
                       for v in virtual)]


#: Most bytes a zlib-compressed BLOB is inflated to (its text is read as any other).
MAX_INFLATED_BLOB = 16 * 1024 * 1024


def looks_zlib(value: bytes) -> bool:
    """Whether a BLOB starts with a zlib header (apps compress their larger fields)."""
    return len(value) > 2 and value[0] == 0x78 and value[1] in (0x01, 0x5E, 0x9C, 0xDA)


def blob_text(value: bytes, inflate: bool = True) -> tuple[str, str] | None:
    """A BLOB's text and its encoding, when it is text: UTF-8, or UTF-16 (what
    ``CAST(text AS BLOB)`` makes in a UTF-16 database, or an app storing UTF-16 bytes), or
    either compressed with zlib (apps compress their larger fields): ``zlib+`` the
    encoding of what is inside, up to 16 MiB."""
    if inflate and looks_zlib(value):
        inflater = zlib.decompressobj()
        try:
            inner = inflater.decompress(value, MAX_INFLATED_BLOB)
        except zlib.error:
            inner = None
        if inner is not None and inflater.eof:
            found = blob_text(inner, inflate=False)  # one layer
            return (found[0], "zlib+" + found[1]) if found else None
    if value.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return value.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    if b"\x00" not in value:
        try:
            return value.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            return None
    if len(value) % 2 == 0:
        # UTF-16 text in Latin and digits has a zero in every other byte
        even, odd = value[0::2].count(0), value[1::2].count(0)
        for encoding, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
            if zeros * 3 >= len(value) // 2:
                try:
                    return value.decode(encoding), encoding
                except UnicodeDecodeError:
                    continue
        for encoding in ("utf-16-le", "utf-16-be"):  # CJK text: no zeros to go by
            try:
                text = value.decode(encoding)
            except UnicodeDecodeError:
                continue
            if all(ch.isprintable() or ch.isspace() for ch in text):
                return text, encoding
    return None


def _value_text(value: object) -> str:
    """A database value as text: a float that is a whole number without its ``.0`` (a
    phone stored as REAL is 13812345678.0)."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_sqlite(member: Member, ctx: ReadContext) -> Iterator[Part]:
    connection = open_sqlite(member)
    try:
        connection.execute("PRAGMA query_only=ON")
        # The schema: names of tables, columns, views and indexes, and the literals in
        # their definitions (a default, a view's constant) are text a seller can use.
        for kind, name, sql in connection.execute(
                "SELECT type, name, sql FROM sqlite_master ORDER BY rowid").fetchall():
            text = sql if isinstance(sql, str) and sql.strip() else name
            if isinstance(text, str) and text.strip():
                yield TextUnit(text, field=f"schema ({kind})", whole_text=True)
        record = 0
        for table in sqlite_tables(connection):
            try:
                cursor = connection.execute(f"SELECT * FROM {quote(table)}")
                columns = [d[0] for d in cursor.description or ()]
                number = 0
                for values in cursor:
                    number += 1
                    record += 1
                    for name, value in zip(columns, values, strict=False):
                        if value is None:
                            continue
                        if isinstance(value, bytes):
                            if is_embedded_image(name, value):
                                yield member.child(f"{table}/{number}/{name}", value, ctx.key,
                                                   embedded=True, parent_record=record)
                                continue
                            decoded = blob_text(value)
                            if decoded is None:
                                if looks_zlib(value):  # said, never passed over in silence
                                    yield PartError(f"table {shown(table)} row {number}",
                                                    "a compressed value not read (over "
                                                    f"{MAX_INFLATED_BLOB // 2**20} MiB "
                                                    "inflated, or not text)")
                                continue
                            value = decoded[0]
                        text = _value_text(value)
                        if text.strip():
                            yield TextUnit(text, row=number, field=shown(f"{table}.{name}"),
                                           hint=name, record=record)
            except sqlite3.DatabaseError as error:
                yield PartError(f"table {shown(table)}", f"unreadable ({error})")
    finally:
        connection.close()


# -- SQLite write-ahead logs ----------------------------------------------------------------

WAL_MAGICS = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_WAL_HEADER, _FRAME_HEADER = 32, 24
#: b-tree page types: interior index, interior table, leaf index, leaf table.
_INTERIOR_INDEX, _INTERIOR_TABLE, _LEAF_INDEX, _LEAF_TABLE = 2, 5, 10, 13


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """SQLite's variable-length integer at ``at``: its value and the offset after it."""
    value = 0
    for index in range(9):
        if at + index >= len(data):
            raise IndexError("varint past the end")
        byte = data[at + index]
        if index == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + index + 1
    raise AssertionError("unreachable")


def _record_values(payload: bytes, encoding: str) -> list[str | int | float | bytes]:
    """The values of one record (its header of serial types, then the values); a record
    cut short (the rest on an overflow page) gives the values that are whole, and the
    text of the one cut."""
    size, at = _varint(payload, 0)
    types = []
    while at < min(size, len(payload)):
        serial, at = _varint(payload, at)
        types.append(serial)
    at = size
    out: list[str | int | float | bytes] = []
    widths = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}
    for serial in types:
        if serial in widths:
            width = widths[serial]
            if at + width > len(payload):
                break
            out.append(int.from_bytes(payload[at:at + width], "big", signed=True))
            at += width
        elif serial == 7:
            if at + 8 > len(payload):
                break
            out.append(struct.unpack(">d", payload[at:at + 8])[0])
            at += 8
        elif serial >= 12:
            width = (serial - 12) // 2
            chunk = payload[at:at + width]
            out.append(chunk.decode(encoding, "replace") if serial % 2 else chunk)
            at += width
            if at > len(payload):
                break
    return out


def _cells(page: bytes, start: int, usable: int) -> Iterator[bytes]:
    """The local payload of every cell of one b-tree page (header at ``start``)."""
    kind = page[start]
    count = int.from_bytes(page[start + 3:start + 5], "big")
    pointers = start + (12 if kind in (_INTERIOR_INDEX, _INTERIOR_TABLE) else 8)
    for index in range(min(count, (len(page) - pointers) // 2)):
        at = int.from_bytes(page[pointers + 2 * index:pointers + 2 * index + 2], "big")
        if not 0 < at < len(page):
            continue
        try:
            if kind == _INTERIOR_TABLE:
                continue  # a child pointer and a key: no payload
            if kind == _INTERIOR_INDEX:
                at += 4
            size, at = _varint(page, at)
            if kind == _LEAF_TABLE:
                _, at = _varint(page, at)  # the rowid
                most = usable - 35
            else:
                most = (usable - 12) * 64 // 255 - 23
            if size > most:
                least = (usable - 12) * 32 // 255 - 23
                local = least + (size - least) % (usable - 4)
                size = local if local <= most else least
            yield page[at:at + size]
        except IndexError:
            continue


def read_sqlite_wal(member: Member, ctx: ReadContext) -> Iterator[Part]:
    """An SQLite write-ahead log read on its own: every frame's page, as the database's
    pages are (:func:`_page_parts`). Every frame is read, not only those of the last
    commit: an older version of a page holds rows deleted since."""
    data = member.data
    if len(data) < _WAL_HEADER or data[:4] not in WAL_MAGICS:
        raise InputError(member.path, "not an SQLite write-ahead log")
    page_size = _page_size(member, int.from_bytes(data[8:12], "big"))
    step = _FRAME_HEADER + page_size
    frames = (len(data) - _WAL_HEADER) // step
    if (len(data) - _WAL_HEADER) % step:
        yield PartError("last frame", "cut short; not read")
    yield from _page_parts(
        (f"frame {frame + 1}", int.from_bytes(data[at:at + 4], "big"),
         data[at + _FRAME_HEADER:at + step])
        for frame in range(frames) for at in (_WAL_HEADER + frame * step,))


JOURNAL_MAGIC = b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"


def read_sqlite_journal(member: Member, ctx: ReadContext) -> Iterator[Part]:
    """An SQLite rollback journal (``-journal``): the pages a transaction was changing, as
    they were before it — rows it updated or deleted — read as the database's pages are.
    A journal is a chain of segments (one each time the cache spilled), each a header on a
    sector boundary and its page records; bytes after the last one are read as text."""
    data = member.data
    if len(data) < 28 or not data.startswith(JOURNAL_MAGIC):
        raise InputError(member.path, "not an SQLite rollback journal")
    sector = int.from_bytes(data[20:24], "big") or 512
    if sector < 32 or sector > 65536 or sector & (sector - 1):
        raise InputError(member.path, f"SQLite rollback journal with a sector size of {sector}")
    page_size = _page_size(member, int.from_bytes(data[24:28], "big"))
    step = 4 + page_size + 4
    ended = [0]  # where the last segment ends

    def pages() -> Iterator[tuple[str, int, bytes]]:
        at, number = 0, 0
        while at + 28 <= len(data) and data.startswith(JOURNAL_MAGIC, at):
            count = int.from_bytes(data[at + 8:at + 12], "big")
            first = at + sector
            whole = max(0, (len(data) - first) // step)
            if count in (0, 0xFFFFFFFF):  # "to the end of the file" (no-sync journals)
                count = whole
            for index in range(min(count, whole)):
                where = first + index * step
                number += 1
                yield (f"journal page {number}", int.from_bytes(data[where:where + 4], "big"),
                       data[where + 4:where + 4 + page_size])
            end = first + min(count, whole) * step
            at = max(at + sector, -(-end // sector) * sector)
            ended[0] = at

    yield from _page_parts(pages())
    at = ended[0]
    rest = data[at:].decode("utf-8", "ignore").replace("\x00", " ").strip()
    if rest:
        yield TextUnit(rest, field="after the journal's pages", whole_text=True)


def _page_size(member: Member, declared: int) -> int:
    size = 65536 if declared == 1 else declared
    if size < 512 or size > 65536 or size & (size - 1):
        raise InputError(member.path, f"SQLite pages of {declared} bytes")
    return size


def _page_parts(pages: Iterator[tuple[str, int, bytes]]) -> Iterator[Part]:
    """Database pages outside a database (a log's frames, a journal's pages), each read as
    SQLite would: each cell of a table or index page a record of values, any other page
    (an overflow page: the rest of a long value) as text."""
    encoding, record = "utf-8", 0
    usable: int | None = None
    for name, number, page in pages:
        start = 100 if number == 1 else 0
        if number == 1 and page.startswith(SQLITE_MAGIC):
            encoding = {2: "utf-16-le", 3: "utf-16-be"}.get(
                int.from_bytes(page[56:60], "big"), "utf-8")
            usable = len(page) - page[20]
        where = f"{name} (page {number})"
        if page[start] not in (_INTERIOR_INDEX, _INTERIOR_TABLE, _LEAF_INDEX, _LEAF_TABLE):
            text = page[4:].decode(encoding, "ignore").replace("\x00", " ").strip()
            if text:
                yield TextUnit(text, field=where, whole_text=True)
            continue
        for payload in _cells(page, start, usable or len(page)):
            record += 1
            try:
                values = _record_values(payload, encoding)
            except IndexError:
                continue
            for value in values:
                if isinstance(value, bytes):
                    decoded = blob_text(value, inflate=False)
                    if decoded is None:
                        continue
                    value = decoded[0]
                text = _value_text(value)
                if text.strip():
                    yield TextUnit(text, row=record, field=where, record=record)
