"""Pictures and the transforms sellers apply to them, for the trace tests."""

from __future__ import annotations

import io
from collections.abc import Callable
from importlib import resources

import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from tests.conftest import SHARED


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def reencoded(image: Image.Image, quality: int) -> Image.Image:
    return Image.open(io.BytesIO(jpeg(image, quality))).convert("RGB")


def cropped(image: Image.Image, left: float, top: float, right: float,
            bottom: float) -> Image.Image:
    width, height = image.size
    return image.crop((round(width * left), round(height * top), round(width * (1 - right)),
                       round(height * (1 - bottom))))


def caption(image: Image.Image, share: float = 0.1, top: bool = False) -> Image.Image:
    """A white band with a seller's text over the bottom (or top) tenth."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    width, height = out.size
    band = round(height * share)
    y0 = 0 if top else height - band
    draw.rectangle((0, y0, width, y0 + band), fill=(255, 255, 255))
    draw.text((8, y0 + band // 3), "5000 faces  vx: facepack88  10 yuan", fill=(0, 0, 0))
    return out


#: name -> transform, as bench/trace.py measures them.
TRANSFORMS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "jpeg 30": lambda im: reencoded(im, 30),
    "resize 0.5": lambda im: im.resize((im.size[0] // 2, im.size[1] // 2)),
    "brighter": lambda im: ImageEnhance.Brightness(im).enhance(1.3),
    "rotate 90": lambda im: im.transpose(Image.Transpose.ROTATE_90),
    "mirror": ImageOps.mirror,
    "crop 4% each side": lambda im: cropped(im, 0.04, 0.04, 0.04, 0.04),
    "crop 10% left": lambda im: cropped(im, 0.10, 0, 0, 0),
    "caption band": caption,
}


def astronaut() -> Image.Image:
    """The photo bundled with the package (present in every clone)."""
    with (resources.files("notforsale") / "data" / "astronaut.jpg").open("rb") as handle:
        return Image.open(handle).convert("RGB")


@pytest.fixture(scope="session")
def shared_photos() -> dict[str, Image.Image]:
    """The 19 shared real photos (faces/ and persons/), skipped in a user's clone."""
    files = sorted(p for folder in ("faces", "persons") for p in (SHARED / folder).glob("*.*")
                   if p.suffix in (".jpg", ".png"))
    if not files:
        pytest.skip("../shared/data is not here (a user's clone)")
    return {p.name: Image.open(p).convert("RGB") for p in files}
