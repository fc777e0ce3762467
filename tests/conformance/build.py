"""The conformance pack: every format the scanner reads, each holding its own made-up person.

``expected.json`` beside this file gives the summary written by hand from this recipe:

===========  =================================================  ============================
file         what is in it                                      counted
===========  =================================================  ============================
a.txt        ID 1                                               1 ID
b.csv        header; a row with ID 2 and a mobile               1 ID, 1 phone
c.tsv        ID 3                                               1 ID
d.json       ID 4                                               1 ID
e.jsonl      ID 5                                               1 ID
f.xlsx       ID 6                                               1 ID
g.xls        a name only (legacy .xls cannot be rewritten)      —
h.docx       ID 8; a photo in a paragraph of its own; the         1 ID, 2 images, 1 face
             template's first-page thumbnail
i.pptx       ID 9; the template's thumbnail                      1 ID, 1 image
j.odt        ID 10                                              1 ID
k.ods        ID 11                                              1 ID
l.odp        ID 12                                              1 ID
m.rtf        ID 13                                              1 ID
n.epub       ID 14                                              1 ID
o.eml        ID 15; To buyer@example.org                        1 ID, e-mail 1
p.mbox       one message: ID 16; seller@ and buyer@             1 ID, e-mail 2
q.sql        ID 17                                              1 ID
r.db         ID 18                                              1 ID
s.pdf        text layer: ID 19                                  1 ID
t.pdf        a scanned page: ID 20 (OCR)                        1 ID, 1 image
u.html       ID 21                                              1 ID
v.jpg        a portrait, no number                              1 image, 1 face
w.png        an ID card: portrait and ID 22                     1 ID, 1 image, 1 face, profile
===========  =================================================  ============================
"""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from stdnum.cn import ric

from notforsale.demo import _astronaut, id_card_image, jpeg_bytes
from tests import builders as b

HERE = Path(__file__).parent


def person_id(n: int) -> str:
    body = f"3101151980{(n % 12) + 1:02d}{(n % 27) + 1:02d}{n:03d}"
    return body + ric.calc_check_digit(body + "0")


MOBILE = "13912345678"


def build(root: Path) -> Path:
    """Write the pack under ``root`` (created) and return it."""
    root.mkdir(parents=True)
    photo = b.png(_astronaut().resize((300, 300)))
    files: dict[str, bytes] = {
        "a.txt": f"身份证号：{person_id(1)}\n".encode(),
        "b.csv": f"身份证号,手机\r\n{person_id(2)},{MOBILE}\r\n".encode("gbk"),
        "c.tsv": f"name\tid\nx\t{person_id(3)}\n".encode(),
        "d.json": json.dumps({"people": [{"idcard": person_id(4)}]}).encode(),
        "e.jsonl": (json.dumps({"sfz": person_id(5)}) + "\n").encode(),
        "f.xlsx": b.xlsx([["身份证号"], [person_id(6)]]),
        "g.xls": b.xls([["姓名"], ["张三"]]),
        "h.docx": b.docx([f"身份证号 {person_id(8)}"], images=[photo]),
        "i.pptx": b.pptx([[f"身份证 {person_id(9)}"]]),
        "j.odt": b.odt([f"身份证号：{person_id(10)}"]),
        "k.ods": b.ods([["身份证号"], [person_id(11)]]),
        "l.odp": b.odp([[f"身份证 {person_id(12)}"]]),
        "m.rtf": b.rtf([f"身份证号 {person_id(13)}"]),
        "n.epub": b.epub([f"身份证 {person_id(14)}"]),
        "o.eml": b.eml(f"身份证 {person_id(15)}", sender=""),
        "p.mbox": b.mbox([b.eml(f"身份证 {person_id(16)}")]),
        "q.sql": b.sql_dump("users", ["id", "idcard"], [["1", person_id(17)]]),
        "r.db": b.sqlite_db("users", ["idcard"], [[person_id(18)]]),
        "s.pdf": b.text_pdf([f"ID {person_id(19)}"]),
        "t.pdf": b.scanned_pdf([b.document_image([f"CITIZEN ID NO. {person_id(20)}"])]),
        "u.html": f"<html><body><p>身份证 {person_id(21)}</p></body></html>".encode(),
        "v.jpg": jpeg_bytes(_astronaut()),
        "w.png": id_card_image(_astronaut(), person_id(22)),
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


def add_unrewritable(root: Path) -> None:
    """A legacy .xls that holds an ID: read, but it cannot be rewritten here."""
    (root / "extra.xls").write_bytes(b.xls([["身份证号"], [person_id(23)]]))


def add_unknown(root: Path) -> None:
    """Files whose format is not read: a legacy Word file and a video."""
    (root / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    (root / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 512)


def expected() -> dict[str, object]:
    data: dict[str, object] = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    return data


__all__ = ["Image", "build", "add_unrewritable", "add_unknown", "expected", "person_id"]
