"""A synthetic pack made from the shared photos, the way sellers lay theirs out."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from PIL import Image, ImageOps

from notforsale.demo import id_card_image, jpeg_bytes, zip_bytes
from tests.conftest import shared_faces

# Made-up people (valid check digits). Raw values live only in test fixtures.
ALICE = ("110101199003071233", "13812345678", "6222021234567890128")
BOB = ("440305198512310026", "15012345678", "6217001234567893")
CAROL = ("310115198001010016", "18612345678", "4111111111111111")
DAVE = ("510107200002290045", "17712345678", "5105105105105100")
RAW_VALUES = [v for person in (ALICE, BOB, CAROL, DAVE) for v in person]


# The demo's own builders: one way to draw a synthetic card, encode a photo, zip a batch.
jpeg = jpeg_bytes
zipped = zip_bytes
id_card = id_card_image


@pytest.fixture(scope="session")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    faces = shared_faces()
    astronaut = Image.open(faces / "astronaut.png").convert("RGB")
    root = tmp_path_factory.mktemp("seized") / "pack"
    (root / "faces").mkdir(parents=True)
    # Alice: photo + text file with the same stem -> a full kit.
    (root / "faces" / "0001.jpg").write_bytes(jpeg(astronaut))
    (root / "faces" / "0001.txt").write_text(
        f"身份证 {ALICE[0]}\n手机 {ALICE[1]}\n卡号 {ALICE[2]}\n", encoding="utf-8")
    # Bob: a GBK CSV row names his photo -> a full kit; a second row holds only decoys.
    (root / "faces" / "0002.jpg").write_bytes(jpeg(ImageOps.mirror(astronaut)))
    rows = ["照片,身份证号,手机号,银行卡号", f"faces/0002.jpg,{BOB[0]},{BOB[1]},{BOB[2]}",
            "faces/0404.jpg,110101199013071239,12345678901,6222021234567890123"]
    (root / "名单.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    # Carol: an ID-card image (face and number in one picture, read by OCR).
    (root / "证件").mkdir()
    (root / "证件" / "sfz_front.jpg").write_bytes(id_card(astronaut, CAROL[0]))
    # Carol again: an xlsx row with her phone and ID names another photo -> merged by ID.
    (root / "faces" / "0003.jpg").write_bytes(jpeg(astronaut.resize((400, 400))))
    book = Workbook()
    sheet = book.active
    sheet.append(["photo", "id number", "mobile"])
    sheet.append(["0003.jpg", CAROL[0], int(CAROL[1])])
    buffer = io.BytesIO()
    book.save(buffer)
    (root / "carol.xlsx").write_bytes(buffer.getvalue())
    # Dave: nested zip with a two-person photo and a JSON-lines record naming it.
    record = {"img": "faces/21.jpg", "sfz": DAVE[0], "sjh": DAVE[1]}
    inner = zipped({"faces/21.jpg": jpeg(Image.open(faces / "two_people_b.jpg")),
                    "records.jsonl": (json.dumps(record) + "\n").encode("utf-8")})
    (root / "pack.zip").write_bytes(zipped({"第二批.zip": inner}))
    # No face, no number; a corrupt image; an unreadable table.
    (root / "cat.png").write_bytes((faces / "no_face_cat.png").read_bytes())
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    (root / "bad.csv").write_bytes(b"\x81\x30\xff\xfe\x00\x80")
    return root
