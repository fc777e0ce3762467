"""When OCR runs: names, document-like images, text lines; never on plain portraits."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from notforsale.read.images import decode
from notforsale.vision.analyze import OCR_MAX_SIDE, read_text_hits
from notforsale.vision.faces import Face, shared_detector
from notforsale.vision.ocr_policy import decide, text_region
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
    decision = decide("auto", "faces/0001.jpg", decoded, faces)
    assert decision.run is False and "portrait" in decision.reason


@pytest.mark.parametrize("name,expected", [("no_face_cat.png", False), ("three_people.jpg", False)])
def test_photos_without_text_are_not_read(name: str, expected: bool) -> None:
    decoded = decode((shared_faces() / name).read_bytes(), 640)
    faces = shared_detector().detect(decoded.rgb, decoded.scale)
    assert decide("auto", f"pack/{name}", decoded, faces)[0] is expected


def test_card_in_a_busy_photo_is_read_by_the_gate() -> None:
    decoded = _decoded(_photo_with_card())
    faces = shared_detector().detect(decoded.rgb, decoded.scale)
    decision = decide("auto", "pack/IMG_0042.jpg", decoded, faces)
    assert decision.run is True and "line" in decision.reason


def test_only_the_part_around_the_lines_is_read_and_the_number_is_found_there() -> None:
    """The gate's lines give a region: the card (pasted at 1180,820, 300x190, in the crowd
    photo at twice its size) lies in it, the region is much smaller than the photo, and
    reading it finds the number with its box on the card, in the original's pixels."""
    photo = Image.open(shared_faces() / "city.jpg").convert("RGB")
    photo = photo.resize((photo.width * 2, photo.height * 2))
    card = Image.new("RGB", (300, 190), (240, 240, 235))
    ImageDraw.Draw(card).text((12, 140), "ID 110101199003071233", fill=(0, 0, 0),
                              font=ImageFont.load_default(size=24))
    photo.paste(card, (1180, 820))
    out = io.BytesIO()
    photo.save(out, format="PNG")
    decoded = decode(out.getvalue(), 640)
    decision = decide("auto", "pack/IMG_0042.jpg", decoded, [])
    assert decision.region is not None
    x0, y0, x1, y1 = decision.region
    assert x0 <= 1180 + 12 and y0 <= 820 + 140 and x1 >= 1180 + 290 and y1 >= 820 + 170
    assert (x1 - x0) * (y1 - y0) < 0.5 * photo.width * photo.height
    hits = read_text_hits(decode(out.getvalue(), OCR_MAX_SIDE), decision.region)
    ids = [hit for hit in hits if hit.finding.type == "CN_RESIDENT_ID"]
    assert len(ids) == 1
    bx0, by0, bx1, by1 = ids[0].box
    assert 1180 <= bx0 < bx1 <= 1480 and 820 + 120 <= by0 < by1 <= 820 + 190


def test_text_region_grows_by_the_longest_line_and_is_none_when_most_of_the_image() -> None:
    decoded = _decoded(Image.new("RGB", (1280, 960)))  # scale 0.5: 640x480 pixels
    assert text_region([(300, 300, 360, 310)], decoded) == (480, 480, 840, 740)
    assert text_region([(10, 10, 600, 20), (10, 400, 600, 420)], decoded) is None


def test_a_flat_video_frame_is_read_only_where_the_gate_finds_text() -> None:
    """A video's flat frames are mostly not documents: a fade, a cut, a plain wall behind
    a small face (the bench's cut clip spent a third of its scan reading two such frames,
    finding nothing). With ``gate_flat`` the text gate decides them as it does photos;
    a photo's flat frame stays a document (a screenshot's small print)."""
    blank = _decoded(Image.new("RGB", (1280, 720), (128, 128, 128)))
    assert decide("auto", "clip.mp4", blank, []).run is True
    flat_blank = decide("auto", "clip.mp4", blank, [], True)
    assert flat_blank.run is False and "flat" in flat_blank.reason
    card = Image.new("RGB", (856, 540), (236, 240, 246))
    ImageDraw.Draw(card).text((50, 430), "CITIZEN ID NO. 110101199003071233", fill=(0, 0, 0),
                              font=ImageFont.load_default(size=34))
    read = decide("auto", "clip.mp4", _decoded(card), [], True)
    assert read.run is True and read.lines, read
    hits = read_text_hits(decode(_png(card), OCR_MAX_SIDE), read.region)
    assert [h.finding.masked for h in hits] == ["110101********1233"]


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
