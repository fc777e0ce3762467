"""EXIF metadata that identifies a person or a place, as findings of their own.

- ``EXIF_GPS``: the position a photo was taken at (masked to one decimal,
  about 10 km; the fingerprint is of the exact position);
- ``EXIF_SERIAL``: camera body, lens or unique-image serial numbers;
- ``EXIF_DATETIME``: when the photo was taken (masked to the day).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..fingerprint import fingerprint
from ..model import Explanation, Finding

_SERIAL_TAGS = ("BodySerialNumber", "CameraSerialNumber", "LensSerialNumber", "ImageUniqueID")
_DATE_TAGS = ("DateTimeOriginal", "DateTimeDigitized", "DateTime")


@dataclass(frozen=True, slots=True)
class _Value:
    type: str
    canonical: str = field(repr=False)
    masked: str = ""
    tag: str = ""


def _degrees(value: object) -> float | None:
    try:
        d, m, s = (float(part) for part in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return d + m / 60 + s / 3600


def _gps(gps: object) -> _Value | None:
    if not isinstance(gps, dict):
        return None
    lat, lon = _degrees(gps.get("GPSLatitude")), _degrees(gps.get("GPSLongitude"))
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None
    if gps.get("GPSLatitudeRef") == "S":
        lat = -lat
    if gps.get("GPSLongitudeRef") == "W":
        lon = -lon
    return _Value("EXIF_GPS", f"{lat:.5f},{lon:.5f}", f"{lat:.1f}°, {lon:.1f}° (±10 km)",
                  "GPSInfo")


def exif_values(exif: dict[str, object]) -> list[_Value]:
    found = []
    gps = _gps(exif.get("GPSInfo"))
    if gps:
        found.append(gps)
    for tag in _SERIAL_TAGS:
        value = str(exif.get(tag, "")).strip().strip("\x00")
        if value and value not in ("0", "None"):
            masked = "*" * max(len(value) - 2, 1) + value[-2:]
            found.append(_Value("EXIF_SERIAL", f"{tag}:{value}", masked, tag))
    for tag in _DATE_TAGS:
        value = str(exif.get(tag, "")).strip().strip("\x00")
        if len(value) >= 10:
            day = value[:10].replace(":", "-")
            found.append(_Value("EXIF_DATETIME", value, day, tag))
            break
    return found


def exif_findings(exif: dict[str, object], key: bytes | None = None) -> list[Finding]:
    """Findings for the identifying EXIF tags of one image."""
    return [
        Finding(value.type, 0, 0, 1.0, value.masked, fingerprint(value.type, value.canonical, key),
                "exif", Explanation(f"EXIF tag {value.tag}"))
        for value in exif_values(exif)
    ]


#: EXIF tags whose values are free text someone typed (a caption, an author, a comment).
TEXT_TAGS = ("ImageDescription", "Artist", "Copyright", "UserComment", "XPTitle", "XPComment",
             "XPAuthor", "XPKeywords", "XPSubject", "DocumentName", "PageName", "HostComputer")


def _as_text(value: object) -> str:
    if isinstance(value, bytes):
        if value[:8] in (b"ASCII\x00\x00\x00", b"UNICODE\x00", b"JIS\x00\x00\x00\x00\x00"):
            body = value[8:]
            return body.decode("utf-16-le" if value[:7] == b"UNICODE" else "utf-8",
                               errors="replace")
        for encoding in ("utf-16-le", "utf-8") if b"\x00" in value[1:4] else ("utf-8",):
            try:
                return value.decode(encoding)
            except UnicodeDecodeError:
                continue
        return value.decode("latin-1")
    if isinstance(value, tuple) and value and all(isinstance(v, int) for v in value):
        return bytes(value).decode("utf-16-le", errors="replace")  # XP* tags
    return str(value)


def text_metadata(exif: dict[str, object], info: dict[str, object]) -> dict[str, str]:
    """Free text an image carries: EXIF captions and comments, a JPEG or GIF comment, PNG
    text chunks, an XMP packet — where a seller can write a number."""
    texts: dict[str, str] = {}
    for tag in TEXT_TAGS:
        if tag in exif:
            texts[f"EXIF {tag}"] = _as_text(exif[tag]).strip("\x00 ")
    for key, value in info.items():
        if key in ("exif", "icc_profile", "dpi", "jfif", "jfif_version", "jfif_unit",
                   "jfif_density", "progressive", "progression", "adobe", "adobe_transform",
                   "transparency", "gamma", "duration", "loop", "background", "version",
                   "extension", "compression", "aspect", "srgb", "chromaticity"):
            continue
        if isinstance(value, bytes | str) and value:
            texts[f"metadata {key}"] = _as_text(value)
    return {k: v for k, v in texts.items() if v.strip()}
