"""Cases an independent check found (a tester who read the README, not the code).

Each was a silent gap or a crash; each row says what was seen and what must hold now.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import Image

from notforsale import scan_text
from notforsale.demo import _astronaut
from notforsale.redact.tree import redact
from notforsale.scan import scan_path
from tests import builders as b

ID, ID_M = "110101199003071233", "110101********1233"
MOBILE, MOBILE_M = "13812345678", "+86 138****5678"


def _masks(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {item.finding.masked for item in result.findings if item.finding.type != "FACE"}


def _forwarded() -> bytes:
    inner = EmailMessage()
    inner["From"] = "original.sender@example.com"
    inner["To"] = "victim@example.org"
    inner["Subject"] = f"资料 {MOBILE}"
    inner.set_content(f"身份证 {ID}")
    outer = EmailMessage()
    outer["From"] = "fwd@example.net"
    outer["Subject"] = "Fwd"
    outer.set_content("see below")
    outer.add_attachment(inner)
    return outer.as_bytes()


def _fts_db() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chat.db"
        connection = sqlite3.connect(path)
        connection.execute("CREATE VIRTUAL TABLE messages USING fts5(body)")
        connection.execute("INSERT INTO messages(body) VALUES (?)", (f"手机 {MOBILE} 身份证 {ID}",))
        connection.commit()
        connection.close()
        return path.read_bytes()


def _tiff_pages() -> bytes:
    first = b.document_image(["page one"], (800, 600))
    second = b.document_image([f"CITIZEN ID NO. {ID}"], (800, 600))
    out = io.BytesIO()
    first.save(out, format="TIFF", save_all=True, append_images=[second])
    return out.getvalue()


CASES = [
    # (file, bytes, masked values that must be found, what was seen)
    ("page.html", f"<html><body><script>var id = '{ID}';</script></body></html>".encode(),
     {ID_M}, "a number in a <script> string was not read, and stayed in the copy"),
    ("fwd.eml", _forwarded(),
     {"f**@example.net", "o**************@example.com", "v*****@example.org", MOBILE_M, ID_M},
     "a forwarded message's own headers were neither read nor masked"),
    ("short.txt", b"mail c@example.net\n", {"*@example.net"},
     "a one-letter local part was found but never masked"),
    ("chat.db", _fts_db(), {MOBILE_M, ID_M},
     "a full-text index kept the raw text after redaction"),
    ("keys.json", json.dumps({MOBILE: "x"}).encode(), {MOBILE_M},
     "a JSON key holding a number was not reported"),
    ("notes", f"手机 {MOBILE}".encode("utf-16"), {MOBILE_M},
     "UTF-16 text with a BOM and no suffix was skipped as binary"),
    ("scan.tiff", _tiff_pages(), {ID_M}, "page 2 of a TIFF was not read"),
]


@pytest.mark.parametrize(("name", "data", "expected", "seen"), CASES, ids=[c[3] for c in CASES])
def test_read_and_redacted(tmp_path: Path, name: str, data: bytes, expected: set[str],
                           seen: str) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / name).write_bytes(data)
    result = scan_path(source)
    assert expected <= _masks(result), (seen, _masks(result))
    report = redact(source, tmp_path / "out")
    assert report.status == "verified", (seen, report.to_dict()["left_over"], report.not_checked)
    copy = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    for value in (ID, MOBILE, "c@example.net", "original.sender@example.com"):
        assert value.encode() not in copy and value.encode("utf-16-le") not in copy, seen


def test_header_names_keep_their_case_in_a_redacted_mail(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.eml").write_bytes(b.eml("x", sender="zhang.san@example.com"))
    redact(tmp_path / "src", tmp_path / "out")
    text = (tmp_path / "out" / "m.eml").read_text(encoding="utf-8")
    assert "From: z********@example.com" in text and "from:" not in text


def test_a_folder_named_by_an_id_is_a_finding_and_ties_its_photos(tmp_path: Path) -> None:
    folder = tmp_path / "pack" / ID
    folder.mkdir(parents=True)
    photo = io.BytesIO()
    _astronaut().save(photo, format="JPEG")
    (folder / "1.jpg").write_bytes(photo.getvalue())
    result = scan_path(tmp_path / "pack")
    names = [i for i in result.findings if i.location.field == "folder name"]
    assert [i.finding.masked for i in names] == [ID_M]
    assert len(result.profiles) == 1
    assert result.profiles[0].links == ("number in the folder's name",)


def test_names_of_files_that_fail_to_read_are_still_findings(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / f"{ID}.7z"
    path.write_bytes(b"7z\xbc\xaf\x27\x1c broken")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(f"{MOBILE}.txt", b"x")
    data = bytearray(out.getvalue())
    for signature, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # flag it encrypted
        position = data.find(signature)
        data[position + at] |= 1
    (tmp_path / "locked.zip").write_bytes(bytes(data))
    result = scan_path(tmp_path)
    assert {ID_M, MOBILE_M} <= _masks(result)


def test_an_id_with_a_wrong_check_character_is_not_a_bank_card() -> None:
    """620102199003071000 passes Luhn; as an ID it fails its check character. It is not
    reported as a card unless a card's own label stands before it."""
    assert scan_text("身份证号 620102199003071000") == []
    assert [f.type for f in scan_text("卡号 620102199003071000")] == ["BANK_CARD"]


def test_a_multi_page_tiff_keeps_its_pages_in_the_copy(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "scan.tiff").write_bytes(_tiff_pages())
    redact(tmp_path / "src", tmp_path / "out")
    assert Image.open(tmp_path / "out" / "scan.tiff").n_frames == 2


def test_scan_exit_code_says_when_nothing_found_is_not_clean(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from notforsale.cli import app

    (tmp_path / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    (tmp_path / "a.txt").write_text("nothing here", encoding="utf-8")
    assert CliRunner().invoke(app, ["scan", str(tmp_path)]).exit_code == 3
    assert CliRunner().invoke(app, ["scan", str(tmp_path / "a.txt")]).exit_code == 0


def test_redact_a_pdf_to_a_pdf_name_writes_that_file(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b.text_pdf([f"ID {ID}"]))
    report = redact(tmp_path / "a.pdf", tmp_path / "b.pdf")
    assert (tmp_path / "b.pdf").is_file() and report.status == "verified"


def test_an_attachments_faces_are_counted_once(tmp_path: Path) -> None:
    from tests.read.test_formats import face_png

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.eml").write_bytes(b.eml("x", {"p.png": face_png()}))
    report = redact(tmp_path / "src", tmp_path / "out")
    faces = {c.path: c.faces for c in report.files}
    assert sum(faces.values()) == report.summary()["faces_covered"]
    assert faces["m.eml"] == 0 and faces["m.eml!/p.png"] >= 1


def test_a_folder_renamed_in_the_copy_counts_as_a_name_masked(tmp_path: Path) -> None:
    (tmp_path / "src" / MOBILE).mkdir(parents=True)
    (tmp_path / "src" / MOBILE / "a.txt").write_text("x", encoding="utf-8")
    report = redact(tmp_path / "src", tmp_path / "out")
    assert report.summary()["names_masked"] == 1


def test_a_corrupt_zip_is_not_copied_as_an_empty_zip(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "x.zip").write_bytes(b"PK\x03\x04 broken")
    report = redact(tmp_path / "src", tmp_path / "out")
    assert not (tmp_path / "out" / "x.zip").exists()
    assert report.status == "unverified"
