"""Redact one image: faces blurred (or pixelated, or filled), numbers read by OCR filled,
metadata gone.

Faces are found as the scanner finds them but at a lower threshold (a missed face
costs more here than a blurred shoulder). Each is covered by an ellipse grown by a
margin, sized to the face, so small and profile faces are covered too. The blur
radius scales with the face, so no detail of it survives. The image is written
anew in its own format with no EXIF, XMP, ICC profile or comments; orientation is
applied to the pixels first, so it still displays the right way up.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from ..read.images import ImageError, decode
from ..vision import ocr_policy
from ..vision.analyze import OCR_MAX_SIDE, TextHit, read_text_hits
from ..vision.faces import DEFAULT_MAX_SIDE, shared_detector

FACE_MODES = ("blur", "pixelate", "fill")
#: Detection threshold when redacting (the scanner counts faces at 0.4).
REDACT_THRESHOLD = 0.25
#: How much each face box grows before it is covered (a share of its size, per side).
MARGIN = 0.25
_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "BMP": "BMP", "GIF": "GIF",
            "TIFF": "TIFF", "MPO": "JPEG"}


@dataclass(frozen=True, slots=True)
class ImageChanges:
    faces: int = 0
    numbers: int = 0
    metadata_removed: bool = False


def _cover(image: Image.Image, box: tuple[int, int, int, int], mode: str) -> None:
    x0, y0, x1, y1 = box
    grow_x, grow_y = round((x1 - x0) * MARGIN), round((y1 - y0) * MARGIN)
    x0, y0 = max(0, x0 - grow_x), max(0, y0 - grow_y)
    x1, y1 = min(image.width, x1 + grow_x), min(image.height, y1 + grow_y)
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


def redact_image(path: str, data: bytes, *, faces: str = "blur", ocr: str = "auto",
                 threshold: float = REDACT_THRESHOLD) -> tuple[bytes, ImageChanges]:
    """The redacted image's bytes (same format) and what changed."""
    small = decode(data, DEFAULT_MAX_SIDE)
    found = shared_detector().detect(small.rgb, small.scale, threshold)
    run_ocr, _ = ocr_policy.decide(ocr, path, small, found)
    hits: list[TextHit] = read_text_hits(decode(data, OCR_MAX_SIDE)) if run_ocr else []
    try:
        source = Image.open(io.BytesIO(data))
        fmt = _FORMATS.get(source.format or "", "PNG")
        had_metadata = bool(source.info.get("exif") or source.info.get("icc_profile")
                            or source.info.get("xmp") or source.getexif()
                            or any(k in source.info for k in ("comment", "XML:com.adobe.xmp")))
        image = ImageOps.exif_transpose(source)
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") and fmt != "JPEG"
                              else "RGB")
    except (OSError, ValueError) as error:
        raise ImageError(f"unreadable image ({error})") from None
    for face in found:
        _cover(image, face.box, faces)
    draw = ImageDraw.Draw(image)
    for hit in hits:
        x0, y0, x1, y1 = hit.box
        draw.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), fill=(0, 0, 0))
    out = io.BytesIO()
    options: dict[str, object] = {}
    if fmt == "JPEG":
        options = {"quality": 92, "subsampling": 0}
    elif fmt == "WEBP":
        options = {"quality": 92}
    image.save(out, format=fmt, **options)  # no exif=, icc_profile=, pnginfo=: none written
    return out.getvalue(), ImageChanges(len(found), len(hits), had_metadata)
