"""When OCR runs: names, document-like images, text lines; never on plain portraits."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from notforsale.read.images import decode
from notforsale.vision.faces import Face, shared_detector
from notforsale.vision.ocr_policy import decide
from tests.conftest import shared_faces


def _decoded(image: Image.Image):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    image.save(out, format="PNG")
    return decode(out.getvalue(), 640)


def _photo_with_card() -> Image.Image:
    """A busy photo (the crowd) with a small printed card in a corner."""
    photo = Image.open(shared_faces() / "city.jpg").convert("RGB")
    card = Image.new("RGB", (300, 190), (240, 240, 235))
    ImageDraw.Draw(card).text((12, 140), "ID 110101199003071233", fill=(0, 0, 0),
                              font=ImageFont.load_default(size=24))
    photo.paste(card, (480, 360))
    return photo


def test_modes() -> None:
    image = _decoded(Image.new("RGB", (64, 64), (200, 100, 50)))
    assert decide("always", "a.jpg", image, [])[0] is True
    assert decide("never", "身份证.jpg", image, [])[0] is False
    with pytest.raises(ValueError, match="unknown OCR mode"):
        decide("sometimes", "a.jpg", image, [])


@pytest.mark.parametrize("name", ["pack/身份证正面.jpg", "x/sfz_001.jpg", "Screenshot_2023.png",
                                  "kyc/handheld.jpg", "pack.zip!/证件/a.jpg"])
def test_names_that_say_document(name: str) -> None:
    portrait = _decoded(Image.open(shared_faces() / "astronaut.png"))
    assert decide("auto", name, portrait, [Face((0, 0, 500, 500), 0.9)])[0] is True


def test_flat_document_without_face() -> None:
    card = Image.new("RGB", (856, 540), (236, 240, 246))
    ImageDraw.Draw(card).text((50, 430), "CITIZEN ID NO. 110101199003071233", fill=(0, 0, 0),
                              font=ImageFont.load_default(size=34))
    assert decide("auto", "a/0001.jpg", _decoded(card), [])[0] is True


def test_portrait_whose_face_fills_the_frame_is_not_read() -> None:
    portrait = Image.open(shared_faces() / "astronaut.png").convert("RGB").crop(
        (140, 20, 300, 200))
    decoded = _decoded(portrait)
    faces = shared_detector().detect(decoded.rgb, decoded.scale)
    assert faces
    run, reason = decide("auto", "faces/0001.jpg", decoded, faces)
    assert run is False and "portrait" in reason


@pytest.mark.parametrize("name,expected", [("no_face_cat.png", False), ("three_people.jpg", False)])
def test_photos_without_text_are_not_read(name: str, expected: bool) -> None:
    decoded = decode((shared_faces() / name).read_bytes(), 640)
    faces = shared_detector().detect(decoded.rgb, decoded.scale)
    assert decide("auto", f"pack/{name}", decoded, faces)[0] is expected


def test_card_in_a_busy_photo_is_read_by_the_gate() -> None:
    decoded = _decoded(_photo_with_card())
    faces = shared_detector().detect(decoded.rgb, decoded.scale)
    run, reason = decide("auto", "pack/IMG_0042.jpg", decoded, faces)
    assert run is True and "line" in reason
