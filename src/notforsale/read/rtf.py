"""Rich Text Format: its text (striprtf) and the pictures embedded in it.

RTF keeps pictures as hexadecimal data inside ``{\\pict … \\pngblip|\\jpegblip …}``
groups; they become nested members (images go through face detection and OCR).
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator

from ..errors import InputError
from .member import Member
from .units import Part, PartError, ReadContext, TextUnit

_BLIP = re.compile(rb"\\(pngblip|jpegblip)")
_CONTROL = re.compile(rb"\\[a-zA-Z]+-?[0-9]* ?|\{\\\*\\[a-zA-Z]+[^{}]*\}")
_HEX = frozenset(b"0123456789abcdefABCDEF")
MAX_PICTURES = 2000


def rtf_text(data: bytes) -> str:
    from striprtf.striprtf import rtf_to_text

    try:
        source = data.decode("latin-1")  # RTF is 7-bit; escapes carry the rest
        return str(rtf_to_text(source, errors="replace"))
    except Exception as error:  # noqa: BLE001 - striprtf raises many types on bad input
        raise InputError("rtf", f"unreadable RTF ({type(error).__name__})") from None


def pictures(data: bytes) -> Iterator[tuple[int, int, str, bytes]]:
    """(start, end, kind, bytes) of each PNG or JPEG picture's hex data in the source."""
    for match in _BLIP.finditer(data):
        kind = "png" if match.group(1) == b"pngblip" else "jpg"
        at = match.end()
        # Skip the control words that follow (\picw123\pich45 …) up to the hex data.
        while at < len(data):
            control = _CONTROL.match(data, at)
            if control is not None and control.end() > at:
                at = control.end()
                continue
            if data[at] in b" \r\n\t":
                at += 1
                continue
            break
        start = at
        while at < len(data) and (data[at] in _HEX or data[at] in b" \r\n\t"):
            at += 1
        hex_digits = re.sub(rb"\s+", b"", data[start:at])
        if len(hex_digits) >= 64 and len(hex_digits) % 2 == 0:
            try:
                yield start, at, kind, binascii.unhexlify(hex_digits)
            except binascii.Error:
                continue


def read_rtf(member: Member, ctx: ReadContext) -> Iterator[Part]:
    if not member.data.lstrip()[:5] == b"{\\rtf":
        raise InputError(member.path, "not an RTF document")
    try:
        text = rtf_text(member.data)
    except InputError as error:
        raise InputError(member.path, error.reason) from None
    if text.strip():
        yield TextUnit(text, whole_text=True)
    for index, (_start, _end, kind, picture) in enumerate(pictures(member.data), start=1):
        if index > MAX_PICTURES:
            yield PartError("pictures", f"pictures after the first {MAX_PICTURES} not read")
            break
        yield member.child(f"picture-{index}.{kind}", picture, ctx.key, embedded=True)
