"""Cases from the twelfth held-out hostile set (a tester who read only the README), each
a test that failed before its fix."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from notforsale.redact.tree import redact
from notforsale.scan import scan_path

ID, ID_M = "110101199003071233", "110101********1233"
ID2, ID2_M = "110105195609096969", "110105********6969"
MOBILE, MOBILE_M = "13812345678", "+86 138****5678"


def _tar(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _damaged(data: bytes, name: bytes) -> bytes:
    """``data`` with the checksum of the header naming ``name`` broken."""
    raw = bytearray(data)
    at = raw.find(name)
    assert at >= 0 and at % 512 == 0
    raw[at + 148:at + 156] = b"0000000\x00"
    return bytes(raw)


@pytest.mark.parametrize("compress", ["", "gz"])
def test_members_after_a_damaged_tar_header_are_read(tmp_path: Path, compress: str) -> None:
    """f38: one header with a broken checksum mid-archive ended the tar there (GNU tar
    skips to the next good header: the members after it were lost, with no record)."""
    data = _damaged(_tar([("a.txt", f"sfz {ID}\n".encode()),
                          ("b.txt", b"lost\n" * 300),  # its data blocks are no headers
                          ("c.txt", f"tel {MOBILE}\n".encode()),
                          ("d.txt", f"sfz {ID2}\n".encode())]), b"b.txt")
    if compress:
        import gzip

        data = gzip.compress(data, mtime=0)
    name = "pack.tar" + (".gz" if compress else "")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / name).write_bytes(data)
    result = scan_path(tmp_path / "src")
    assert {i.finding.masked for i in result.findings} == {ID_M, MOBILE_M, ID2_M}
    assert len(result.errors) == 1 and "damaged header" in result.errors[0].message, \
        result.errors
    report = redact(tmp_path / "src", tmp_path / "out")
    assert report.status != "verified", "a member was not read: the copy cannot be verified"
    for path in (tmp_path / "out").rglob("*"):
        assert not path.is_file() or ID.encode() not in path.read_bytes()


def test_a_tar_whose_first_header_is_damaged_is_not_read_as_a_tar(tmp_path: Path) -> None:
    data = _damaged(_tar([("a.txt", f"sfz {ID}\n".encode())]), b"a.txt")
    (tmp_path / "x.tar").write_bytes(data)
    result = scan_path(tmp_path)
    assert result.errors or result.skipped  # said, never silently nothing


def _pdf(pages: list[bytes], extra: bytes = b"") -> bytes:
    """A PDF of text pages, each ``pages[i]`` its content stream (font F1, Helvetica)."""
    from tests.hostile.makers import pdf_of

    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(len(pages)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(pages),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, content in enumerate(pages):
        objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
                    b" /Resources << /Font << /F1 3 0 R >> >> %s >>" % (5 + 2 * i, extra),
                    b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    return pdf_of(objects)


def _line(y: int, text: str) -> bytes:
    return b"BT /F1 12 Tf 72 %d Td (%s) Tj ET\n" % (y, text.encode())


def _copy_pages(path: Path) -> list[tuple[str, list[int]]]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        out = []
        for page in pdf:
            textpage = page.get_textpage()
            out.append((textpage.get_text_range(), [o.type for o in page.get_objects()]))
            textpage.close()
            page.close()
        return out
    finally:
        pdf.close()


def test_a_roster_of_text_pages_is_masked_in_its_text_not_drawn(tmp_path: Path) -> None:
    """f18: a 3,000-page roster with an ID on every page took over 60 s to redact (each
    page drawn, read by OCR, and read by OCR again in the check). Pages of text and shapes
    only are masked in their text layer: the objects drawing a number removed, a black box
    drawn; the copy keeps its text. Also a number drawn by two text objects."""
    pages = [_line(720, f"No. {n}") + _line(700, f"Name: Wang {n}") + _line(680, f"ID: {ID}")
             for n in range(1, 201)]
    pages.append(_line(720, "split") + b"BT /F1 12 Tf 72 700 Td (" + ID[:10].encode() +
                 b") Tj ET\nBT /F1 12 Tf 140 700 Td (" + ID[10:].encode() + b") Tj ET\n")
    pages.append(_line(720, "nothing to hide here"))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "roster.pdf").write_bytes(_pdf(pages))
    report = redact(tmp_path / "src", tmp_path / "out")
    assert report.status == "verified", report.to_dict()
    copy = _copy_pages(tmp_path / "out" / "roster.pdf")
    assert len(copy) == 202
    assert copy[0][0].startswith("No. 1") and "Name: Wang 1" in copy[0][0]
    assert all(ID not in text and ID[:10] not in text and ID[10:] not in text
               for text, _ in copy)
    assert all(3 not in types for _, types in copy), "no page drawn as a picture"  # image
    assert copy[-1][0] == "nothing to hide here"
    assert ID.encode() not in (tmp_path / "out" / "roster.pdf").read_bytes()


def test_a_text_page_with_a_picture_or_a_note_is_still_drawn(tmp_path: Path) -> None:
    """A page holding anything but text and shapes (here a note: an annotation) is drawn
    as a redacted picture, as before."""
    note = b"/Annots [<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /Contents (hi) >>]"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.pdf").write_bytes(_pdf([_line(700, f"ID: {ID}")], extra=note))
    report = redact(tmp_path / "src", tmp_path / "out")
    assert report.status == "verified", report.to_dict()
    [(text, types)] = _copy_pages(tmp_path / "out" / "a.pdf")
    assert text == "" and 3 in types  # a picture, no text layer


CHAR_CODES = [
    ("a.js", "var t = String.fromCharCode(" + ",".join(str(ord(c)) for c in MOBILE) + ");\n",
     {MOBILE_M}, "decimal codes (f30)"),
    ("b.js", "x=String.fromCharCode( " + ", ".join(hex(ord(c)) for c in ID)
     + " )\n", {ID_M}, "hexadecimal codes, blanks around them"),
    ("c.js", "String.fromCharCode(49, 50, 51)\n", set(), "three characters: no number"),
]


@pytest.mark.parametrize("name, content, expected, reason", CHAR_CODES,
                         ids=[c[3] for c in CHAR_CODES])
def test_numbers_built_from_character_codes_are_read_and_masked(
        tmp_path: Path, name: str, content: str, expected: set[str], reason: str) -> None:
    from tests.hostile.makers import scan_and_redact

    found, report = scan_and_redact(tmp_path, {name: content.encode()})
    assert found == expected, reason
    assert report.status == "verified", (reason, report.to_dict())  # type: ignore[attr-defined]
    copy = (tmp_path / "out" / name).read_text(encoding="utf-8")
    if expected:
        assert ",".join(str(ord(c)) for c in MOBILE[:6]) not in copy, copy
        assert "fromCharCode(" in copy, "written back as codes"
    else:
        assert copy == content
