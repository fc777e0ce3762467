"""A deterministic synthetic "seller's pack" for ``bench/pack_scan.py``.

Built only from the read-only shared photos in ``shared/data/faces`` and
made-up identity numbers (valid check digits, belonging to no one)::

    pack/
      faces/00001.jpg ...          derived photos (crop, flip, resize, JPEG quality)
      faces/<18-char ID>.jpg       ~8 % of the photos named by a resident ID
      faces/00042.txt              ~3 %: a text file sharing a photo's stem (ID, phone)
      名单_1.csv, 名单_2.csv       UTF-8 tables: photo, name, ID, phone, bank card
      名单_3_gbk.csv, ...          GBK tables (same columns)
      id/sfz_00001.jpg             ~1 % ID-card-like images (half named sfz_*, half IMG_*)
      archive/batch2.zip           a zip holding 第二批.zip: ~10 % of the photos, a GBK table
      notes.txt                    decoys only (order and tracking numbers, a price, an IP)

The ground truth (returned by :func:`build_pack`, and written by ``main`` as
``<pack>.truth.json`` *beside* the pack, never inside it) holds the expected
counts (files, images, ID cards, table rows, full kits, profiles, distinct
values per type) and, per image, the face boxes carried over from the source
photo through the crop, flip and resize.

Source face boxes are CenterFace's boxes at threshold 0.4 on the originals;
their counts equal the by-eye counts of ``shared/data/README.md`` (1, 17, 2,
2, 3, 0, 0), the crowd's 17 including several small, partly hidden faces.
A face that a crop cuts to 30-70 % of its box is "partial": a detection
there is neither a false face nor is its absence a miss.

Every photo draws from its own ``random.Random(f"{seed}:{index}")``, so the
pack is the same byte for byte for the same ``(photos, seed)``, and the first
photos of a larger pack are those of a smaller one.

Run: ``.venv/bin/python bench/make_pack.py OUT --photos 2000 [--seed 0]``.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from photos import CROWD, FACE_BOXES, SHARED_FACES, Box, flip_and_resize
from PIL import Image, ImageDraw, ImageFont, ImageOps
from stdnum import luhn
from stdnum.cn import ric

#: How often each shared photo is drawn.
SOURCES: dict[str, tuple[float, list[Box]]] = {
    name: (weight, FACE_BOXES[name]) for name, weight in [
        ("astronaut.png", 0.35), ("two_people.jpg", 0.15), ("two_people_b.jpg", 0.15),
        ("three_people.jpg", 0.15), ("city.jpg", 0.10), ("no_face_cat.png", 0.05),
        ("no_face_coffee.png", 0.05)]}
#: Sources whose faces can be pasted on an ID card (one clear face each).
PORTRAITS = [("astronaut.png", 0), ("two_people.jpg", 0), ("two_people.jpg", 1),
             ("two_people_b.jpg", 0), ("three_people.jpg", 0), ("three_people.jpg", 1)]

AREAS = ["110101", "110105", "310115", "320102", "330106", "420102", "440305", "510107"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
LATIN_SURNAMES = ["WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU"]
LATIN_GIVEN = ["WEI", "FANG", "NA", "MIN", "JING", "LI", "QIANG", "LEI", "JUN", "YANG"]
PHONE_PREFIXES = ["138", "139", "150", "158", "186", "177"]
HEADER = "照片,姓名,身份证号,手机号,银行卡号"

SHARE_ID_NAMED = 0.08   # photos named by a resident ID
SHARE_TXT = 0.03        # photos with a same-stem text file
SHARE_TABLE = 0.20      # photos named by a table row (a full kit: ID, phone, card)
SHARE_ZIPPED = 0.10     # photos (the last ones) inside the nested zip
SHARE_CARDS = 0.01      # ID-card images per photo


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    resident_id: str
    phone: str
    card: str

    @property
    def masked_id(self) -> str:
        """The form notforsale reports (first 6 and last 4 characters)."""
        return self.resident_id[:6] + "*" * 8 + self.resident_id[-4:]


class People:
    """Made-up people with unique numbers (and unique masked IDs)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"{seed}:people")
        self.seen: set[str] = set()

    def resident_id(self) -> str:
        while True:
            first17 = (self.rng.choice(AREAS)
                       + f"{self.rng.randint(1960, 2004)}{self.rng.randint(1, 12):02d}"
                       + f"{self.rng.randint(1, 28):02d}{self.rng.randint(0, 999):03d}")
            number = first17 + ric.calc_check_digit(first17 + "0")
            masked = number[:6] + number[-4:]
            if number not in self.seen and masked not in self.seen:
                self.seen.update((number, masked))
                return number

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.seen:
                self.seen.add(value)
                return value

    def person(self) -> Person:
        rng = self.rng
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        phone = self._unique(lambda: rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 10**8 - 1):08d}")

        def card() -> str:
            body = rng.choice(["622202", "622848", "621700"]) + f"{rng.randint(0, 10**12 - 1):012d}"
            return body + luhn.calc_check_digit(body)
        return Person(name, self.resident_id(), phone, self._unique(card))


def _load_sources() -> dict[str, Image.Image]:
    return {name: Image.open(SHARED_FACES / name).convert("RGB") for name in SOURCES}


_SOURCES_CACHE: dict[str, Image.Image] = {}


def _sources() -> dict[str, Image.Image]:
    if not _SOURCES_CACHE:
        _SOURCES_CACHE.update(_load_sources())
    return _SOURCES_CACHE


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _crop_window(rng: random.Random, width: int, height: int, boxes: list[Box],
                 crowd: bool) -> Box:
    """A crop that keeps every face of a small group (the crowd is cropped blindly)."""
    if not boxes or crowd:
        low = 0.75 if crowd else 0.6
        cw, ch = round(width * rng.uniform(low, 1.0)), round(height * rng.uniform(low, 1.0))
        x0, y0 = rng.randint(0, width - cw), rng.randint(0, height - ch)
        return x0, y0, x0 + cw, y0 + ch
    ux0, uy0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    ux1, uy1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    margin = round(0.25 * max(ux1 - ux0, uy1 - uy0) / max(1, len(boxes)))
    ux0, uy0 = max(0, ux0 - margin), max(0, uy0 - margin)
    ux1, uy1 = min(width, ux1 + margin), min(height, uy1 + margin)
    cw = rng.randint(max(ux1 - ux0, round(0.5 * width)), width)
    ch = rng.randint(max(uy1 - uy0, round(0.5 * height)), height)
    x0 = rng.randint(max(0, ux1 - cw), min(ux0, width - cw))
    y0 = rng.randint(max(0, uy1 - ch), min(uy0, height - ch))
    return x0, y0, x0 + cw, y0 + ch


def derive_photo(seed: int, index: int) -> tuple[bytes, dict]:
    """Photo ``index`` (1-based): its JPEG bytes and its truth (source, face boxes)."""
    rng = random.Random(f"{seed}:{index}")
    names = list(SOURCES)
    source = rng.choices(names, weights=[SOURCES[n][0] for n in names])[0]
    image = _sources()[source]
    boxes = SOURCES[source][1]
    window = _crop_window(rng, image.width, image.height, boxes, source == CROWD)
    crop, flip, factor, size, quality = flip_and_resize(rng, image.crop(window))
    faces, partial = [], []
    cx0, cy0, cx1, cy1 = window
    for x0, y0, x1, y1 in boxes:
        ix0, iy0, ix1, iy1 = max(x0, cx0), max(y0, cy0), min(x1, cx1), min(y1, cy1)
        inside = max(0, ix1 - ix0) * max(0, iy1 - iy0) / ((x1 - x0) * (y1 - y0))
        if inside < 0.3:
            continue
        bx0, bx1 = x0 - cx0, x1 - cx0
        if flip:
            bx0, bx1 = (cx1 - cx0) - bx1, (cx1 - cx0) - bx0
        box = [round(bx0 * factor), round((y0 - cy0) * factor), round(bx1 * factor),
               round((y1 - cy0) * factor)]
        (faces if inside >= 0.7 else partial).append(box)
    truth = {"source": source, "size": list(size), "quality": quality, "faces": faces,
             "partial": partial}
    return _jpeg(crop, quality), truth


def id_card(rng: random.Random, person: Person) -> tuple[bytes, dict]:
    """A plain ID-card-like picture: text on the left, a portrait on the right."""
    card = Image.new("RGB", (856, 540), (236 + rng.randint(-6, 6), 240, 246 - rng.randint(0, 8)))
    draw = ImageDraw.Draw(card)
    font = ImageFont.load_default(size=34)
    born = person.resident_id[6:14]
    draw.text((50, 60), f"NAME  {rng.choice(LATIN_SURNAMES)} {rng.choice(LATIN_GIVEN)}",
              fill=(20, 20, 20), font=font)
    draw.text((50, 130), f"SEX  {'M' if int(person.resident_id[16]) % 2 else 'F'}     "
              f"BORN  {born[:4]}-{born[4:6]}-{born[6:]}", fill=(20, 20, 20), font=font)
    draw.text((50, 200), f"ADDRESS  NO. {rng.randint(1, 300)} NANCHIZI ST", fill=(20, 20, 20),
              font=font)
    draw.text((50, 430), f"CITIZEN ID NO. {person.resident_id}", fill=(10, 10, 10), font=font)
    source, which = rng.choice(PORTRAITS)
    image = _sources()[source]
    x0, y0, x1, y1 = SOURCES[source][1][which]
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) * 1.8, (y1 - y0) * 1.8
    head = image.crop((round(max(0, cx - w / 2)), round(max(0, cy - h / 2)),
                       round(min(image.width, cx + w / 2)), round(min(image.height, cy + h / 2))))
    card.paste(ImageOps.fit(head, (220, 270)), (590, 60))
    factor = rng.uniform(0.8, 1.3)
    card = card.resize((round(856 * factor), round(540 * factor)), Image.Resampling.BICUBIC)
    # the face sits in the middle of the portrait; a detection inside the portrait counts
    portrait = [round(590 * factor), round(60 * factor), round(810 * factor), round(330 * factor)]
    truth = {"source": "id_card:" + source, "size": list(card.size), "faces": [],
             "portrait": portrait, "masked_id": person.masked_id}
    return _jpeg(card, rng.randint(70, 95)), truth


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = compression
            archive.writestr(info, data)
    return out.getvalue()


def _rows(rows: list[tuple[str, Person]]) -> str:
    lines = [HEADER] + [f"{photo},{p.name},{p.resident_id},{p.phone},{p.card}"
                        for photo, p in rows]
    return "\r\n".join(lines) + "\r\n"


def _derive(args: tuple[int, int]) -> tuple[bytes, dict]:
    return derive_photo(*args)


def build_pack(pack: Path, photos: int = 2000, seed: int = 0, jobs: int = 1) -> dict:
    """Write the pack into ``pack`` (which must not exist) and return its ground truth."""
    pack.mkdir(parents=True)
    (pack / "faces").mkdir()
    (pack / "id").mkdir()
    (pack / "archive").mkdir()
    rng = random.Random(f"{seed}:layout")
    people = People(seed)
    zipped_from = photos - round(photos * SHARE_ZIPPED) + 1  # photos >= this go in the zip
    roles = {}  # index -> "id_named" | "txt" | "table" | None
    for index in range(1, photos + 1):
        draw = rng.random()
        if draw < SHARE_ID_NAMED and index < zipped_from:
            roles[index] = "id_named"
        elif draw < SHARE_ID_NAMED + SHARE_TXT and index < zipped_from:
            roles[index] = "txt"
        elif draw < SHARE_ID_NAMED + SHARE_TXT + SHARE_TABLE:
            roles[index] = "table"
        else:
            roles[index] = None

    truth_images: dict[str, dict] = {}
    tables: list[list[tuple[str, Person]]] = [[], [], [], []]  # utf8, utf8, gbk, gbk
    zipped: dict[str, bytes] = {}
    zip_rows: list[tuple[str, Person]] = []
    counts = {"id_named": 0, "txt": 0, "table_rows": 0, "table_rows_face": 0,
              "txt_face": 0, "id_named_face": 0}
    work = [(seed, index) for index in range(1, photos + 1)]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            derived = pool.map(_derive, work, chunksize=32)
            _place(pack, photos, derived, roles, zipped_from, people, rng, truth_images,
                   tables, zipped, zip_rows, counts)
    else:
        _place(pack, photos, map(_derive, work), roles, zipped_from, people, rng, truth_images,
               tables, zipped, zip_rows, counts)

    files = 0
    for number, rows in enumerate(tables, 1):
        if not rows:
            continue
        gbk = number > 2
        name = f"名单_{number}{'_gbk' if gbk else ''}.csv"
        (pack / name).write_bytes(_rows(rows).encode("gbk" if gbk else "utf-8"))
        files += 1
    # decoy rows: wrong check digit, failed Luhn, a phone with a wrong prefix, a missing photo
    decoys = people.person()
    bad_id = decoys.resident_id[:17] + ("0" if decoys.resident_id[17] != "0" else "1")
    bad_card = decoys.card[:-1] + str((int(decoys.card[-1]) + 1) % 10)
    (pack / "名单_decoys.csv").write_text(
        HEADER + "\r\n" + f"faces/99999.jpg,某某,{bad_id},12345678901,{bad_card}\r\n",
        encoding="utf-8")
    (pack / "notes.txt").write_text(
        "订单号 202311271234567890，运单号 SF1234567890123，价格 ¥6222.00，ip 192.168.100.12\n",
        encoding="utf-8")
    files += 2

    cards = max(1, round(photos * SHARE_CARDS))
    card_truth = []
    for number in range(1, cards + 1):
        person = people.person()
        data, truth = id_card(random.Random(f"{seed}:card:{number}"), person)
        hinted = number % 2 == 1
        name = f"id/sfz_{number:05d}.jpg" if hinted else f"id/IMG_20240101_{number:04d}.jpg"
        (pack / name).write_bytes(data)
        truth["name_hint"] = hinted
        truth_images[name] = truth
        card_truth.append(name)
        files += 1

    zip_rows_csv = _rows(zip_rows).encode("gbk")
    inner = dict(zipped)
    inner["名单.csv"] = zip_rows_csv
    inner_zip = _zip(inner)
    outer = _zip({"第二批.zip": inner_zip, "readme.txt": "batch 2, 解压密码 无\n".encode()},
                 zipfile.ZIP_STORED)
    (pack / "archive" / "batch2.zip").write_bytes(outer)
    files += len(inner) + 1  # members of the inner zip, and readme.txt

    files += sum(1 for _ in (pack / "faces").iterdir())
    images = photos + cards
    face_images = {k for k, v in truth_images.items() if v["faces"] or v.get("portrait")}
    full_kits = counts["table_rows_face"]
    profiles = full_kits + counts["txt_face"] + counts["id_named_face"] + cards
    return {
        "photos": photos,
        "seed": seed,
        "files": files,
        "images": images,
        "zipped_photos": photos - zipped_from + 1,
        "photos_in_faces_folder": zipped_from - 1,
        "expected_faces": sum(len(v["faces"]) for v in truth_images.values()) + cards,
        "expected_faces_crowd": sum(len(v["faces"]) for v in truth_images.values()
                                    if v["source"] == CROWD),
        "partial_faces": sum(len(v.get("partial", [])) for v in truth_images.values()),
        "images_with_faces": len(face_images),
        "no_face_photos": sum(1 for v in truth_images.values()
                              if v["source"].startswith("no_face")),
        "id_cards": cards,
        "id_cards_name_hinted": sum(1 for n in card_truth if truth_images[n]["name_hint"]),
        "id_named_photos": counts["id_named"],
        "txt_files": counts["txt"],
        "table_rows": counts["table_rows"],
        "decoy_rows": 1,
        # profiles need a face: every photo tied to a number shows one except the no-face ones
        "expected_full_kits": full_kits,
        "expected_profiles": profiles,
        "expected_entities": {
            "CN_RESIDENT_ID": counts["table_rows"] + counts["txt"] + counts["id_named"] + cards,
            "PHONE_NUMBER": counts["table_rows"] + counts["txt"],
            "BANK_CARD": counts["table_rows"],
        },
        "images_truth": truth_images,
    }


def _place(pack: Path, photos: int, derived: Iterable[tuple[bytes, dict]], roles: dict, zipped_from: int, people: People,
           rng: random.Random, truth_images: dict, tables: list, zipped: dict,
           zip_rows: list, counts: dict) -> None:
    for index, (data, truth) in enumerate(derived, 1):
        role = roles[index]
        has_face = bool(truth["faces"])
        person = people.person() if role else None
        if role == "id_named" and person:
            name = f"{person.resident_id}.jpg"
            counts["id_named"] += 1
            counts["id_named_face"] += has_face
        else:
            name = f"{index:05d}.jpg"
        if index >= zipped_from:
            zipped[f"faces/{name}"] = data
            truth_images[f"archive/batch2.zip!/第二批.zip!/faces/{name}"] = truth
            if role == "table" and person:
                zip_rows.append((f"faces/{name}", person))
                counts["table_rows"] += 1
                counts["table_rows_face"] += has_face
            continue
        (pack / "faces" / name).write_bytes(data)
        truth_images[f"faces/{name}"] = truth
        if role == "txt" and person:
            (pack / "faces" / f"{index:05d}.txt").write_text(
                f"姓名:{person.name}\n身份证号:{person.resident_id}\n"
                f"手机:{person.phone[:3]} {person.phone[3:7]} {person.phone[7:]}\n",
                encoding="utf-8")
            counts["txt"] += 1
            counts["txt_face"] += has_face
        elif role == "table" and person:
            tables[rng.randrange(len(tables))].append((f"faces/{name}", person))
            counts["table_rows"] += 1
            counts["table_rows_face"] += has_face


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to create (the pack)")
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    truth = build_pack(args.out, args.photos, args.seed, args.jobs)
    args.out.with_name(args.out.name + ".truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    summary = {k: v for k, v in truth.items() if k != "images_truth"}
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
