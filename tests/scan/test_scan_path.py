"""scan_path on a seized pack: counts, locations, profiles, full kits, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notforsale.model import ScanResult
from notforsale.scan import ScanOptions, scan_path
from tests.scan.conftest import ALICE, BOB, CAROL, DAVE


@pytest.fixture(scope="module")
def result(pack: Path) -> ScanResult:
    return scan_path(pack)


def _masks(result: ScanResult) -> set[str]:
    return {e.masked for p in result.profiles for e in p.entities}


def test_summary_has_exactly_the_documented_keys(result: ScanResult) -> None:
    summary = result.summary()
    assert list(summary) == ["files", "skipped", "images", "videos", "faces", "images_with_faces", "entities",
                             "profiles", "full_kits", "persons", "faces_unassigned", "errors",
                             "findings_not_kept"]
    assert summary["files"] == 10      # 12 files, two of them errors (broken.jpg, bad.csv)
    assert summary["images"] == 6      # five photos and the card
    assert summary["faces"] == 6        # 0001, 0002, 0003, the card, two in 21.jpg
    assert summary["images_with_faces"] == 5
    assert summary["entities"] == {"CN_RESIDENT_ID": 4, "BANK_CARD": 2, "PHONE_NUMBER": 4,
                                   "EMAIL_ADDRESS": 0}
    assert summary["errors"] == 2


def test_profiles_and_full_kits(result: ScanResult) -> None:
    assert len(result.profiles) == 4
    kits = [p for p in result.profiles if p.full_kit]
    assert len(kits) == 2
    by_id = {next(e.masked for e in p.entities if e.type == "CN_RESIDENT_ID"): p
             for p in result.profiles}
    alice = by_id[ALICE[0][:6] + "********" + ALICE[0][-4:]]
    assert alice.full_kit and alice.links == ("same file stem",)
    bob = by_id[BOB[0][:6] + "********" + BOB[0][-4:]]
    assert bob.full_kit and bob.links == ("table row names the image",)
    carol = by_id[CAROL[0][:6] + "********" + CAROL[0][-4:]]
    # The card (OCR) and the xlsx row name the same ID: one person, two images.
    assert {face.path.rsplit("/", 1)[-1] for face in carol.faces} == {"sfz_front.jpg", "0003.jpg"}
    assert set(carol.links) == {"face and number in one image", "table row names the image"}
    assert not carol.full_kit
    dave = by_id[DAVE[0][:6] + "********" + DAVE[0][-4:]]
    assert len(dave.faces) == 2
    assert {e.type for e in dave.entities} == {"CN_RESIDENT_ID", "PHONE_NUMBER"}


def test_nested_locations_name_every_archive(result: ScanResult, pack: Path) -> None:
    paths = {item.location.path for item in result.findings}
    assert f"{pack}/pack.zip!/第二批.zip!/faces/21.jpg" in paths
    record = next(i for i in result.findings if i.location.path.endswith("records.jsonl"))
    assert record.location.row == 1 and record.location.field == "$.sfz"


def test_table_cells_have_row_and_column(result: ScanResult) -> None:
    cells = [i for i in result.findings if i.location.path.endswith("名单.csv")]
    assert {(i.location.row, i.location.field) for i in cells} == {
        (2, "身份证号"), (2, "手机号"), (2, "银行卡号")}
    assert all(i.finding.explanation.context for i in cells), "column header is context"


def test_ocr_box_on_the_card(result: ScanResult) -> None:
    card = [i for i in result.findings if i.location.path.endswith("sfz_front.jpg")
            and i.finding.type == "CN_RESIDENT_ID"]
    assert len(card) == 1
    x0, y0, x1, y1 = card[0].location.box or (0, 0, 0, 0)
    assert 40 <= x0 < x1 <= 856 and 400 <= y0 < y1 <= 500


def test_errors_are_records_and_the_scan_goes_on(result: ScanResult) -> None:
    errors = {Path(e.path).name: e.message for e in result.errors}
    assert set(errors) == {"broken.jpg", "bad.csv"}
    assert errors["broken.jpg"].startswith("unreadable image")
    assert "UTF-8" in errors["bad.csv"]


def test_ocr_never_and_no_faces(pack: Path) -> None:
    result = scan_path(pack, ScanOptions(ocr="never", faces=False))
    assert result.summary()["faces"] == 0
    assert not any(i.location.path.endswith("sfz_front.jpg") for i in result.findings)
    assert result.profiles == ()


def test_json_document_round_trips(result: ScanResult) -> None:
    document = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert set(document) == {"summary", "profiles", "persons", "faces_unassigned", "findings",
                             "errors", "skipped", "not_kept"}
    assert document["profiles"][0]["full_kit"] is True
