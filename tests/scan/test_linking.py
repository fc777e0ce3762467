"""Links hold in every container: each way of tying a face to a person, in each container.

One pack holds one person per way of linking (the reason is in the table); the pack is
then scanned as a folder, a zip, a zip in a zip, a tar.gz, a 7z and a folder inside a
zip. Every container must give the same profiles, with the same values and full kits,
linked for the same reason. The numbers are made up (valid check digits).
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import py7zr
import pytest
from PIL import Image, ImageOps
from stdnum import luhn
from stdnum.cn import ric

from notforsale.demo import _astronaut, id_card_image, jpeg_bytes, zip_bytes
from notforsale.model import ScanResult
from notforsale.scan import scan_path
from tests import builders as b


def person(n: int) -> tuple[str, str, str]:
    """A made-up resident ID, mobile and bank card for person ``n``."""
    body = f"11010119900{(n % 9) + 1:01d}{(n % 20) + 10:02d}{n:03d}"
    card = f"622202123456{n:03d}0"[:15]
    check = ric.calc_check_digit(body + "0")  # stdnum wants the place of the check too
    return body + check, f"1381234{n:04d}", card + luhn.calc_check_digit(card)


def masked_id(value: str) -> str:
    return value[:6] + "********" + value[-4:]


def photo(n: int) -> bytes:
    """A different-looking photo of the (public-domain) astronaut for each person."""
    base = _astronaut()
    crop = base.crop((n * 7, n * 5, base.width - 30 + n * 3, base.height - 10))
    return jpeg_bytes(ImageOps.mirror(crop) if n % 2 else crop)


# (key, why it links, expected full kit, profile reasons)
WAYS = [
    ("by_name", "a table row names the image by its file name", True,
     {"table row names the image"}),
    ("by_path", "a table row names the image by relative path; a decoy of the same name "
     "sits in another folder", True, {"table row names the image"}),
    ("in_image", "the face and the number are in one picture (an ID card)", False,
     {"face and number in one image"}),
    ("file_name", "the image's file name is the ID number; a row elsewhere adds phone and "
     "card by the shared ID", True, {"number in the image's file name"}),
    ("stem", "a photo and a text file share a stem", True, {"same file stem"}),
    ("word", "a Word table row holds the numbers and the photo", True, {"same record"}),
    ("mail", "an e-mail's body holds the numbers, its attachment the photo", True,
     {"same e-mail or container"}),
    ("database", "a SQLite row holds the numbers and the photo in a BLOB", True,
     {"same record"}),
]


def build_pack(root: Path) -> dict[str, str]:
    """Write the pack under ``root``; the masked ID of each way's person, by key."""
    ids = {}
    pid = {key: person(i + 1) for i, (key, *_) in enumerate(WAYS)}
    (root / "faces").mkdir(parents=True)
    (root / "other").mkdir()
    ident, mobile, card = pid["by_name"]
    (root / "faces" / "p1.jpg").write_bytes(photo(1))
    rows = ["照片,身份证号,手机号,银行卡号", f"p1.jpg,{ident},{mobile},{card}"]
    ident, mobile, card = pid["by_path"]
    (root / "faces" / "p2.jpg").write_bytes(photo(2))
    (root / "other" / "p2.jpg").write_bytes(jpeg_bytes(Image.new("RGB", (64, 64), "white")))
    rows.append(f"faces/p2.jpg,{ident},{mobile},{card}")
    (root / "名单.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    ident, _, _ = pid["in_image"]
    (root / "证件").mkdir()
    (root / "证件" / "sfz_front.jpg").write_bytes(
        id_card_image(Image.open(io.BytesIO(photo(3))), ident))
    ident, mobile, card = pid["file_name"]
    (root / "faces" / f"{ident}.jpg").write_bytes(photo(4))
    (root / "records.jsonl").write_text(
        json.dumps({"sfz": ident, "sjh": mobile, "card": card}) + "\n", encoding="utf-8")
    ident, mobile, card = pid["stem"]
    (root / "faces" / "0005.jpg").write_bytes(photo(5))
    (root / "faces" / "0005.txt").write_text(f"身份证 {ident}\n手机 {mobile}\n卡号 {card}\n",
                                             encoding="utf-8")
    ident, mobile, card = pid["word"]
    (root / "资料.docx").write_bytes(b.docx(["四件套"], table=[
        ["身份证号", "手机", "银行卡"], [ident, mobile, card]], table_images={1: photo(6)}))
    ident, mobile, card = pid["mail"]
    (root / "order.eml").write_bytes(b.eml(f"身份证 {ident}\n手机 {mobile}\n卡号 {card}",
                                           {"selfie.jpg": photo(7)}, sender="", subject="x"))
    ident, mobile, card = pid["database"]
    (root / "users.db").write_bytes(b.sqlite_db("users", ["idcard", "mobile", "card", "photo"],
                                                [[ident, mobile, card, photo(8)]]))
    for key, value in pid.items():
        ids[key] = masked_id(value[0])
    return ids


def _tar(folder: Path, target: Path) -> None:
    with tarfile.open(target, "w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.add(path, arcname=path.relative_to(folder).as_posix())


def _zip_folder(folder: Path, prefix: str = "") -> bytes:
    return zip_bytes({prefix + p.relative_to(folder).as_posix(): p.read_bytes()
                      for p in sorted(folder.rglob("*")) if p.is_file()})


CONTAINERS = ["folder", "zip", "zip in zip", "tar.gz", "7z", "folder inside a zip"]


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str],
                                                             dict[str, ScanResult]]:
    root = tmp_path_factory.mktemp("linking")
    pack = root / "pack"
    ids = build_pack(pack)
    inputs = {"folder": pack}
    (root / "pack.zip").write_bytes(_zip_folder(pack))
    inputs["zip"] = root / "pack.zip"
    (root / "outer.zip").write_bytes(zip_bytes({"第二批/pack.zip": _zip_folder(pack)}))
    inputs["zip in zip"] = root / "outer.zip"
    _tar(pack, root / "pack.tar.gz")
    inputs["tar.gz"] = root / "pack.tar.gz"
    with py7zr.SevenZipFile(root / "pack.7z", "w") as archive:
        for path in sorted(pack.rglob("*")):
            if path.is_file():
                archive.writestr(path.read_bytes(), path.relative_to(pack).as_posix())
    inputs["7z"] = root / "pack.7z"
    (root / "nested.zip").write_bytes(_zip_folder(pack, "seized/pack/"))
    inputs["folder inside a zip"] = root / "nested.zip"
    return ids, {name: scan_path(path) for name, path in inputs.items()}


def _by_id(result: ScanResult) -> dict[str, object]:
    out = {}
    for profile in result.profiles:
        for entity in profile.entities:
            if entity.type == "CN_RESIDENT_ID":
                out[entity.masked] = profile
    return out


@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize(("key", "why", "kit", "reasons"), WAYS, ids=[w[0] for w in WAYS])
def test_each_way_of_linking_holds_in_each_container(scans, container: str, key: str, why: str,  # type: ignore[no-untyped-def]
                                                     kit: bool, reasons: set[str]) -> None:
    ids, results = scans
    profile = _by_id(results[container]).get(ids[key])
    assert profile is not None, f"{why}: no profile in a {container}"
    assert profile.full_kit is kit, why  # type: ignore[attr-defined]
    assert reasons <= set(profile.links), (why, profile.links)  # type: ignore[attr-defined]
    assert len(profile.faces) == 1, why  # type: ignore[attr-defined]


@pytest.mark.parametrize("container", CONTAINERS[1:])
def test_every_container_gives_the_folder_summary(scans, container: str) -> None:  # type: ignore[no-untyped-def]
    _, results = scans
    folder, other = results["folder"].summary(), results[container].summary()
    for key in ("files", "images", "faces", "entities", "profiles", "full_kits", "errors",
                "skipped"):
        assert other[key] == folder[key], (key, container)
    assert folder["profiles"] == len(WAYS)
    assert folder["full_kits"] == sum(1 for way in WAYS if way[2])
