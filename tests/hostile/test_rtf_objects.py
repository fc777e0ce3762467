"""Files embedded in an RTF document as OLE objects are read, and redacted in the copy.

The eleventh held-out hostile set's e03: a letter in RTF carried a text file of ID numbers
dropped into it (Word's ``{\\object\\objemb … {\\*\\objdata <hex>}}``, an OLE 1.0
``Package``); the scan read the letter's text and nothing of the object, and called the
copy verified with the numbers still in it. Each case below is how a seller could hide or
break one.
"""

from __future__ import annotations

import binascii
import struct
from pathlib import Path

import pytest

from notforsale.read.ole1 import embedded, rtf_objects
from notforsale.redact.tree import redact
from notforsale.scan import scan_path

ID, ID_M = "110101199003071233", "110101********1233"
ID2, ID2_M = "110105195609096969", "110105********6969"
MOBILE, MOBILE_M = "13812345678", "+86 138****5678"


def _string(text: bytes) -> bytes:
    return struct.pack("<I", len(text) + 1) + text + b"\0"


def package(file: bytes, label: str = "list.txt", unicode_names: bool = True) -> bytes:
    """Word's OLE 1.0 object for a file dropped into a document (class Package)."""
    temporary = f"C:\\Users\\x\\AppData\\Local\\Temp\\{label}".encode() + b"\0"
    native = b"\x02\x00" + label.encode() + b"\0" + f"C:\\{label}".encode() + b"\0" + \
        b"\x00\x00\x03\x00" + struct.pack("<I", len(temporary)) + temporary + \
        struct.pack("<I", len(file)) + file
    if unicode_names:
        for name in (temporary[:-1].decode(), label, f"C:\\{label}"):
            native += struct.pack("<I", len(name)) + name.encode("utf-16-le")
    return struct.pack("<II", 0x0501, 2) + _string(b"Package") + _string(b"") + \
        _string(b"") + struct.pack("<I", len(native)) + native + b"presentation"


def rtf_with(objdata: bytes, text: str = "hello") -> bytes:
    return (b"{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\pard " + text.encode() + b"\\par"
            b"{\\object\\objemb{\\*\\objclass Package}\\objw100\\objh100{\\*\\objdata " +
            objdata + b"}{\\result{\\pard object\\par}}}\\pard after " + MOBILE.encode() +
            b"\\par}")


def _hex(data: bytes, width: int = 64) -> bytes:
    digits = binascii.hexlify(data)
    return b"\n".join(digits[i:i + width] for i in range(0, len(digits), width))


FILE = f"姓名,身份证\n张三,{ID}\n".encode()
CASES = [
    (_hex(package(FILE)), {ID_M, MOBILE_M}, "a file dropped into the letter (e03)"),
    (_hex(package(FILE, unicode_names=False)), {ID_M, MOBILE_M},
     "an older Packager record: no UTF-16 names after the file"),
    (_hex(package(b"ok\n", label=f"{ID2}.txt")), {ID2_M, MOBILE_M},
     "the number is the file's name (its label and paths), not its content"),
    (_hex(package(FILE)).replace(b"\n", b"{}\\par\n"), {ID_M, MOBILE_M},
     "the digits broken by empty groups and control words (RTF readers skip them)"),
    (_hex(package(FILE)).upper(), {ID_M, MOBILE_M}, "upper-case digits"),
]


@pytest.mark.parametrize("objdata, expected, reason", CASES, ids=[c[2] for c in CASES])
def test_a_file_embedded_in_an_rtf_is_read_and_redacted(tmp_path: Path, objdata: bytes,
                                                        expected: set[str],
                                                        reason: str) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "letter.rtf").write_bytes(rtf_with(objdata))
    result = scan_path(tmp_path / "src")
    assert {i.finding.masked for i in result.findings} == expected, reason
    assert not result.errors, (reason, result.errors)
    report = redact(tmp_path / "src", tmp_path / "out")
    assert report.status == "verified", (reason, report.to_dict())
    copy = (tmp_path / "out" / "letter.rtf").read_bytes()
    objects = list(rtf_objects(copy))
    assert len(objects) == 1, reason
    kept = embedded(objects[0].data)
    assert kept.file is not None and ID.encode() not in kept.file, reason
    assert b"ok" in kept.file or "张三".encode() in kept.file, "the rest of the file kept"
    assert not any(ID2 in name for name in kept.names), reason
    assert kept.tail == b"presentation", "the object's picture kept"
    assert MOBILE.encode() not in copy and b"hello" in copy


BROKEN = [
    (_hex(package(FILE))[:200], "cut short: the object's data ends before its size"),
    (b"0105000001000000" + binascii.hexlify(_string(b"Package") * 3), "a linked object"),
    (b"\\bin8 \x05\x01\x00\x00\x02\x00\x00\x00", "object data given as \\bin bytes"),
]


@pytest.mark.parametrize("objdata, reason", BROKEN, ids=[c[1] for c in BROKEN])
def test_an_object_that_cannot_be_read_is_an_error_and_the_rest_is_read(
        tmp_path: Path, objdata: bytes, reason: str) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "letter.rtf").write_bytes(rtf_with(objdata, text=f"sfz {ID}"))
    result = scan_path(tmp_path / "src")
    assert {i.finding.masked for i in result.findings} == {ID_M, MOBILE_M}, reason
    assert len(result.errors) == 1 and "object 1" in str(result.errors[0]), reason
    report = redact(tmp_path / "src", tmp_path / "out")
    assert report.status != "verified", (reason, report.to_dict())
    assert ID.encode() not in (tmp_path / "out" / "letter.rtf").read_bytes()


def test_an_object_that_is_not_a_package_is_recorded_not_passed_over(tmp_path: Path) -> None:
    """A Word document embedded as an OLE2 compound file: not read here (legacy Office),
    so it is a member skipped with its reason, never nothing."""
    cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    data = struct.pack("<II", 0x0501, 2) + _string(b"Word.Document.8") + _string(b"") + \
        _string(b"") + struct.pack("<I", len(cfb)) + cfb
    (tmp_path / "letter.rtf").write_bytes(rtf_with(_hex(data)))
    result = scan_path(tmp_path)
    assert {i.finding.masked for i in result.findings} == {MOBILE_M}
    assert len(result.skipped) == 1 and "object-1" in str(result.skipped[0]), result.skipped


def test_many_marks_inside_one_group_are_its_data_not_groups() -> None:
    """Marks repeated inside one object's data are read once, not each to the group's end
    (which would be quadratic)."""
    source = b"{\\rtf1{\\*\\objdata " + b"\\objdata 00" * 50_000 + b"}}"
    assert len(list(rtf_objects(source))) == 1
