"""Galleries: encrypted at rest, useless without the key, matched without showing vectors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from notforsale.cli import app
from notforsale.link.gallery import Gallery, GalleryError, build_gallery, match_pack
from tests.identity_photos import SHARED, available


def _random_gallery(count: int = 5) -> Gallery:
    rng = np.random.default_rng(1)
    return Gallery([f"u{i}" for i in range(count)], [f"enrolled/u{i}.jpg" for i in range(count)],
                   rng.normal(0, 0.06, (count, 128)).astype(np.float32))


def test_saved_gallery_opens_with_its_key_only(tmp_path: Path) -> None:
    gallery = _random_gallery()
    path = tmp_path / "our.gallery"
    gallery.save(path, key=b"one key")
    again = Gallery.load(path, key=b"one key")
    assert again.persons == gallery.persons and np.array_equal(again.vectors, gallery.vectors)
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(GalleryError, match="key"):
        Gallery.load(path, key=b"another key")


@pytest.mark.parametrize(("change", "why"), [
    (lambda raw: raw[:40] + bytes([raw[40] ^ 1]) + raw[41:], "a flipped bit in the sealed data"),
    (lambda raw: raw[:-1], "a truncated file"),
    (lambda raw: b"PK\x03\x04" + raw[4:], "not a gallery's magic"),
    (lambda raw: raw[:8] + bytes(12) + raw[20:], "another nonce"),
])
def test_an_altered_gallery_is_refused(tmp_path: Path, change, why: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "our.gallery"
    _random_gallery().save(path)
    path.write_bytes(change(path.read_bytes()))
    with pytest.raises(GalleryError):
        Gallery.load(path)


def test_no_vector_or_label_in_clear(tmp_path: Path) -> None:
    gallery = _random_gallery()
    path = tmp_path / "our.gallery"
    gallery.save(path)
    raw = path.read_bytes()
    assert gallery.vectors[0].tobytes()[:8] not in raw
    # Labels and paths are short (u0, enrolled/u0.jpg): two random bytes match "u0" in a
    # third of 25 KB files, so look for the longer strings.
    assert b"enrolled/u0" not in raw and b"enrolled" not in raw
    assert "vector" not in repr(gallery) and "0." not in repr(gallery)


def test_search_returns_one_hit_per_person_closest_first() -> None:
    gallery = _random_gallery(3)
    gallery.add("u0", "enrolled/u0b.jpg", gallery.vectors[0] + 0.01)
    (hits,) = gallery.search(gallery.vectors[0][None] + 0.001)
    assert [person for person, _, _ in hits] == ["u0"]
    assert hits[0][1] < 0.05
    assert gallery.search(np.zeros((0, 128), np.float32)) == []


needs_photos = pytest.mark.skipif(not available(), reason="../shared/data is not here")


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not available():
        pytest.skip("../shared/data is not here")
    enrolled = tmp_path_factory.mktemp("enrolled")
    for person, photo in [("obama", "obama_1.jpg"), ("biden", "biden_1.jpg"),
                          ("rose", "rose_leslie_1.jpg"), ("u138-1234-5678", "alex_lacamoire_1.jpg")]:
        (enrolled / person).mkdir()
        shutil.copy(SHARED / "persons" / photo, enrolled / person / photo)
    shutil.copy(SHARED / "faces" / "no_face_cat.png", enrolled / "cat.png")
    pack = tmp_path_factory.mktemp("pack")
    for photo in ["two_people.jpg", "two_people_b.jpg"]:
        shutil.copy(SHARED / "faces" / photo, pack / photo)
    for photo in ["obama_2.jpg", "alex_lacamoire_2.jpg", "lin_manuel_miranda_1.png"]:
        shutil.copy(SHARED / "persons" / photo, pack / photo)
    return enrolled, pack


@needs_photos
def test_a_pack_matched_against_a_gallery(folders: tuple[Path, Path]) -> None:
    enrolled, pack = folders
    gallery = build_gallery(enrolled)
    assert sorted(gallery.persons) == ["biden", "obama", "rose", "u138-1234-5678"]
    assert [p.reason for p in gallery.problems] == ["no face found"]
    result = match_pack(pack, gallery)
    found = {p["person"]: p["photos"] for p in result.persons()}
    # Kit Harington and Lin-Manuel Miranda are in the pack, not in the gallery.
    assert found == {"obama": 2, "biden": 1, "rose": 1, "u138-****-5678": 1}
    assert result.images == 5 and result.faces == 7


@needs_photos
def test_cli_gallery_build_and_match(folders: tuple[Path, Path], tmp_path: Path) -> None:
    enrolled, pack = folders
    runner = CliRunner()
    target = tmp_path / "our.gallery"
    built = runner.invoke(app, ["gallery", "build", str(enrolled), "-o", str(target)])
    assert built.exit_code == 0, built.output
    assert "4 faces of 4 persons" in built.output
    again = runner.invoke(app, ["gallery", "build", str(enrolled), "-o", str(target)])
    assert again.exit_code == 2  # never overwrites
    matched = runner.invoke(app, ["match", str(pack), "--gallery", str(target), "-f", "json"])
    assert matched.exit_code == 1, matched.output
    document = json.loads(matched.stdout)
    assert {p["person"] for p in document["persons"]} == {"obama", "biden", "rose",
                                                          "u138-****-5678"}
    assert "138-1234" not in matched.output
    assert not any(isinstance(v, list) and len(v) > 8 for p in document["persons"]
                   for s in p["sightings"] for v in s.values())  # no vector in the answer
    table = runner.invoke(app, ["match", str(pack / "lin_manuel_miranda_1.png"),
                                "--gallery", str(target)])
    assert table.exit_code == 0 and "0 gallery persons found" in table.output


@needs_photos
def test_api_match_route(folders: tuple[Path, Path], tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from notforsale.service.app import create_app
    from notforsale.service.settings import ServiceSettings
    from notforsale.store import repository
    from notforsale.store.db import open_database

    enrolled, pack = folders
    url = f"sqlite:///{tmp_path / 'test.db'}"
    client = TestClient(create_app(ServiceSettings(db_url=url)))
    with open_database(url)() as session:
        token = repository.create_token(session, "alice")
    headers = {"Authorization": f"Bearer {token}"}
    photo = (pack / "two_people.jpg").read_bytes()
    files = {"file": ("two_people.jpg", photo, "image/jpeg")}
    assert client.post("/v1/packs/match", files=files).status_code == 401
    monkeypatch.delenv("NOTFORSALE_GALLERY", raising=False)
    assert client.post("/v1/packs/match", files=files, headers=headers).status_code == 409
    target = tmp_path / "our.gallery"
    build_gallery(enrolled).save(target)
    monkeypatch.setenv("NOTFORSALE_GALLERY", str(target))
    answer = client.post("/v1/packs/match", files=files, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert {p["person"] for p in body["persons"]} == {"obama", "biden"}
    assert body["persons"][0]["sightings"][0]["path"] == "two_people.jpg"
