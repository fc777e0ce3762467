"""Decode images (first frame) with Pillow, sized for the detectors, and read EXIF.

JPEGs are decoded at a reduced scale straight from the DCT (``Image.draft``)
when the detector needs fewer pixels than the photo has: a 4000-pixel photo
costs a fraction of a full decode.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"})
#: Refuse images with more pixels than this (decompression bombs).
MAX_PIXELS = 120_000_000

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class ImageError(ValueError):
    """The bytes are not a readable image."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """An image as the detectors need it."""

    rgb: np.ndarray          # the image scaled so its longer side is at most max_side
    scale: float             # rgb pixels per original pixel
    size: tuple[int, int]    # original (width, height), after EXIF orientation
    exif: dict[str, object]  # EXIF tags by name (GPS as a nested dict)
    #: Free text in the image's metadata (captions, comments, PNG text, XMP), by where.
    texts: dict[str, str] = field(default_factory=dict)


def looks_like_image(head: bytes) -> bool:
    return head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")) \
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _exif(image: Image.Image) -> dict[str, object]:
    raw = image.getexif()
    if not raw:
        return {}
    tags: dict[str, object] = {ExifTags.TAGS.get(k, str(k)): v for k, v in raw.items()}
    for ifd, name in ((ExifTags.IFD.Exif, "Exif"), (ExifTags.IFD.GPSInfo, "GPSInfo")):
        try:
            sub = raw.get_ifd(ifd)
        except (KeyError, ValueError, TypeError):
            continue
        if not sub:
            continue
        if name == "GPSInfo":
            tags["GPSInfo"] = {ExifTags.GPSTAGS.get(k, str(k)): v for k, v in sub.items()}
        else:
            tags.update({ExifTags.TAGS.get(k, str(k)): v for k, v in sub.items()})
    return tags


def open_image(data: bytes, draft_side: int | None = None) -> tuple[Image.Image, tuple[int, int]]:
    """The first frame, loaded, and its stored size; unreadable data or a decompression
    bomb raise :class:`ImageError`. A JPEG more than twice ``draft_side`` on its longer
    side is decoded at a reduced scale straight from the DCT.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            size = image.size
            if draft_side and image.format == "JPEG" and max(size) > 2 * draft_side:
                image.draft("RGB", (draft_side, draft_side))
            image.seek(0)
            image.load()
    except UnidentifiedImageError:
        raise ImageError("unreadable image (not a known image format)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"image larger than {MAX_PIXELS} pixels (a decompression bomb?)") \
            from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageError(f"unreadable image ({type(error).__name__}: {error})") from None
    return image, size


#: Modes of more than eight bits a channel (16-bit greyscale PNG and TIFF, 32-bit integer
#: and float images): Pillow's conversion to RGB clips every value over 255 (a white
#: picture), so they are scaled to eight bits first.
_WIDE_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N", "I", "F"})


def eight_bit(image: Image.Image) -> Image.Image:
    """``image`` in an eight-bit mode ("L" for the wide ones, scaled by their range);
    itself when it already is."""
    if image.mode not in _WIDE_MODES:
        return image
    values = np.asarray(image, dtype=np.float64)
    top = values.max() if values.size else 0.0
    if image.mode.startswith("I;16") or (image.mode == "I" and 255 < top <= 65535
                                           and values.min() >= 0):
        scaled = values / 257.0
    elif image.mode == "I" and 0 <= values.min() and top <= 255:
        scaled = values
    else:  # floats or any other range: stretched over 0-255
        low = values.min() if values.size else 0.0
        scaled = (values - low) * (255.0 / (top - low)) if top > low else values * 0
    return Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8), mode="L")


def decode(data: bytes, max_side: int) -> Decoded:
    """Decode the first frame, honour EXIF orientation, shrink to ``max_side``."""
    image, (width, height) = open_image(data, max_side)
    try:
        exif = _exif(image)
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageError(f"unreadable image metadata ({type(error).__name__})") from None
    orientation = exif.get("Orientation")
    swapped = orientation in (5, 6, 7, 8)
    original = (height, width) if swapped else (width, height)
    frame: Image.Image = ImageOps.exif_transpose(image) if orientation else image
    frame = eight_bit(frame)
    # Shrunk before it is converted where the mode allows (one full-size copy less: a 120 MP
    # RGB PNG held two, 720 MB); palette and other modes are converted first.
    if frame.mode not in ("RGB", "L"):  # (RGBA: resize premultiplies alpha)
        frame = frame.convert("RGB")
    longer = max(frame.size)
    if longer > max_side:
        factor = max_side / longer
        frame = frame.resize((max(1, round(frame.size[0] * factor)),
                              max(1, round(frame.size[1] * factor))), Image.Resampling.BILINEAR)
    if frame.mode != "RGB":
        frame = frame.convert("RGB")
    scale = frame.size[0] / original[0]
    from .exif import text_metadata

    info = {str(k): v for k, v in image.info.items()}
    return Decoded(np.asarray(frame), scale, original, exif, text_metadata(exif, info))


def image_tail(data: bytes) -> bytes:
    """The bytes after a PNG's IEND or a JPEG's end of image — where a zip or a text is
    hidden behind a picture (a viewer shows the picture, an unzip tool the archive) — or
    b"" (nothing but padding, or not a PNG or JPEG whose end was found)."""
    end = _png_end(data) if data[:8] == b"\x89PNG\r\n\x1a\n" else \
        _jpeg_end(data) if data[:2] == b"\xff\xd8" else None
    if end is None:
        return b""
    tail = data[end:]
    return tail if tail.strip(b"\x00\t\n\r ") else b""


def _png_end(data: bytes) -> int | None:
    at = 8
    while at + 12 <= len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        kind = data[at + 4:at + 8]
        at += 12 + length
        if kind == b"IEND":
            return at
    return None


def _jpeg_end(data: bytes) -> int | None:
    """Where a JPEG ends: its segments followed by length, each scan's entropy-coded data
    to the next marker that is not a restart or a stuffed 0xFF, up to the end of image."""
    at = 2
    while at + 2 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xD9:
            return at + 2
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
        if marker == 0xDA:  # start of scan: its data runs to the next real marker
            while True:
                at = data.find(b"\xff", at)
                if at < 0 or at + 1 >= len(data):
                    return None
                following = data[at + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    at += 2
                elif following == 0xFF:
                    at += 1
                else:
                    break
    return None


def tail_name(tail: bytes) -> str:
    """A name for data found after the end of a file (a PDF's, a picture's), by its look."""
    if tail.startswith(b"PK\x03\x04"):
        return "after-end-of-file.zip"
    if tail.startswith(b"%PDF"):
        return "after-end-of-file.pdf"
    if tail.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "after-end-of-file.7z"
    head = tail[:4096]
    if not head.translate(None, bytes(range(32, 127)) + b"\x00\t\n\x0c\r "):
        return "after-end-of-file.txt"
    try:
        return "after-end-of-file.txt" if head.decode("utf-8").isprintable() or \
            "\n" in head.decode("utf-8") else "after-end-of-file.bin"
    except UnicodeDecodeError:
        return "after-end-of-file.bin"


#: Pages read of one multi-page TIFF (the rest is reported).
MAX_TIFF_PAGES = 500


def page_count(data: bytes) -> int:
    """How many pages (frames) an image file holds; 1 when it cannot tell."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return int(getattr(image, "n_frames", 1) or 1)
    except Exception:  # noqa: BLE001 - unreadable: the image reader says why
        return 1


def tiff_pages(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Each page of a multi-page TIFF as PNG bytes, one at a time."""
    with Image.open(io.BytesIO(data)) as image:
        for index in range(min(int(getattr(image, "n_frames", 1)), MAX_TIFF_PAGES)):
            image.seek(index)
            if image.size[0] * image.size[1] > MAX_PIXELS:
                raise ImageError(f"page {index + 1} is larger than {MAX_PIXELS} pixels")
            out = io.BytesIO()
            # a fax page stays bilevel, a grey scan grey: an RGB copy of a 2000×2000 fax
            # page is 12 MB to encode (and decode again) instead of 0.5 MB
            page = image if image.mode in ("1", "L", "RGB") else image.convert("RGB")
            page.save(out, format="PNG", compress_level=1)
            yield index + 1, out.getvalue()


def read_tiff_pages(member: Any, ctx: Any) -> Iterator[Any]:
    """The pages of a multi-page TIFF (a scanned document), each a nested image."""
    from ..errors import InputError
    from .units import PartError

    try:
        pages = page_count(member.data)
        for number, png in tiff_pages(member.data):
            yield member.child(f"page-{number}.png", png, ctx.key, embedded=True)
    except (ImageError, OSError, ValueError, EOFError) as error:
        raise InputError(member.path, f"unreadable TIFF ({error})") from None
    if pages > MAX_TIFF_PAGES:
        yield PartError(f"pages {MAX_TIFF_PAGES + 1}-{pages}", "not read: over the page limit")


class PixelBudget:
    """Pixels decoded at once, across threads: a large image waits until the images being
    read make room (one larger than the whole budget is read alone). Six 120-megapixel PNGs
    read side by side took 2.5 GB; one at a time, under 1 GB."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.used = 0
        self._lock = threading.Condition()

    @contextmanager
    def reserve(self, pixels: int) -> Iterator[None]:
        need = min(max(pixels, 0), self.capacity)
        with self._lock:
            while self.used and self.used + need > self.capacity:
                self._lock.wait()
            self.used += need
        try:
            yield
        finally:
            if pixels >= TRIM_PIXELS:
                release_free_memory()
            with self._lock:
                self.used -= need
                self._lock.notify_all()


#: After an image this large, the C allocator is asked to give freed memory back.
TRIM_PIXELS = 40_000_000


def release_free_memory() -> None:
    """Return freed heap memory to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Each thread allocates from its own glibc arena and a freed 16 MB block of a decoded
    image stays in that arena: two 120 MP PNGs read on two threads held ~450 MB each after
    they were done (1.3 GB peak), trimmed ~0.9 GB.
    """
    global _trim
    if _trim is None:
        import ctypes
        import ctypes.util

        try:
            _trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _trim = False
    if _trim:
        _trim(0)


_trim: Any = None


#: Pixels decoded at once in this process (scan and redaction share it).
PIXELS = PixelBudget(160_000_000)


def pixels(data: bytes) -> int:
    """Width times height from an image's header (0 when it cannot tell)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            return width * height
    except Exception:  # noqa: BLE001 - the reader proper says why it cannot be read
        return 0
