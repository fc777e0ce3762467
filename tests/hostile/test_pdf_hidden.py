"""Numbers a PDF keeps where no viewer shows them on a page (issue 11, an independent
hostile tester: the copy was said verified while holding them).

Each PDF is built here by hand: an orphan object, an outline title, XMP metadata,
JavaScript, an earlier revision's page content, data after the last ``%%EOF``. Each must
be found, the copy verified, and the raw value gone from its bytes; a plain PDF's page
text is still reported once.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import pytest

from notforsale.read.pdf import hides_anything
from notforsale.redact.tree import redact
from notforsale.scan import scan_path
from tests import builders as b
from tests.hostile.makers import pdf_of

ID, ID_M = "110101199003071233", "110101********1233"
MOBILE, MOBILE_M = "13812345678", "+86 138****5678"


def _pdf(objects: list[bytes], tail: bytes = b"") -> bytes:
    """Objects 1.. (bodies as given) with a classic xref table, then ``tail``."""
    return pdf_of(objects) + tail


def _stream(data: bytes, extra: bytes = b"", flate: bool = False) -> bytes:
    if flate:
        data, extra = zlib.compress(data), extra + b" /Filter /FlateDecode"
    return b"<< /Length %d" % len(data) + extra + b" >>\nstream\n" + data + b"\nendstream"


_FONT = b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"


def _page_pdf(text: bytes, catalog_extra: bytes = b"", more: list[bytes] | None = None,
              tail: bytes = b"") -> bytes:
    """Catalog 1, pages 2, page 3, content 4, then ``more`` (objects 5..)."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                 + _FONT + b" >>",
                 _stream(b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET")] + (more or []),
                tail=tail)


def _utf16_hex(text: str) -> bytes:
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _incremental(new: bytes = b"nothing to see") -> bytes:
    """Revision 1 shows the ID on its page; revision 2 replaces the page's content
    stream (object 4) with harmless text: the old object stays in the file's bytes."""
    first = _page_pdf(f"ID No. {ID}".encode())
    start = first.rfind(b"startxref\n") + len(b"startxref\n")
    previous = int(first[start:first.index(b"\n", start)])
    at = len(first)
    body = b"4 0 obj\n" + _stream(b"BT /F1 12 Tf 72 720 Td (" + new + b") Tj ET") \
        + b"\nendobj\n"
    xref = at + len(body)
    update = body + b"xref\n4 1\n%010d 00000 n \n" % at + \
        b"trailer\n<< /Size 5 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
            previous, xref)
    return first + update


def _zip_with_id() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("note.txt", f"身份证 {ID}\n".encode())
    return out.getvalue()


_XMP = (f'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>身份证 {ID}'
        f'</dc:description></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
        ).encode()

CASES = [
    # (name, bytes, masked values to find, where the value hides)
    ("orphan.pdf", _page_pdf(b"hello", more=[f"(ID No. {ID})".encode()]), {ID_M},
     "a string object no page or catalog references"),
    ("orphan-stream.pdf", _page_pdf(b"hello", more=[_stream(f"ID No. {ID}".encode(),
                                                            flate=True)]), {ID_M},
     "a compressed stream object nobody references"),
    ("outline.pdf", _page_pdf(b"hello", b" /Outlines 5 0 R", [
        b"<< /Type /Outlines /First 6 0 R /Last 6 0 R /Count 1 >>",
        f"<< /Title (ID No. {ID}) /Parent 5 0 R /Dest [3 0 R /Fit] >>".encode()]), {ID_M},
     "an outline (bookmark) title"),
    ("outline16.pdf", _page_pdf(b"hello", b" /Outlines 5 0 R", [
        b"<< /Type /Outlines /First 6 0 R /Last 6 0 R /Count 1 >>",
        b"<< /Title " + _utf16_hex(f"身份证 {ID}") + b" /Parent 5 0 R /Dest [3 0 R /Fit] >>"]),
     {ID_M}, "an outline title as a UTF-16BE hex string"),
    ("xmp.pdf", _page_pdf(b"hello", b" /Metadata 5 0 R", [
        _stream(_XMP, b" /Type /Metadata /Subtype /XML", flate=True)]), {ID_M},
     "the catalog's XMP metadata, Flate-compressed"),
    ("js.pdf", _page_pdf(b"hello", f" /OpenAction << /S /JavaScript /JS (app.alert\\('"
                                   f"{MOBILE}'\\);) >>".encode()), {MOBILE_M},
     "a JavaScript action's string"),
    ("js-stream.pdf", _page_pdf(b"hello", b" /OpenAction << /S /JavaScript /JS 5 0 R >>", [
        _stream(f"var phone = '{MOBILE}'; app.alert(phone);".encode())]), {MOBILE_M},
     "a JavaScript action's stream"),
    ("revised.pdf", _incremental(), {ID_M}, "an earlier revision's page content"),
    ("zip-after.pdf", _page_pdf(b"hello", tail=_zip_with_id()), {ID_M},
     "a zip archive appended after %%EOF"),
    ("text-after.pdf", _page_pdf(b"hello", tail=f"call me {MOBILE}\n".encode()), {MOBILE_M},
     "plain text appended after %%EOF"),
]


def _masks(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [item.finding.masked for item in result.findings if item.finding.type != "FACE"]


@pytest.mark.parametrize(("name", "data", "expected", "where"), CASES, ids=[c[0] for c in CASES])
def test_a_hidden_number_is_found_and_gone_from_a_verified_copy(
        tmp_path: Path, name: str, data: bytes, expected: set[str], where: str) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / name).write_bytes(data)
    result = scan_path(source)
    assert expected <= set(_masks(result)), (where, _masks(result))
    for item in result.findings:  # a location never holds a raw value
        assert ID not in str(item.location) and MOBILE not in str(item.location)
    report = redact(source, tmp_path / "out")
    assert report.status == "verified", (where, report.to_dict()["left_over"],
                                         report.not_checked)
    copy = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    written = (tmp_path / "out" / name).read_bytes()  # rasterized: nothing left to sweep
    assert written != data and not hides_anything(written, 1 << 28), where
    assert written.count(b"%%EOF") == 1, where
    for value in (ID, MOBILE):
        for form in (value.encode(), value.encode("utf-16-be"), value.encode("utf-16-le")):
            assert form not in copy, where


def test_page_text_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b.text_pdf([f"ID No. {ID}", "page two"]))
    result = scan_path(tmp_path)
    assert _masks(result) == [ID_M]


def test_a_plain_pdf_is_still_copied_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    data = b.text_pdf(["nothing here", "nor here"])
    (source / "a.pdf").write_bytes(data)
    report = redact(source, tmp_path / "out")
    assert report.status == "verified"
    assert (tmp_path / "out" / "a.pdf").read_bytes() == data


def test_an_earlier_revision_showing_the_current_number_is_not_reported_twice(
        tmp_path: Path) -> None:
    """Revision 2 moves the same ID to a new content stream: the old one holds it too,
    but the page shows it, so it is reported once, from the page."""
    (tmp_path / "a.pdf").write_bytes(_incremental(f"ID No. {ID}".encode()))
    assert _masks(scan_path(tmp_path)) == [ID_M]


def test_a_script_also_named_a_font_program_is_still_read(tmp_path: Path) -> None:
    """A stream is left out as a font or a colour profile only when nothing else refers
    to it: a JavaScript stream also listed as a font file is read."""
    data = _page_pdf(b"hello", b" /X [/ICCBased 5 0 R] /OpenAction << /S /JavaScript /JS 5 0"
                               b" R >>", [_stream(f"var phone = '{MOBILE}';".encode())])
    (tmp_path / "a.pdf").write_bytes(data)
    assert MOBILE_M in _masks(scan_path(tmp_path))


def test_a_pdf_of_many_objects_is_swept_up_to_a_bound_and_says_so(tmp_path: Path) -> None:
    from notforsale.read import pdf

    more = [b"null"] * (pdf.MAX_SWEPT_OBJECTS + 10)
    (tmp_path / "a.pdf").write_bytes(_page_pdf(b"hello", more=more))
    result = scan_path(tmp_path)
    assert any("more than" in error.message for error in result.errors)


def test_a_string_inside_a_compressed_object_stream_is_found(tmp_path: Path) -> None:
    inner = f"<< /Title (ID No. {ID}) /Parent 9 0 R >>".encode()
    header = b"7 0 "
    objstm = _stream(header + inner, b" /Type /ObjStm /N 1 /First %d" % len(header),
                     flate=True)
    (tmp_path / "a.pdf").write_bytes(_page_pdf(b"hello", more=[objstm]))
    result = scan_path(tmp_path)
    assert ID_M in _masks(result)
    assert [i.location.field for i in result.findings] == ["orphan object: outline title"]


def test_a_number_after_a_megabyte_of_strings_in_one_object_is_found(tmp_path: Path) -> None:
    junk = b" ".join([b"(" + b"x" * 1000 + b")"] * 1100)
    body = b"[" + junk + f" (ID No. {ID})]".encode()
    (tmp_path / "a.pdf").write_bytes(_page_pdf(b"hello", more=[body]))
    assert ID_M in _masks(scan_path(tmp_path))
