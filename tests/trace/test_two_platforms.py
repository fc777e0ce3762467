"""Two platforms: A hashes a seized pack and exports a list; B imports it and its screener
blocks a listing carrying a re-encoded, flipped copy of one photo — without B ever holding
A's photos."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageOps
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from notforsale.cli import app
from notforsale.service.app import create_app
from notforsale.service.settings import ServiceSettings
from notforsale.store import repository
from notforsale.store.db import open_database
from notforsale.trace import hook

from .conftest import astronaut, jpeg

# A listing whose text alone is harmless (a used camera): only its picture can block it.
LISTING = {"id": "b-77", "title": "二手相机 九成新 自用", "description": "成色好 包邮",
           "price": 200}


@pytest.fixture(autouse=True)
def _no_lists_left_registered() -> Iterator[None]:
    yield
    hook.use(None)


def seized_pack(folder: Path) -> list[Path]:
    """Platform A's pack: the shared persons' photos when present, else the bundled one."""
    shared = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "persons"
    sources = sorted(shared.glob("*.jpg")) if shared.is_dir() else []
    images = [Image.open(p).convert("RGB") for p in sources] or \
        [astronaut(), ImageOps.grayscale(astronaut()).convert("RGB").rotate(7)]
    folder.mkdir(parents=True)
    out = []
    for number, image in enumerate(images, start=1):
        path = folder / f"{number:04d}.jpg"
        path.write_bytes(jpeg(image, 92))
        out.append(path)
    return out


def test_platform_b_blocks_a_flipped_copy_without_holding_the_photos(tmp_path: Path) -> None:
    # Platform A: hash the seized pack, export the list.
    platform_a = tmp_path / "platform_a"
    photos = seized_pack(platform_a / "seized")
    shared_list = platform_a / "pack-a.hashes"
    made = CliRunner().invoke(app, ["hash", str(platform_a / "seized"), "-o", str(shared_list),
                                    "--case", "CASE-2026-12"])
    assert made.exit_code == 0, made.output

    # Only the list file travels to platform B.
    platform_b = tmp_path / "platform_b"
    platform_b.mkdir()
    received = platform_b / "pack-a.hashes"
    received.write_bytes(shared_list.read_bytes())
    db_url = f"sqlite:///{platform_b / 'b.db'}"
    client = TestClient(create_app(ServiceSettings(db_url=db_url)))
    with open_database(db_url)() as session:
        auth = {"Authorization": f"Bearer {repository.create_token(session, 'b-admin')}"}
    imported = client.post("/v1/hash-lists", headers=auth,
                           files={"file": ("pack-a.hashes", received.read_bytes())})
    assert imported.status_code == 201 and imported.json()["entries"] == len(photos)

    # A seller on platform B lists a re-encoded, mirrored copy of one of A's photos.
    seller = platform_b / "listing_images"
    seller.mkdir()
    copy = seller / "camera.jpg"
    original = Image.open(photos[len(photos) // 2])
    copy.write_bytes(jpeg(ImageOps.mirror(original), 55))
    plain = seller / "camera_plain.jpg"
    plain.write_bytes(jpeg(Image.effect_noise((400, 300), 60).convert("RGB")))

    def sent(path: Path) -> dict[str, str]:  # images come in the request, never as paths
        return {"data": base64.b64encode(path.read_bytes()).decode("ascii")}

    clean = client.post("/v1/listings/screen", headers=auth,
                        json={**LISTING, "images": [sent(plain)]}).json()
    assert clean["verdict"] == "allow"
    blocked = client.post("/v1/listings/screen", headers=auth,
                          json={**LISTING, "id": "b-78", "images": [sent(copy)]}).json()
    assert blocked["verdict"] == "block", blocked
    reason = next(r for r in blocked["reasons"] if "known traded pack" in r)
    assert "image from a known traded pack (list pack-a, distance " in reason

    # B never held A's photos: none of their bytes is anywhere under platform B,
    # and B's database holds 32-byte hashes, not pictures.
    a_digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in photos}
    b_digests = {hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in platform_b.rglob("*") if p.is_file()}
    assert not a_digests & b_digests
    engine = create_engine(db_url)
    with engine.connect() as connection:
        blobs = {len(row[0]) for row in connection.execute(text("SELECT hash FROM hash_entry"))}
    engine.dispose()
    assert blobs == {32}
