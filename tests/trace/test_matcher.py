"""The match policy: dihedral variants, windows, weak hashes, documents need a second signal."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageOps

from notforsale.demo import id_card_image
from notforsale.trace.hashing import ImageHash, hash_bytes
from notforsale.trace.hashlist import HashEntry, HashList
from notforsale.trace.matcher import Matcher, Query, query_bytes, query_hash

from .conftest import TRANSFORMS, astronaut, jpeg

CAT = Image.effect_mandelbrot((512, 384), (-2.0, -1.2, 1.0, 1.2), 60).convert("RGB")


def listed(*images: tuple[str, bytes]) -> Matcher:
    entries = []
    for name, data in images:
        hashed = hash_bytes(data)
        entries.append(HashEntry(name, hashed.hashes, hashed.document))
    return Matcher([HashList("pack-a", tuple(entries))])


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return listed(("astronaut", jpeg(astronaut())), ("fractal", jpeg(CAT)))


@pytest.mark.parametrize("transform", list(TRANSFORMS))
def test_copies_match_and_are_confirmed(matcher: Matcher, transform: str) -> None:
    found = matcher.match(query_bytes(jpeg(TRANSFORMS[transform](astronaut()), 70)))
    assert found and found[0].entry == "astronaut" and found[0].confirmed, transform
    assert found[0].distance <= 31
    assert found[0].reason() == \
        f"image from a known traded pack (list pack-a, distance {found[0].distance})"


@pytest.mark.parametrize(("transform", "variant"), [
    (lambda im: im.transpose(Image.Transpose.ROTATE_180), "rotated 180°"),
    (ImageOps.mirror, "flipped horizontally"),
    (ImageOps.flip, "flipped vertically"),
])
def test_dihedral_variant_is_named(matcher: Matcher, transform, variant: str) -> None:  # type: ignore[no-untyped-def]
    full = query_bytes(jpeg(transform(astronaut()), 90))
    best = matcher.best(Query(full.whole, full.quality))  # whole-image variants alone
    assert best is not None and best.signal == "pdq" and best.variant == variant


def test_unrelated_picture_matches_nothing(matcher: Matcher) -> None:
    noise = Image.effect_noise((400, 300), 80).convert("RGB")
    assert matcher.match(query_bytes(jpeg(noise))) == []


def test_query_by_hash(matcher: Matcher) -> None:
    whole = hash_bytes(jpeg(astronaut())).whole.hex
    best = matcher.best(query_hash(whole))
    assert best is not None and (best.entry, best.distance, best.variant) == \
        ("astronaut", 0, "hash")


def test_weak_whole_hash_is_reported_not_confirmed() -> None:
    # A soft gradient: PDQ quality 44, no corners for windows; the same file is looked up.
    data = jpeg(Image.linear_gradient("L").resize((300, 200)).convert("RGB"))
    found = listed(("gradient", data)).match(query_bytes(data))
    assert found and found[0].weak and not found[0].confirmed


def test_imported_hash_of_unknown_quality_is_not_weak() -> None:
    whole = hash_bytes(jpeg(astronaut())).whole
    imported = HashEntry("x", (ImageHash("pdq", whole.hash, None),))
    best = Matcher([HashList("from-b", (imported,))]).best(query_bytes(jpeg(astronaut(), 60)))
    assert best is not None and best.list == "from-b"


# ID cards of one template hash alike: a document match needs the face region to match too.
def card(number: str, face: Image.Image) -> bytes:
    return id_card_image(face, number)


@pytest.mark.parametrize(("query", "matches", "confirmed", "why"), [
    (lambda: card("110101199003071233", astronaut()), True, True, "the same card"),
    (lambda: jpeg(ImageOps.mirror(Image.open(io.BytesIO(card("110101199003071233",
                                                               astronaut())))), 50),
     True, True, "the same card, mirrored and re-encoded: its face windows match too"),
    (lambda: card("440305198512310026", CAT), True, False,
     "another card of the template: near match, no second signal"),
])
def test_documents_need_a_second_signal(query, matches: bool, confirmed: bool,  # type: ignore[no-untyped-def]
                                        why: str) -> None:
    matcher = listed(("card", card("110101199003071233", astronaut())))
    found = matcher.match(query_bytes(query()))
    assert bool(found) is matches, why
    if found:
        assert found[0].document and found[0].confirmed is confirmed, why
