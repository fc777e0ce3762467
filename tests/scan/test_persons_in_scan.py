"""Persons in the scan: every face embedded, faces clustered into persons, profiles of one
person merged, and no embedding anywhere a scan writes.

Real photographs of real, different people (``../shared/data/persons``; see
tests/identity_photos.py), scanned as packs. Each case of the table is a pack, what
the scan must say about its persons, and why.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from notforsale.demo import build_pack, id_card_image, jpeg_bytes, zip_bytes
from notforsale.model import FACE, ScanResult
from notforsale.report.render import render
from notforsale.scan import ScanOptions, scan_path
from notforsale.vision.embeddings import Embedding, embed_image
from tests.identity_photos import SHARED, available

pytestmark = pytest.mark.skipif(not available(), reason="needs ../shared/data")

PERSONS = SHARED / "persons"
# Made-up numbers with valid check digits (the demo's first person).
RID, PHONE, CARD = "11010119900307109X", "13812345678", "6222021234567890128"


def photo(name: str) -> bytes:
    return (PERSONS / name).read_bytes()


def small_face() -> bytes:
    """A real face pasted 20 px wide into a plain 640 × 480 picture: found, too small to
    embed."""
    canvas = Image.new("RGB", (640, 480), (200, 200, 200))
    face = Image.open(io.BytesIO(photo("obama_1.jpg"))).convert("RGB")
    face.thumbnail((70, 140))
    canvas.paste(face, (300, 200))
    return jpeg_bytes(canvas)


def rows_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["照片", "手机号", "银行卡号", "身份证号"], *rows])
    return out.getvalue().encode("utf-8")


def id_card(name: str) -> bytes:
    return id_card_image(Image.open(io.BytesIO(photo(name))).convert("RGB"), RID)


def build(case: str, folder: Path) -> Path:
    pack = folder / case
    pack.mkdir()
    if case == "same_person_two_photos":
        (pack / "a.jpg").write_bytes(photo("obama_1.jpg"))
        (pack / "b.jpg").write_bytes(photo("obama_2.jpg"))
    elif case == "two_people":
        (pack / "a.jpg").write_bytes(photo("obama_1.jpg"))
        (pack / "b.jpg").write_bytes(photo("biden_1.jpg"))
    elif case == "sizes_order_persons":
        for index, name in enumerate(["biden_1.jpg", "obama_1.jpg", "biden_2.jpg",
                                      "obama_2.jpg", "obama_3.jpg"]):
            (pack / f"{index}.jpg").write_bytes(photo(name))
    elif case == "too_small":
        (pack / "crowd.jpg").write_bytes(small_face())
    elif case == "id_card_and_row_share_the_number":
        (pack / "kit.zip").write_bytes(zip_bytes({"sfz.jpg": id_card("obama_1.jpg")}))
        (pack / "名单.csv").write_bytes(rows_csv([["", PHONE, CARD, RID]]))
    elif case == "id_card_and_row_tied_by_the_face":
        # the ID card gives the ID number (OCR); a table row names another photo of the
        # same man and holds his phone and bank card. Only the face ties them.
        (pack / "kit.zip").write_bytes(zip_bytes({"sfz.jpg": id_card("obama_1.jpg")}))
        (pack / "selfie.jpg").write_bytes(photo("obama_2.jpg"))
        (pack / "名单.csv").write_bytes(rows_csv([["selfie.jpg", PHONE, CARD, ""]]))
    else:
        raise AssertionError(case)
    return pack


# (case, persons, faces unassigned, full kits, why)
CASES = [
    ("same_person_two_photos", 1, 0, 0, "two photos of one man, taken apart: one person"),
    ("two_people", 2, 0, 0, "two different men: two persons"),
    ("sizes_order_persons", 2, 0, 0, "3 photos of one man, 2 of another"),
    ("too_small", 0, 1, 0, "a face found but 20 px wide: not embedded, never guessed"),
    ("id_card_and_row_share_the_number", 1, 0, 1,
     "an ID card in a zip and a row holding its number, a phone and a card"),
    ("id_card_and_row_tied_by_the_face", 1, 0, 1,
     "an ID card and a row naming another photo of the same face: one full kit"),
]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ScanResult]:
    folder = tmp_path_factory.mktemp("persons")
    return {case: scan_path(build(case, folder), base=folder)
            for case, *_ in CASES}


@pytest.mark.parametrize(("case", "persons", "unassigned", "kits", "why"), CASES,
                         ids=[c[0] for c in CASES])
def test_persons_of_a_pack(scanned: dict[str, ScanResult], case: str, persons: int,
                           unassigned: int, kits: int, why: str) -> None:
    result = scanned[case]
    summary = result.summary()
    assert (summary["persons"], summary["faces_unassigned"], summary["full_kits"]) == \
        (persons, unassigned, kits), why
    faces = [item for item in result.findings if item.finding.type == FACE]
    ids = {person.id for person in result.persons}
    # every face finding carries its person (or none, when it is unassigned)
    assert Counter(f.finding.person for f in faces if f.finding.person) == \
        {person.id: len(person.faces) for person in result.persons}
    assert sum(1 for f in faces if f.finding.person is None) == unassigned
    # each profile belongs to a person the report lists; one whose faces show several
    # persons (the two men's photos carry one number in their XMP) belongs to none
    person_of = {(face.path, face.box): person.id for person in result.persons
                 for face in person.faces}
    for profile in result.profiles:
        shown = {person_of.get((face.path, face.box)) for face in profile.faces}
        assert profile.person in ids if len(shown) == 1 else profile.person is None, profile
        for pid in shown - {None}:
            assert profile.id in next(p for p in result.persons if p.id == pid).profiles


def test_persons_are_numbered_by_size(scanned: dict[str, ScanResult]) -> None:
    result = scanned["sizes_order_persons"]
    assert [p.id for p in result.persons] == ["P1", "P2"]
    assert [p.photos for p in result.persons] == [3, 2]
    photos = {p.id: sorted(face.path for face in p.faces) for p in result.persons}
    assert photos == {"P1": ["sizes_order_persons/1.jpg", "sizes_order_persons/3.jpg",
                             "sizes_order_persons/4.jpg"],
                      "P2": ["sizes_order_persons/0.jpg", "sizes_order_persons/2.jpg"]}


def test_an_unassigned_face_says_why(scanned: dict[str, ScanResult]) -> None:
    result = scanned["too_small"]
    (face,) = result.faces_unassigned
    assert "too small" in face.reason and face.location.path.endswith("crowd.jpg")
    (finding,) = [f for f in result.findings if f.finding.type == FACE]
    assert finding.finding.person is None
    assert any("too small" in check for check in finding.finding.explanation.checks)
    assert result.to_dict()["faces_unassigned"][0]["reason"] == face.reason


def test_the_face_merges_the_kit(scanned: dict[str, ScanResult]) -> None:
    result = scanned["id_card_and_row_tied_by_the_face"]
    (profile,) = result.profiles
    assert profile.full_kit and profile.person == "P1"
    assert {face.path for face in profile.faces} == {
        "id_card_and_row_tied_by_the_face/kit.zip!/sfz.jpg",
        "id_card_and_row_tied_by_the_face/selfie.jpg"}
    assert any("same face" in link for link in profile.links)
    (person,) = result.to_dict()["persons"]
    assert person["id"] == "P1" and person["photos"] == 2 and person["profiles"] == [profile.id]
    assert person["full_kit"] is True


def test_the_demo_astronaut_is_one_person(tmp_path: Path) -> None:
    result = scan_path(build_pack(tmp_path), ScanOptions(thumbnails=True))
    summary = result.summary()
    assert summary["persons"] == 1 and summary["faces_unassigned"] == 0
    assert summary["profiles"] == 5 and summary["full_kits"] == 3  # as before: five made-up
    # identities (five ID numbers) on one face are five profiles of one person
    assert {profile.person for profile in result.profiles} == {"P1"}
    (person,) = result.persons
    assert person.photos == 5 and len(person.profiles) == 5
    assert person.full_kit and "BANK_CARD" in person.types
    # the HTML report shows the person as a blurred contact sheet, with what it holds
    out = io.StringIO()
    render(result, "html", out)
    page = out.getvalue()
    sheet = page[page.index("<h2>Persons</h2>"):page.index("<h2>Profiles</h2>")]
    assert "<code>P1</code>" in sheet and "5 photo(s)" in sheet and "full kit" in sheet
    assert sheet.count('class="thumb"') == 5
    table = io.StringIO()
    render(result, "table", table)
    assert "1 person(s)" in table.getvalue()


def _forms(vector: np.ndarray) -> list[bytes]:
    """Ways a descriptor could be written: raw float32/float64 bytes, base64, text."""
    raw32, raw64 = vector.astype(np.float32).tobytes(), vector.astype(np.float64).tobytes()
    forms = [raw32[:16], raw64[:32], base64.b64encode(raw32)[:20],
             base64.b64encode(raw64)[:20]]
    forms += [f"{float(v):.5f}".encode() for v in vector[:3] if abs(v) > 0.01]
    return forms


def test_no_embedding_anywhere_a_scan_writes(tmp_path: Path) -> None:
    pack = build("same_person_two_photos", tmp_path)
    store = tmp_path / "results.sqlite"
    result = scan_path(pack, base=tmp_path, store=store)
    assert result.summary()["persons"] == 1  # embeddings were made
    outputs = {}
    for fmt in ("json", "jsonl", "html", "table"):
        out = io.StringIO()
        render(result, fmt, out)
        outputs[fmt] = out.getvalue().encode("utf-8")
    outputs["dict"] = json.dumps(result.to_dict()).encode()
    result.store.close() if result.store is not None else None
    outputs["store"] = b"".join(p.read_bytes() for p in tmp_path.glob("results.sqlite*"))
    vectors = [r.vector for name in ("obama_1.jpg", "obama_2.jpg")
               for r in embed_image(photo(name)) if isinstance(r, Embedding)]
    assert len(vectors) == 2
    for where, data in outputs.items():
        for vector in vectors:
            for form in _forms(vector):
                assert form not in data, (where, form)
    assert b'"persons"' in outputs["json"]
