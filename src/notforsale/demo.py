"""``notforsale demo``: build a small synthetic face-and-identity pack and scan it.

The pack imitates what investigators found on sale — face photos named by
number, a GBK-encoded spreadsheet of 四件套 rows naming the photos, an ID-card
image, a second batch in a nested zip, a photo with GPS in its EXIF — made
only from the public-domain astronaut photo bundled with the package and
made-up numbers (valid check digits, belonging to no one).
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont, ImageOps
from rich.console import Console

from .redact.tree import redact
from .report.render import render, render_redact_table
from .scan import ScanOptions, scan_path

# Made-up people: (name, resident ID, mobile, bank card). Check digits are valid.
PEOPLE = [
    ("张三", "11010119900307109X", "13812345678", "6222021234567890128"),
    ("李四", "110101199003071233", "13912345678", "6228480012345678903"),
    ("王五", "440305198512310026", "15012345678", "6217001234567893"),
    ("赵六", "310115198001010016", "18612345678", "4111111111111111"),
    ("孙七", "510107200002290045", "17712345678", "5105105105105100"),
]


def _astronaut() -> Image.Image:
    data = (resources.files("notforsale") / "data" / "astronaut.jpg").read_bytes()
    return Image.open(io.BytesIO(data)).convert("RGB")


def _variant(base: Image.Image, index: int) -> Image.Image:
    """A different-looking photo of the same face: crop, flip, scale."""
    width, height = base.size
    crop = base.crop((index * 10, index * 6, width - 40 + index * 8, height - 20 + index * 4))
    if index % 2:
        crop = ImageOps.mirror(crop)
    return crop.resize((300 + index * 40, round((300 + index * 40) * crop.height / crop.width)))


def jpeg_bytes(image: Image.Image, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, exif=exif if exif is not None else Image.Exif())
    return out.getvalue()


def id_card_image(face: Image.Image, number: str) -> bytes:
    """A plain ID-card-like picture: text on the left, a portrait on the right."""
    card = Image.new("RGB", (856, 540), (236, 240, 246))
    draw = ImageDraw.Draw(card)
    font = ImageFont.load_default(size=34)
    draw.text((50, 60), "NAME  ZHANG SAN", fill=(20, 20, 20), font=font)
    draw.text((50, 130), "SEX  M     BORN  1990-03-07", fill=(20, 20, 20), font=font)
    draw.text((50, 200), "ADDRESS  NO. 88 NANCHIZI ST", fill=(20, 20, 20), font=font)
    draw.text((50, 430), f"CITIZEN ID NO. {number}", fill=(10, 10, 10), font=font)
    portrait = ImageOps.fit(face, (220, 270))
    card.paste(portrait, (590, 60))
    return jpeg_bytes(card)


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def build_pack(folder: Path) -> Path:
    """Write the synthetic pack under ``folder/pack`` and return that path."""
    pack = folder / "pack"
    (pack / "faces").mkdir(parents=True, exist_ok=True)
    base = _astronaut()
    photos = [_variant(base, i) for i in range(len(PEOPLE))]
    # 1. Photos named by their holder's ID number (sellers do this).
    (pack / "faces" / f"{PEOPLE[0][1]}.jpg").write_bytes(jpeg_bytes(photos[0]))
    # 2. Photo + text file sharing a stem: 0002.jpg + 0002.txt.
    (pack / "faces" / "0002.jpg").write_bytes(jpeg_bytes(photos[1]))
    name, rid, phone, card = PEOPLE[1]
    (pack / "faces" / "0002.txt").write_text(
        f"姓名:{name}\n身份证号:{rid}\n手机:{phone[:3]} {phone[3:7]} {phone[7:]}\n"
        f"银行卡:{card}\n", encoding="utf-8")
    # 3. A GBK spreadsheet of 四件套 rows naming the photos.
    (pack / "faces" / "0003.jpg").write_bytes(jpeg_bytes(photos[2]))
    rows = ["照片,姓名,身份证号,手机号,银行卡号"]
    name, rid, phone, card = PEOPLE[2]
    rows.append(f"faces/0003.jpg,{name},{rid},{phone},{card}")
    rows.append("faces/0099.jpg,某某,110101199013071239,12345678901,6222021234567890123")  # decoys
    (pack / "名单.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    # 4. An ID-card image: face and number in one picture (read by OCR).
    (pack / "证件" ).mkdir(exist_ok=True)
    (pack / "证件" / "sfz_front.jpg").write_bytes(id_card_image(photos[3], PEOPLE[3][1]))
    # 5. A second batch in a nested zip, with a JSON record and a photo carrying GPS EXIF.
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (31.0, 14.0, 30.0), 3: "E", 4: (121.0, 28.0, 12.0)})
    exif[0xA431] = "CAM-0042-7781"  # BodySerialNumber
    name, rid, phone, card = PEOPLE[4]
    record = {"photo": "0005.jpg", "name": name, "idcard": rid, "mobile": phone, "card": card}
    inner = zip_bytes({"0005.jpg": jpeg_bytes(photos[4], exif),
                  "records.json": json.dumps([record], ensure_ascii=False).encode("utf-8")})
    (pack / "batch2.zip").write_bytes(zip_bytes({"第二批.zip": inner, "readme.txt": b"batch 2"}))
    # 6. Decoys only.
    (pack / "notes.txt").write_text(
        "订单号 202311271234567890，运单号 SF1234567890123，价格 ¥6222.00，ip 192.168.100.12\n",
        encoding="utf-8")
    return pack


def run_demo(folder: Path, console: Console) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pack = build_pack(folder)
    console.print(f"Built a synthetic pack in [bold]{pack}[/bold] (a public-domain photo and "
                  "made-up numbers). Scanning it...\n", highlight=False)
    result = scan_path(pack, ScanOptions(thumbnails=True))
    render(result, "table", console.file)
    for fmt, name in (("json", "report.json"), ("html", "report.html")):
        with (folder / name).open("w", encoding="utf-8") as handle:
            render(result, fmt, handle)
    console.print(f"\nReports: {folder / 'report.json'} and {folder / 'report.html'} "
                  "(masked values, blurred thumbnails).\n", highlight=False)
    copy = folder / "pack-redacted"
    if copy.exists():
        shutil.rmtree(copy)
    console.print(f"Writing an anonymized copy to [bold]{copy}[/bold] and verifying it...\n",
                  highlight=False)
    render_redact_table(redact(pack, copy), console)


SAMPLE_LISTINGS: list[dict[str, Any]] = [
    {"id": "demo-1", "title": "人脸素材 5000张 表情全 10元", "price": 10, "platform": "xianyu"},
    {"id": "demo-2", "title": "四件套 带手持 一手",
     "description": "身份证正反面+手持+银行卡 私聊VX", "platform": "telegram"},
    {"id": "demo-3", "title": "KYC done for you", "description": "selfie + liveness, tg @demo",
     "platform": "forum"},
    {"id": "demo-4", "title": "已实名手机卡 带人脸", "description": "可过认证 量大从优",
     "platform": "tieba"},
    {"id": "demo-5", "title": "资料一套",
     "description": f"身份证 {PEOPLE[0][1]} 手机 {PEOPLE[0][2]}", "platform": "forum"},
    {"id": "demo-6", "title": "补水保湿面膜 10片装", "price": 29, "platform": "taobao"},
    {"id": "demo-7", "title": "身份证卡套 透明防磁 5个装", "price": 9.9, "platform": "taobao"},
]


def seed_service(folder: Path, pack: Path) -> tuple[str, str]:
    """A new demo database in ``folder`` (the last one replaced) with sample cases: the
    listings screened and the pack scanned. Its URL and a moderator's token."""
    from .listings.screener import screen_listing
    from .store import repository
    from .store.db import open_database

    for old in folder.glob("demo.db*"):  # the database and its WAL files
        old.unlink()
    db_url = f"sqlite:///{(folder / 'demo.db').resolve()}"
    with open_database(db_url)() as session:
        for listing in SAMPLE_LISTINGS:
            repository.record_screening(session, listing, screen_listing(listing), "demo")
        repository.record_scan(session, "pack", scan_path(pack, ScanOptions(thumbnails=True)),
                               "demo")
        return db_url, repository.create_token(session, "demo-moderator")
