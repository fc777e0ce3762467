"""Numbers a seller hides where only a format's own machinery shows them: RTF escapes, the
names of an SQLite database's tables, columns and views (and the literals in its schema),
the names of an Office package's parts. Each is found by a scan and masked in the copy, or
the copy is refused; a copy never says *verified* while the raw number is in its bytes.
(The second independent hostile set found these: the copy was said verified.)"""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from notforsale.redact.tree import redact
from notforsale.scan import scan_path
from tests import builders as b

ID, ID_M = "11010519491231002X", "110105********002X"
MOBILE, MOBILE_M = "13812345678", "+86 138****5678"


def _hex(text: str) -> str:
    return "".join(f"\\'{ord(ch):02x}" for ch in text)


def _unicode(text: str) -> str:
    return "".join(f"\\u{ord(ch)}?" for ch in text)


def _rtf(body: str) -> bytes:
    return ("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0 Arial;}}\n" + body + "}").encode()


def _db(statements: list[str]) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.db"
        connection = sqlite3.connect(path)
        for statement in statements:
            connection.execute(statement)
        connection.commit()
        connection.close()
        return path.read_bytes()


def _with_part(package: bytes, part: str, rels: str) -> bytes:
    """An Office file with one more part named ``part``, referenced from the document's
    relationships and the content types, as Word references its parts."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    f'<Override PartName="/{part}" ContentType="application/xml"/>'
                    "</Types>").encode())
            if info.filename == rels:
                target_name = part.rsplit("/", 1)[-1]
                data = data.replace(b"</Relationships>", (
                    f'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/'
                    f'officeDocument/2006/relationships/customXml" Target="{target_name}"/>'
                    "</Relationships>").encode())
            target.writestr(info, data)
        target.writestr(part, '<?xml version="1.0"?><data>空</data>')
    return out.getvalue()


# (file name, how it is made, masked values a scan must find, raw values the copy must not
#  hold, why)
CASES: list[tuple[str, Callable[[], bytes], set[str], list[str], str]] = [
    ("hex.rtf", lambda: _rtf(f"{{\\pard 身份证 {_hex(ID)}\\par}}"), {ID_M}, [ID],
     "digits written as \\'hh escapes: read, but the copy kept them (verification failed)"),
    ("unicode.rtf", lambda: _rtf(f"{{\\pard 手机 {_unicode(MOBILE)}\\par}}"), {MOBILE_M},
     [MOBILE], "digits written as \\uN? escapes"),
    ("mixed.rtf", lambda: _rtf(f"{{\\pard ID {ID[:6]}{_hex(ID[6:12])}{_unicode(ID[12:])}"
                               "\\par}"), {ID_M}, [ID],
     "plain digits, then hex escapes, then unicode escapes in one number"),
    ("bin.rtf", lambda: _rtf("{\\pard before {\\*\\x\\bin4 abcd} after " + _hex(ID) +
                             "\\par}"), {ID_M}, [ID],
     "a \\bin block before the number"),
    ("bin-huge.rtf", lambda: _rtf("{\\pard before \\bin999999999 " + ID + " after\\par}"),
     {ID_M}, [ID], "a \\bin count past the file's end: what follows is still read"),
    ("info.rtf", lambda: _rtf(f"{{\\info{{\\title {MOBILE}}}{{\\author {ID}}}}}"
                              "{\\pard body\\par}"), {ID_M, MOBILE_M}, [ID, MOBILE],
     "numbers in the document information (title, author): no reader showed them"),
    ("bookmark.rtf", lambda: _rtf(f"{{\\pard body{{\\*\\bkmkstart {_hex(ID)}}}\\par}}"),
     {ID_M}, [ID], "a number as a bookmark's name, in an ignorable destination"),
    ("table.db", lambda: _db([f'CREATE TABLE "t_{ID}" (a TEXT)',
                              f"INSERT INTO \"t_{ID}\" VALUES ('x')"]), {ID_M}, [ID],
     "a table named by an ID: not reported, kept raw in the copy said verified"),
    ("column.db", lambda: _db([f'CREATE TABLE t (a TEXT, "m{MOBILE}" TEXT)',
                               "INSERT INTO t VALUES ('x', 'y')"]), {MOBILE_M}, [MOBILE],
     "a column named by a phone number"),
    ("view.db", lambda: _db(["CREATE TABLE t (a TEXT)",
                             f"CREATE VIEW v AS SELECT '{ID}' AS who FROM t"]), {ID_M}, [ID],
     "an ID written as a literal in a view's definition"),
    ("default.db", lambda: _db([f"CREATE TABLE t (a TEXT DEFAULT '{MOBILE}', b TEXT)",
                                "INSERT INTO t (b) VALUES ('x')"]), {MOBILE_M}, [MOBILE],
     "a phone number as a column's default (also stored in the row)"),
    ("index.db", lambda: _db(["CREATE TABLE t (a TEXT)",
                              f'CREATE INDEX "i{ID}" ON t (a)']), {ID_M}, [ID],
     "an index named by an ID"),
    ("part.docx", lambda: _with_part(b.docx(["正文"]), f"word/{ID}.xml",
                                     "word/_rels/document.xml.rels"), {ID_M}, [ID],
     "a package part named by an ID: kept raw in the copy said verified"),
    ("part.xlsx", lambda: _with_part(b.xlsx([["x"]]), f"xl/{ID}.xml",
                                     "xl/_rels/workbook.xml.rels"), {ID_M}, [ID],
     "a workbook part named by an ID (the copy, made by openpyxl, leaves it out)"),
]


@pytest.mark.parametrize(("name", "make", "expected", "raw", "why"), CASES,
                         ids=[c[0] for c in CASES])
def test_found_and_gone_from_the_copy(tmp_path: Path, name: str, make: Callable[[], bytes],
                                      expected: set[str], raw: list[str], why: str) -> None:
    source = tmp_path / "src"
    source.mkdir()
    data = make()
    (source / name).write_bytes(data)
    result = scan_path(source)
    masks = {item.finding.masked for item in result.findings}
    assert expected <= masks, (why, masks, [e.message for e in result.errors])
    report = redact(source, tmp_path / "out")
    copy = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    for inner in [*(tmp_path / "out").rglob("*.docx"), *(tmp_path / "out").rglob("*.xlsx")]:
        with zipfile.ZipFile(inner) as package:
            copy += "".join(package.namelist()).encode()
            copy += b"".join(package.read(n) for n in package.namelist())
    assert (source / name).read_bytes() == data
    assert report.status == "verified", (why, report.to_dict()["left_over"],
                                         report.not_checked)
    for value in raw:
        assert value.encode() not in copy, why


def test_a_masked_database_copy_still_opens_with_its_rows(tmp_path: Path) -> None:
    """Renamed tables and columns keep their rows and their views and indexes working."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "x.db").write_bytes(_db([
        f'CREATE TABLE "t_{ID}" (a TEXT, "m{MOBILE}" TEXT)',
        f"INSERT INTO \"t_{ID}\" VALUES ('plain', 'kept')",
        f'CREATE VIEW v AS SELECT a FROM "t_{ID}"',
        f'CREATE INDEX i ON "t_{ID}" ("m{MOBILE}")']))
    assert redact(tmp_path / "src", tmp_path / "out").status == "verified"
    connection = sqlite3.connect(tmp_path / "out" / "x.db")
    try:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert len(tables) == 1 and ID not in tables[0]
        assert connection.execute(f'SELECT * FROM "{tables[0]}"').fetchall() == [
            ("plain", "kept")]
        assert connection.execute("SELECT * FROM v").fetchall() == [("plain",)]
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()


def test_a_renamed_part_is_still_referenced_by_its_package(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.docx").write_bytes(_with_part(
        b.docx(["正文"]), f"word/{ID}.xml", "word/_rels/document.xml.rels"))
    assert redact(tmp_path / "src", tmp_path / "out").status == "verified"
    with zipfile.ZipFile(tmp_path / "out" / "a.docx") as package:
        names = package.namelist()
        renamed = [n for n in names if "*" in n]
        assert renamed == [f"word/{ID_M}.xml"], names
        base = renamed[0].removeprefix("word/")
        assert base.encode() in package.read("word/_rels/document.xml.rels")
        assert f"/{renamed[0]}".encode() in package.read("[Content_Types].xml")
