"""The verification reuses what the redaction of an image learnt — and still fails when a
face or a number is left.

The redaction of an image records what it learnt (:class:`redact.evidence.ImageEvidence`):
whether it read the image's text (and where), whether the text gate found no line in it,
the regions whose pixels it changed and the band it searched for faces at 1280 pixels,
bound to the digest of the bytes it wrote. The verification reads the copy from disk and
checks faces on its pixels every time; it reads text again only where the redaction
filled numbers or changed pixels. Each case below says what the copy holds, the verdict
expected and why. Every case that expects a failure would pass if the verification were
skipped, so they fail then.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from notforsale.redact import evidence as ev
from notforsale.redact.check_images import check_image
from notforsale.redact.images import redact_image
from notforsale.redact.tree import RedactOptions, redact
from tests.conftest import shared_faces

ID = "110101199003071233"
PHONE = "13812345678"


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _jpeg(image: Image.Image, quality: int = 92) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _card(size: tuple[int, int] = (300, 190)) -> Image.Image:
    card = Image.new("RGB", size, (240, 240, 235))
    ImageDraw.Draw(card).text((12, size[1] - 50), f"ID {ID}", fill=(0, 0, 0),
                              font=ImageFont.load_default(size=24))
    return card


def _crowd_with_card() -> bytes:
    """The crowd photo with a printed card: the gate fires, OCR reads the number."""
    photo = Image.open(shared_faces() / "city.jpg").convert("RGB")
    photo.paste(_card(), (480, 360))
    return _png(photo)


def _photo(name: str) -> bytes:
    """A shared photo: ``faces/NAME``, or ``persons/NAME`` (portraits)."""
    folder = shared_faces()
    path = folder / name if (folder / name).is_file() else folder.parent / "persons" / name
    if not path.is_file():
        pytest.skip(f"../shared/data has no {name}")
    return path.read_bytes()


def _ids(check: object) -> int:
    """Identity numbers found (faces and EXIF aside)."""
    return sum(1 for item in check.findings  # type: ignore[attr-defined]
               if item.finding.type in ("CN_RESIDENT_ID", "PHONE_NUMBER", "BANK_CARD"))


def _faces(check: object) -> int:
    return sum(1 for item in check.findings  # type: ignore[attr-defined]
               if item.finding.type == "FACE")


def _with_number_in(data: bytes, box: tuple[int, int, int, int]) -> bytes:
    """The copy with a mobile number printed (dark on a light strip) inside ``box``."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    x0, y0, x1, y1 = box
    size = max(10, (x1 - x0 - 8) // 7)  # 11 digits of about 0.6 em each fit the width
    font = ImageFont.load_default(size=size)
    top = (y0 + y1) // 2
    draw = ImageDraw.Draw(image)
    draw.rectangle((x0 + 2, top - 4, x1 - 2, top + size + 6), fill=(240, 240, 235))
    draw.text((x0 + 4, top), PHONE, fill=(0, 0, 0), font=font)
    return _png(image)


# -- the table: copy, verdict, reason ----------------------------------------------------

def case_face_left_bytes_changed() -> tuple[bytes, ev.ImageEvidence, str]:
    """The original written where the copy should be: the digest does not match."""
    out, changes = redact_image("two_people.jpg", _photo("two_people.jpg"))
    assert changes.evidence is not None and changes.faces == 2
    return _photo("two_people.jpg"), changes.evidence, "two_people.jpg"


def case_face_left_bookkeeping_says_covered() -> tuple[bytes, ev.ImageEvidence, str]:
    """The evidence claims the faces were covered and matches the bytes, which still show
    them (a cover that did nothing)."""
    original = _photo("two_people.jpg")
    _, changes = redact_image("two_people.jpg", original)
    assert changes.evidence is not None
    return original, dataclasses.replace(changes.evidence, digest=ev.digest(original)), \
        "two_people.jpg"


def case_number_left_where_it_was_filled() -> tuple[bytes, ev.ImageEvidence, str]:
    """The redaction filled a number (its evidence says so) but the bytes still hold it."""
    original = _crowd_with_card()
    _, changes = redact_image("IMG_0042.png", original)
    assert changes.evidence is not None and changes.numbers >= 1
    return original, dataclasses.replace(changes.evidence, digest=ev.digest(original)), \
        "IMG_0042.png"


def case_number_appears_where_redaction_painted() -> tuple[bytes, ev.ImageEvidence, str]:
    """A portrait whose text was never read: a number shows up inside the covered face
    (as if the cover had drawn it); the evidence matches those bytes."""
    out, changes = redact_image("obama_2.jpg", _photo("obama_2.jpg"))
    assert changes.evidence is not None and changes.evidence.text == ev.PORTRAIT
    face = changes.evidence.painted[0]
    copy = _with_number_in(out, face)
    return copy, dataclasses.replace(changes.evidence, digest=ev.digest(copy)), "obama_2.jpg"


def case_number_appears_after_no_lines() -> tuple[bytes, ev.ImageEvidence, str]:
    """A group photo the gate found no line in: a number appears in a covered face."""
    out, changes = redact_image("three_people.jpg", _photo("three_people.jpg"))
    assert changes.evidence is not None and changes.evidence.text == ev.NO_LINES
    face = max(changes.evidence.painted, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
    copy = _with_number_in(out, face)
    return copy, dataclasses.replace(changes.evidence, digest=ev.digest(copy)), \
        "three_people.jpg"


def case_number_outside_painted_but_bytes_changed() -> tuple[bytes, ev.ImageEvidence, str]:
    """A number added to a copy after it was written, away from what was painted: the digest
    does not match, so nothing learnt applies and the copy is read in full."""
    out, changes = redact_image("three_people.jpg", _photo("three_people.jpg"))
    assert changes.evidence is not None
    image = Image.open(io.BytesIO(out)).convert("RGB")
    image.paste(_card(), (40, 40))
    return _png(image), changes.evidence, "three_people.jpg"


@pytest.mark.parametrize("make,verdict,reason", [
    (case_face_left_bytes_changed, "face",
     "the copy on disk is not what the redaction wrote: nothing it learnt applies"),
    (case_face_left_bookkeeping_says_covered, "face",
     "faces are checked on the copy's pixels, never taken from the redaction's records"),
    (case_number_left_where_it_was_filled, "number",
     "where the redaction filled numbers, the copy's text is read again"),
    (case_number_appears_where_redaction_painted, "number",
     "what was learnt of the original's text does not hold where pixels changed"),
    (case_number_appears_after_no_lines, "number",
     "'no text line' was learnt of the original, not of the regions painted since"),
    (case_number_outside_painted_but_bytes_changed, "number",
     "a copy changed after it was written is read like any image"),
])
def test_verification_fails_when_something_is_left(make: object, verdict: str,
                                                   reason: str) -> None:
    copy, evidence, name = make()  # type: ignore[operator]
    check = check_image(f"out/{name}", copy, evidence)
    if verdict == "face":
        assert _faces(check) >= 1, reason
    else:
        assert _ids(check) >= 1, reason


@pytest.mark.parametrize("data,name,ocr_on_copy,reason", [
    (lambda: _photo("two_people.jpg"), "two_people.jpg", False,
     "no face fills the frame and the gate found no line in the original: only the covered "
     "faces are looked at for text, and they hold none"),
    (lambda: _photo("obama_2.jpg"), "obama_2.jpg", False,
     "a portrait: the policy reads no text in it, on the original or on the copy; only the "
     "covered face is looked at"),
    (lambda: _photo("two_people_b.jpg"), "two_people_b.jpg", False,
     "the gate fired on the original and OCR found no number: only the covered faces are "
     "looked at again"),
    (_crowd_with_card, "IMG_0042.png", True,
     "the gate fired and OCR filled a number: the copy is read there again to see it gone"),
])
def test_a_clean_copy_verifies_and_text_is_read_only_where_needed(
        data: object, name: str, ocr_on_copy: bool, reason: str) -> None:
    out, changes = redact_image(name, data())  # type: ignore[operator]
    assert changes.evidence is not None
    check = check_image(f"out/{name}", out, changes.evidence)
    assert check.findings == [], reason
    assert check.reused, reason
    assert ("ocr" in " ".join(check.looked)) is ocr_on_copy, (reason, check.looked)
    assert any(step.startswith("faces at 640") for step in check.looked), \
        "faces are always checked on the copy"


def test_a_crowd_is_checked_at_the_size_its_faces_were_covered_at() -> None:
    """The crowd's second look read a band at 1280 pixels: the check looks there again."""
    city = Image.open(shared_faces() / "city.jpg").convert("RGB")
    data = _jpeg(city.resize((city.width * 3 // 2, city.height * 3 // 2)), 70)
    out, changes = redact_image("crowd.jpg", data)
    assert changes.evidence is not None and changes.evidence.band is not None
    check = check_image("out/crowd.jpg", out, changes.evidence)
    assert any(step.startswith("faces at 1280") for step in check.looked), check.looked
    assert _faces(check) == 0


def test_a_copy_made_without_reading_text_is_still_read(tmp_path: Path) -> None:
    """``--ocr never`` learnt nothing about text: the check reads as the default would
    (reason: a copy must not pass because its check skipped the images too)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "IMG_0042.png").write_bytes(_crowd_with_card())
    report = redact(tmp_path / "src", tmp_path / "out", RedactOptions(ocr="never", workers=1))
    assert report.status == "failed"
    assert report.remaining is not None
    assert report.remaining.entity_counts()["CN_RESIDENT_ID"] == 1


@pytest.mark.parametrize("tamper,status,reason", [
    (None, "verified", "the copy as written: faces covered, the number filled"),
    ("original", "failed", "the source written over the copy: faces and number are back"),
    ("number", "failed", "a number printed on the copy after it was written"),
])
def test_the_folder_verification_reads_the_copy_on_disk(tmp_path: Path, tamper: str | None,
                                                        status: str, reason: str) -> None:
    from notforsale.redact import tree

    source = tmp_path / "src"
    source.mkdir()
    (source / "IMG_0042.png").write_bytes(_crowd_with_card())
    (source / "group.jpg").write_bytes(_photo("three_people.jpg"))
    (source / "notes.txt").write_text("nothing here\n", encoding="utf-8")
    options = RedactOptions(workers=1, verify=False)
    report = redact(source, tmp_path / "out", options)
    assert report.status == "not verified"
    redactor_evidence = report.evidence
    assert set(redactor_evidence) == {"IMG_0042.png", "group.jpg"}
    copy = tmp_path / "out" / "group.jpg"
    if tamper == "original":
        (tmp_path / "out" / "IMG_0042.png").write_bytes(_crowd_with_card())
    elif tamper == "number":
        image = Image.open(copy).convert("RGB")
        image.paste(_card(), (40, 40))
        copy.write_bytes(_jpeg(image))
    remaining, _ = tree._verify(tmp_path / "out", True, RedactOptions(workers=1), {},
                                evidence=redactor_evidence)
    checked = tree.RedactReport("s", "d", report.files, remaining)
    assert checked.status == status, reason
    if status == "failed":
        assert remaining is not None and remaining.entity_counts()["CN_RESIDENT_ID"] >= 1


def test_text_states_follow_the_policy_decisions() -> None:
    """The redaction's OCR decision, as the check reads it (reason: a reason string the
    policy renames must not turn 'never looked' into 'looked and found nothing')."""
    from notforsale.vision.ocr_policy import Decision

    assert ev.text_state("never", Decision(False, "--ocr never")) == ev.NOT_LOOKED
    assert ev.text_state("auto", Decision(False, "portrait (a face fills the frame)")) == \
        ev.PORTRAIT
    assert ev.text_state("auto", Decision(False, "photo (no text lines)")) == ev.NO_LINES
    assert ev.text_state("auto", Decision(True, "text detector found 1 line(s) of text",
                                          (0, 0, 5, 5))) == ev.READ
    assert ev.text_state("auto", Decision(False, "something new")) == ev.NOT_LOOKED
