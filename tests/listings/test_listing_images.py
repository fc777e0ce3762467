"""Images attached to a listing: a grid of many faces, an identity document."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from notforsale.listings.screener import DOCUMENT_FEATURE, GRID_FEATURE, screen_listing
from tests.conftest import shared_faces


def _grid(path: Path) -> Path:
    face = Image.open(shared_faces() / "astronaut.png").convert("RGB").crop((140, 20, 300, 200))
    grid = Image.new("RGB", (160 * 4, 180 * 2), "white")
    for i in range(8):
        grid.paste(face, ((i % 4) * 160, (i // 4) * 180))
    grid.save(path)
    return path


def _card(path: Path) -> Path:
    card = Image.new("RGB", (856, 540), (236, 240, 246))
    ImageDraw.Draw(card).text((50, 430), "CITIZEN ID NO. 110101199003071233", fill=(0, 0, 0),
                              font=ImageFont.load_default(size=34))
    card.save(path)
    return path


def test_grid_of_faces_is_a_signal(tmp_path: Path) -> None:
    verdict = screen_listing({"title": "素材一批", "images": [str(_grid(tmp_path / "g.png"))]})
    names = [r.signal for r in verdict.reasons]
    assert GRID_FEATURE in names
    assert verdict.verdict != "allow"


def test_identity_document_in_a_picture(tmp_path: Path) -> None:
    verdict = screen_listing({"title": "看图", "price": 5,
                              "images": [str(_card(tmp_path / "card.png"))]})
    reason = next(r for r in verdict.reasons if r.signal == DOCUMENT_FEATURE)
    assert "110101********1233" in reason.matched
    assert verdict.verdict == "block"


def test_plain_photo_and_missing_file_add_nothing(tmp_path: Path) -> None:
    photo = tmp_path / "cat.png"
    photo.write_bytes((shared_faces() / "no_face_cat.png").read_bytes())
    verdict = screen_listing({"title": "猫咪", "images": [str(photo), str(tmp_path / "nope.jpg")]})
    assert verdict.verdict == "allow"
    assert not {GRID_FEATURE, DOCUMENT_FEATURE} & {r.signal for r in verdict.reasons}


def test_document_in_a_picture_without_an_offer_is_review_at_most(tmp_path: Path) -> None:
    """A sensitive signal with no offer goes at most to review (the issue's rule)."""
    verdict = screen_listing({"title": "看图", "images": [str(_card(tmp_path / "card.png"))]})
    assert verdict.verdict != "block" and not verdict.offer and verdict.sensitive
    assert DOCUMENT_FEATURE in {r.signal for r in verdict.reasons}
