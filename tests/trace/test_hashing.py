"""Hashes of one picture: HMA's whole-image PDQ, weak hashes, windows that survive crops."""

from __future__ import annotations

import io

import numpy as np
import pdqhash
import pytest
from PIL import Image

from notforsale.demo import id_card_image
from notforsale.read.images import ImageError
from notforsale.trace.hashing import hash_bytes, hash_image, image_hashes
from notforsale.trace.signals import distance

from .conftest import TRANSFORMS, astronaut, caption, cropped, jpeg


def hma_pdq(data: bytes) -> str:
    """HMA's hasher, written out: Pillow at full size, pdqhash, the bit vector as hex."""
    vector, _ = pdqhash.compute(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
    return f"{int(''.join(str(bit) for bit in vector), 2):064x}"


def test_whole_image_hash_is_hmas() -> None:
    data = jpeg(astronaut(), 85)
    assert hash_bytes(data).whole.hex == hma_pdq(data)


def test_exif_rotated_photo_keeps_hmas_whole_hash() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways, shown upright
    out = io.BytesIO()
    astronaut().save(out, format="JPEG", quality=90, exif=exif)
    data = out.getvalue()
    hashed = hash_bytes(data)
    assert hashed.whole.hex == hma_pdq(data)
    assert len(hashed.of_kind("pdq_window")) > 0


@pytest.mark.parametrize(("image", "weak", "why"), [
    (Image.new("RGB", (300, 200), (120, 120, 120)), True, "a flat picture has no detail"),
    (Image.effect_noise((300, 200), 60).convert("RGB"), False, "noise is full of detail"),
])
def test_quality_marks_weak_hashes(image: Image.Image, weak: bool, why: str) -> None:
    hashed = hash_image(image)
    assert hashed.whole.weak is weak, why


def test_unreadable_bytes_raise_image_error() -> None:
    with pytest.raises(ImageError):
        hash_bytes(b"not an image at all")


def test_windows_are_not_weak_and_image_hashes_lists_them() -> None:
    hashes = image_hashes(astronaut())
    assert hashes[0].kind == "pdq"
    windows = [h for h in hashes if h.kind == "pdq_window"]
    assert len(windows) >= 4
    assert not any(h.weak for h in windows)


# Whole-image PDQ does not survive crops (and only some caption bands); the windows do.
# Smallest window distance between the original and its copy, on the bundled photo.
@pytest.mark.parametrize(("transform", "whole_lost", "why"), [
    (lambda im: cropped(im, 0.04, 0.04, 0.04, 0.04), True, "4 % off each side"),
    (lambda im: cropped(im, 0.10, 0.0, 0.0, 0.0), True, "10 % off the left"),
    (lambda im: cropped(im, 0.05, 0.05, 0.0, 0.0), True, "a corner cut away"),
    (caption, None, "a white band with text over the bottom tenth"),
    (lambda im: caption(im, 0.12, top=True), None, "a band over the top"),
])
def test_windows_survive_crops_and_bands(transform, whole_lost: bool | None,  # type: ignore[no-untyped-def]
                                         why: str) -> None:
    original = hash_image(astronaut())
    copy = hash_image(Image.open(io.BytesIO(jpeg(transform(astronaut()), 80))))
    if whole_lost is not None:
        assert (distance(original.whole.hash, copy.whole.hash) > 31) is whole_lost, why
    nearest = min(distance(a.hash, b.hash) for a in original.of_kind("pdq_window")
                  for b in copy.of_kind("pdq_window"))
    assert nearest <= 31, why


def test_an_id_card_is_a_document_with_face_windows() -> None:
    card = hash_bytes(id_card_image(astronaut(), "110101199003071233"))
    assert card.document
    assert card.of_kind("pdq_face")
    photo = hash_bytes(jpeg(astronaut()))
    assert not photo.document and not photo.of_kind("pdq_face")


def test_windows_survive_on_most_shared_photos(shared_photos: dict[str, Image.Image]) -> None:
    """The figure the README quotes comes from bench/trace.py; this keeps it from rotting."""
    for name in ("crop 4% each side", "crop 10% left", "caption band"):
        survived = 0
        for image in shared_photos.values():
            original = hash_image(image).of_kind("pdq_window")
            copy = hash_image(TRANSFORMS[name](image)).of_kind("pdq_window")
            survived += min((distance(a.hash, b.hash) for a in original for b in copy),
                            default=256) <= 31
        assert survived >= 0.8 * len(shared_photos), name
