"""Read a text file or standard input, whatever its Chinese or Unicode encoding.

UTF-16 and UTF-32 are taken when a BOM says so or, without one, when the zero
bytes sit where those encodings put them; otherwise UTF-8 (with or without a
byte-order mark) is tried first, then GB18030 (a superset of GBK/CP936, which Chinese Windows
tools write). Bytes that fit none of them are an :class:`InputError`, never
a silent replacement character.
"""

from __future__ import annotations

import bisect
import codecs
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError


def wide_encoding(data: bytes) -> str | None:
    """UTF-32 or UTF-16, by its byte-order mark or, without one, by where its zero bytes
    sit (text in Latin letters and digits has a zero in every other byte, or three in four):
    the codec to decode ``data`` with, or None when it is neither."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:4096]
    if b"\x00" not in head or len(head) < 8:
        return None
    quarter = len(head) // 4
    lanes = [head[i:quarter * 4:4].count(0) / max(quarter, 1) for i in range(4)]
    # A character's top byte is always zero in UTF-32, the next nearly always (past the
    # first plane only); the third is zero for Latin text but not for Chinese (客: 5B A2).
    if lanes[2] > 0.9 and lanes[3] > 0.9 and lanes[0] < 0.5:
        return "utf-32-le"
    if lanes[0] > 0.9 and lanes[1] > 0.9 and lanes[3] < 0.5:
        return "utf-32-be"
    half = len(head) // 2
    even, odd = head[0:half * 2:2].count(0) / half, head[1:half * 2:2].count(0) / half
    if odd > 0.4 and even < 0.1:
        return "utf-16-le"
    if even > 0.4 and odd < 0.1:
        return "utf-16-be"
    return None


def decode(data: bytes, name: str = "<bytes>") -> str:
    """Decode bytes as UTF-8, UTF-16 or UTF-32 (with a BOM or by their zero bytes) or
    GB18030."""
    encodings: tuple[str, ...]
    wide = wide_encoding(data)
    if wide is not None:
        encodings = (wide,)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(name, f"not text in {'UTF-8, UTF-16 or GB18030' if wide is None else wide}")


#: A tag, to a blank (``[^<>]``: an unclosed '<' costs one look, not a scan to the end).
_TAG = re.compile(r"<[^<>]*>")


def markup_text(suffix: str, text: str) -> bool:
    """Whether text read as plain text is markup whose character references (``&#x31;``)
    a viewer shows as characters: XML or SVG by name, or text that starts with a tag."""
    return "&#" in text and (suffix in (".xml", ".svg") or text.lstrip()[:1] == "<")


#: Tags between two digits (``<tspan>110105</tspan><tspan>1949…``), up to the second
#: digit (a look-ahead: ``1<a>2<b>3`` is two joins); each repetition starts with "<", so
#: the pattern is linear.
_SPLIT_BY_TAGS = re.compile(r"[0-9]\s*(?:<[^<>]*>\s*)+(?=[0-9Xx])")


def is_markup(suffix: str, text: str) -> bool:
    """XML or SVG by name, or text that starts with a tag."""
    return suffix in (".xml", ".svg") or text.lstrip()[:1] == "<"


def joined_across_tags(text: str) -> tuple[str, list[tuple[int, int]]] | None:
    """Markup's text as a viewer joins the pieces of a number: the tags between two digits
    taken out (``<tspan>110105</tspan><tspan>19491231002X</tspan>`` shows one ID), every
    other tag a space (``002X</text><desc>card`` stays apart); and where each tag was:
    (its position in the joined text, the characters taken out up to and with it). None
    when no tag stands between two digits."""
    joins = [(match.start(), match.end()) for match in _SPLIT_BY_TAGS.finditer(text)]
    if not joins:
        return None
    pieces: list[str] = []
    cuts: list[tuple[int, int]] = []
    at = removed = index = 0
    for match in _TAG.finditer(text):
        while index < len(joins) and joins[index][1] <= match.start():
            index += 1
        joined = index < len(joins) and joins[index][0] < match.start()
        pieces.append(text[at:match.start()])
        if not joined:
            pieces.append(" ")
        position = match.start() - removed + (0 if joined else 1)
        removed += match.end() - match.start() - (0 if joined else 1)
        cuts.append((position, removed))
        at = match.end()
    pieces.append(text[at:])
    return "".join(pieces), cuts


def raw_position(cuts: list[tuple[int, int]], position: int) -> int:
    """Where the character at ``position`` of the joined text is in the markup."""
    index = bisect.bisect_right(cuts, (position, 1 << 62)) - 1
    return position + (cuts[index][1] if index >= 0 else 0)


def crosses(cuts: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a tag stood inside ``start``–``end`` of the joined text."""
    after = bisect.bisect_right(cuts, (start, 1 << 62))
    return after < len(cuts) and cuts[after][0] < end


def across_tags(text: str) -> str | None:
    """The numbers only the joined text shows (their spans cross a tag), each on a line
    with the words before it; None when there are none."""
    from ..text.engine import scan_text

    joined = joined_across_tags(text)
    if joined is None:
        return None
    flat, cuts = joined
    lines = [flat[max(0, hit.start - 40):hit.end] for hit in scan_text(flat)
             if crosses(cuts, hit.start, hit.end)]
    return "\n".join(lines) if lines else None


def references_decoded(text: str) -> str | None:
    """Markup's text with tags blanked and character references decoded, as a viewer
    shows it; None when no reference changes anything."""
    import html

    blanked = _TAG.sub(" ", text)
    shown = html.unescape(blanked)
    return shown if shown != blanked else None


def read_text(path: str | Path) -> str:
    """The text of ``path``, or of standard input when ``path`` is ``-``.

    Errors name the path as shown (numbers in names masked): this is where it enters.
    """
    from ..text.mask import mask_path

    if str(path) == "-":
        return decode(sys.stdin.buffer.read(), "<stdin>")
    target = Path(path)
    shown = mask_path(str(target))
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise InputError(shown, "no such file") from None
    except IsADirectoryError:
        raise InputError(shown, "is a directory") from None
    except PermissionError:
        raise InputError(shown, "permission denied") from None
    except OSError as error:
        raise InputError(shown, f"cannot read ({error.strerror})") from None
    return decode(data, shown)


#: Standard input is read in pieces of about this many bytes, cut at a line's end.
STDIN_CHUNK = 4 * 1024 * 1024
#: A line longer than this many reads is cut at its last space (or where it stands): memory
#: holds a few reads, and the search for line ends sees each read once.
MAX_LINE_READS = 4


def stdin_pieces(stream: BinaryIO | None = None, chunk: int = STDIN_CHUNK
                 ) -> Iterator[tuple[int, str]]:
    """Standard input as (lines before, text) pieces, cut at line ends, decoded as it comes:
    memory holds one piece whatever the size of the input (a line longer than
    ``MAX_LINE_READS`` reads is cut at its last space). The encoding is chosen on the
    first piece (a BOM; else UTF-8 when it decodes, else GB18030)."""
    import codecs as _codecs

    source = stream if stream is not None else sys.stdin.buffer
    first = source.read(chunk)
    if first.startswith((_codecs.BOM_UTF16_LE, _codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif first.startswith(_codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            first.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as error:
            encoding = "utf-8" if error.start > len(first) - 4 else "gb18030"
    decoder = _codecs.getincrementaldecoder(encoding)(errors="strict")
    lines = 0
    held: list[str] = []  # text decoded since the last line end, each read searched once
    size = 0
    data = first
    while True:
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise InputError("<stdin>", f"not text in {encoding} (after line {lines})") \
                from None
        if not data:
            held.append(text)
            break
        cut = text.rfind("\n") + 1
        if cut:
            piece = "".join([*held, text[:cut]])
            yield lines, piece
            lines += piece.count("\n")
            held, size = [text[cut:]], len(text) - cut
        else:
            held.append(text)
            size += len(text)
            if size > MAX_LINE_READS * chunk:  # one line of many reads: cut at a space
                whole = "".join(held)
                at = max(whole.rfind(" "), whole.rfind("\t")) + 1 or len(whole)
                yield lines, whole[:at]
                held, size = [whole[at:]], len(whole) - at
        data = source.read(chunk)
    rest = "".join(held)
    if rest:
        yield lines, rest
