"""Every document format people keep is read: its text with locations, its embedded images.

One table, one row per format: the file (built with the tools users have), what must be
found in it (masked), where, and why the case matters. The numbers are made up.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from notforsale.demo import _astronaut, id_card_image
from notforsale.model import FACE, ScanResult
from notforsale.read.formats import candidates
from notforsale.read.member import member_at
from notforsale.scan import ScanOptions, scan_path
from tests import builders as b

ID, MOBILE, CARD = "110101199003071233", "13812345678", "6222021234567890128"
ID_M, MOBILE_M, CARD_M = "110101********1233", "+86 138****5678", "622202*********0128"
ID2, ID2_M = "440305198512310026", "440305********0026"


def face_png() -> bytes:
    return b.png(_astronaut().resize((256, 256)))


def card_png() -> bytes:
    return id_card_image(_astronaut(), ID2)


Case = tuple[str, Callable[[], bytes], set[str], int, str]

CASES: list[Case] = [
    # (file name, builder, masked values found, faces, why)
    ("a.docx", lambda: b.docx([f"身份证号 {ID}", ["手机 138", "1234", "5678"]]),
     {ID_M, MOBILE_M}, 0, "Word: a number split over three runs is still one number"),
    ("b.docx", lambda: b.docx(["资料"], table=[["姓名", "身份证号", "银行卡"],
                                               ["张三", ID, CARD]]),
     {ID_M, CARD_M}, 0, "Word table: cells with their column header as context"),
    ("c.docx", lambda: b.docx(["见附图"], images=[face_png()]), set(), 1,
     "Word: a pasted photo goes through face detection"),
    ("d.docx", lambda: b.docx(["证件"], images=[card_png()]), {ID2_M}, 1,
     "Word: a pasted ID-card scan goes through OCR too"),
    ("e.pptx", lambda: b.pptx([["第一页"], [f"身份证 {ID}", f"手机 {MOBILE}"]]),
     {ID_M, MOBILE_M}, 0, "PowerPoint: text boxes on every slide"),
    ("f.pptx", lambda: b.pptx([["照片"]], images={0: face_png()}), set(), 1,
     "PowerPoint: pictures on a slide"),
    ("g.odt", lambda: b.odt([f"身份证号：{ID}", f"手机：{MOBILE}"], image=face_png()),
     {ID_M, MOBILE_M}, 1, "OpenDocument text: spans joined, pictures read"),
    ("h.ods", lambda: b.ods([["身份证号", "手机"], [ID, MOBILE]]), {ID_M, MOBILE_M}, 0,
     "OpenDocument spreadsheet: rows and a header"),
    ("i.odp", lambda: b.odp([[f"卡号 {CARD}"]]), {CARD_M}, 0,
     "OpenDocument presentation: frames"),
    ("f2.xlsx", lambda: b.xlsx_with_extras(f"手机 {MOBILE}", f"ID {ID}",
                                           "mailto:zhang.san@example.com"),
     {MOBILE_M, ID_M, "z********@example.com"}, 0,
     "xlsx: a cell comment, the page header and a mailto: hyperlink, outside the cells"),
    ("j.xls", lambda: b.xls([["sfz", "sjh"], [ID, MOBILE]]), {ID_M, MOBILE_M}, 0,
     "legacy Excel: the mobile typed as a number"),
    ("k.rtf", lambda: b.rtf([f"身份证号 {ID}", f"电话 {MOBILE}"], image=face_png()),
     {ID_M, MOBILE_M}, 1, "RTF: Chinese as \\u escapes, a picture as hex"),
    ("l.epub", lambda: b.epub([f"手机 {MOBILE}", f"卡号 {CARD}"], image=face_png()),
     {MOBILE_M, CARD_M}, 1, "EPUB: chapters and images"),
    ("m.eml", lambda: b.eml(f"身份证 {ID}", {"photo.png": face_png()}),
     {ID_M, "s*****@example.com", "b****@example.org"}, 1,
     "e-mail: headers, body, and the attachment read like an archive member"),
    ("n.mbox", lambda: b.mbox([b.eml(f"手机 {MOBILE}"), b.eml(f"卡号 {CARD}")]),
     {MOBILE_M, CARD_M, "s*****@example.com", "b****@example.org"}, 0,
     "mailbox: every message, and the envelope lines"),
    ("o.sql", lambda: b.sql_dump("users", ["id", "idcard", "mobile"],
                                 [["1", ID, MOBILE], ["2", ID2, "13912345678"]]),
     {ID_M, MOBILE_M, ID2_M, "+86 139****5678"}, 0, "SQL dump: INSERT rows with columns"),
    ("p.sql", lambda: b.sql_dump("users", ["id", "idcard"], [["1", ID]], with_columns=False),
     {ID_M}, 0, "SQL dump without a column list: names from CREATE TABLE"),
    ("q.db", lambda: b.sqlite_db("users", ["id", "idcard", "mobile", "photo"],
                                 [[1, ID, int(MOBILE), face_png()]]),
     {ID_M, MOBILE_M}, 1, "SQLite: every table's rows, a photo in a BLOB"),
    ("r.pdf", lambda: b.text_pdf([f"ID {ID} mobile {MOBILE}"]), {ID_M, MOBILE_M}, 0,
     "PDF text layer"),
    ("s.pdf", lambda: b.scanned_pdf([b.document_image([f"CITIZEN ID NO. {ID2}"])]),
     {ID2_M}, 0, "scanned PDF: the page is rendered and read by OCR"),
    ("r2.pdf", lambda: b.pdf_with_annotation(f"手机 {MOBILE}"), {MOBILE_M}, 0,
     "PDF annotation (a sticky note): its text is read (reading it once crashed the scan)"),
    ("u.jpg", lambda: b.jpeg_with_comment(_astronaut(), f"身份证 {ID}"), {ID_M}, 1,
     "a JPEG comment segment holds a number (Pillow kept writing it into copies)"),
    ("v.png", lambda: b.png_with_text(_astronaut(), "Description", f"手机 {MOBILE}"), {MOBILE_M},
     1, "PNG text chunks"),
    ("t.html", lambda: "<html><body><p>身份证<b>1101011990</b>03071233</p></body></html>"
     .encode(), {ID_M}, 0, "HTML: a number split by markup"),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ScanResult]:
    folder = tmp_path_factory.mktemp("formats")
    out = {}
    for name, build, *_ in CASES:
        (folder / name).write_bytes(build())
        out[name] = scan_path(folder / name, ScanOptions(ocr="auto"))
    return out


@pytest.mark.parametrize(("name", "expected", "faces"),
                         [(c[0], c[2], c[3]) for c in CASES], ids=[c[4] for c in CASES])
def test_format_is_read(results: dict[str, ScanResult], name: str, expected: set[str],
                        faces: int) -> None:
    result = results[name]
    summary = result.summary()
    found = {item.finding.masked for item in result.findings if item.finding.type != FACE}
    assert found == expected, [str(item.location) for item in result.findings]
    assert summary["faces"] == faces
    # Embedded parts are not counted as files; an e-mail's attachment is a file of its own.
    assert summary["files"] == (2 if name == "m.eml" else 1)
    assert summary["skipped"] == 0 and summary["errors"] == 0, (result.errors, result.skipped)


def test_locations_say_where_in_the_document(results: dict[str, ScanResult]) -> None:
    def where(name: str) -> set[str]:
        return {str(i.location).split("/")[-1] for i in results[name].findings
                if i.finding.type != FACE}

    assert any("paragraph 2" in w for w in where("a.docx"))
    assert any("table 1" in w and "row 2" in w and "[身份证号]" in w for w in where("b.docx"))
    assert any("slide 2" in w for w in where("e.pptx"))
    assert any("row 2" in w and "[users.idcard]" in w for w in where("o.sql"))
    assert any("[users.idcard]" in w for w in where("p.sql"))
    assert any("page 1" in w for w in where("r.pdf"))
    assert any("header" in w or "body" in w for w in where("m.eml"))


def test_embedded_images_are_named_under_their_document(results: dict[str, ScanResult]
                                                        ) -> None:
    faces = [i.location.path for i in results["c.docx"].findings if i.finding.type == FACE]
    assert faces and faces[0].endswith("c.docx!/word/media/image1.png")
    attachment = [i.location.path for i in results["m.eml"].findings if i.finding.type == FACE]
    assert attachment[0].endswith("m.eml!/photo.png")


@pytest.mark.parametrize(("name", "head", "expected"), [
    ("notes.txt", b"7z\xbc\xaf\x27\x1c rest", ["7z", "text"]),
    ("list.csv", b"PK\x03\x04 not a zip", ["zip", "csv"]),
    ("report.docx", b"PK\x03\x04", ["docx"]),
    ("photo.jpg", b"PK\x03\x04", ["zip", "image"]),
    ("movie.mp4", b"\x00\x00\x00\x18ftypmp42", ["video"]),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ["ole"]),
    ("data.bin", b"\x00\x01\x02", ["unknown"]),
    ("noext", "身份证 110101".encode(), ["text"]),
])
def test_formats_are_told_by_magic_then_suffix(name: str, head: bytes, expected: list[str]
                                               ) -> None:
    """Magic first (a zip renamed .jpg is still a zip), the suffix next (tried when the
    magic's format cannot read the bytes), text when nothing else fits."""
    member = member_at(name, head + b"\n" * 600, b"k")
    assert [fmt.name for fmt in candidates(member)] == expected


def test_files_not_understood_are_skipped_and_named(tmp_path: Path) -> None:
    (tmp_path / "movie.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02")
    (tmp_path / "notes.txt").write_text(f"手机 {MOBILE}", encoding="utf-8")
    result = scan_path(tmp_path)
    summary = result.summary()
    # The .mp4 is read as a video; with a header and nothing else it cannot be decoded.
    assert (summary["files"], summary["skipped"], summary["errors"]) == (1, 2, 1)
    assert {(s.path.rsplit("/", 1)[-1], s.format) for s in result.skipped} == {
        ("old.doc", "OLE2 compound file (legacy .doc, .ppt, .msg, Thumbs.db)"),
        ("blob.bin", "unknown binary format")}
    assert result.errors[0].path.endswith("movie.mp4")
    assert result.to_dict()["skipped"][0].keys() == {"path", "format", "reason"}


def test_a_csv_that_starts_like_a_zip_is_still_read(tmp_path: Path) -> None:
    (tmp_path / "list.csv").write_bytes(b"PK\x03\x04," + f"{ID}\n".encode())
    result = scan_path(tmp_path / "list.csv")
    assert {i.finding.masked for i in result.findings} == {ID_M}
    assert result.summary()["errors"] == 0


def test_a_broken_part_is_an_error_and_the_rest_is_read(tmp_path: Path) -> None:
    data = b.docx([f"身份证号 {ID}"], images=[face_png()])
    # Corrupt the embedded picture only.
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, b"\x89PNG broken" if info.filename.endswith(".png")
                            else content)
    (tmp_path / "x.docx").write_bytes(out.getvalue())
    result = scan_path(tmp_path / "x.docx")
    assert {i.finding.masked for i in result.findings} == {ID_M}
    assert len(result.errors) == 1 and "image1.png" in result.errors[0].path
    assert Image  # the picture was a PNG before it was broken
