"""The screener's hook: an attached image from a known pack blocks the listing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from notforsale.listings.screener import screen_listing
from notforsale.trace import hook
from notforsale.trace.hashing import hash_bytes
from notforsale.trace.hashlist import HashEntry, HashList
from notforsale.trace.matcher import Matcher

from .conftest import astronaut, jpeg


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    yield
    hook.use(None)


def known() -> Matcher:
    hashed = hash_bytes(jpeg(astronaut()))
    return Matcher([HashList("seized-7", (HashEntry("seized-7-000001", hashed.hashes),))])


@pytest.mark.parametrize(("listing", "registered", "verdict", "why"), [
    ({"title": "二手相机 九成新"}, True, "block", "a harmless text with a known pack's photo"),
    ({"title": "防骗提醒：有人出售人脸素材，请勿购买 举报"}, True, "block",
     "a warning post's benign contexts do not outweigh a known pack's photo"),
    ({"title": "二手相机 九成新"}, False, "allow", "no list registered: nothing changes"),
])
def test_known_pack_image(tmp_path: Path, listing: dict[str, object], registered: bool,
                          verdict: str, why: str) -> None:
    hook.use(known() if registered else None)
    image = tmp_path / "p.jpg"
    image.write_bytes(jpeg(ImageOps.mirror(astronaut()), 50))
    result = screen_listing({**listing, "images": [str(image)]})
    assert result.verdict == verdict, why
    texts = [str(r) for r in result.reasons]
    assert any("image from a known traded pack (list seized-7, distance " in t
               for t in texts) is registered


def test_a_known_pack_blocks_whatever_the_text_says(tmp_path: Path) -> None:
    """A warning post, a talk about the trade, a benign title: a picture from a seized pack
    is blocked all the same (the hash match is the evidence)."""
    hook.use(known())
    image = tmp_path / "p.jpg"
    image.write_bytes(jpeg(ImageOps.mirror(astronaut()), 50))
    for text in ("警惕！有人在群里卖人脸照片，大家不要上当，已报警", "二手相机 九成新"):
        result = screen_listing({"title": text, "images": [str(image)]})
        assert result.verdict == "block", text
        assert result.reasons[0].signal == "known traded pack"


def test_unrelated_image_adds_no_reason(tmp_path: Path) -> None:
    hook.use(known())
    image = tmp_path / "p.jpg"
    image.write_bytes(jpeg(Image.effect_noise((300, 300), 70).convert("RGB")))
    result = screen_listing({"title": "二手相机 九成新", "images": [str(image)]})
    assert result.verdict == "allow"
    assert not any("known traded pack" in str(r) for r in result.reasons)
