"""Read a text file or standard input, whatever its Chinese or Unicode encoding.

UTF-8 (with or without a byte-order mark) is tried first, then UTF-16 when a
BOM says so, then GB18030 (a superset of GBK/CP936, which Chinese Windows
tools write). Bytes that fit none of them are an :class:`InputError`, never
a silent replacement character.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError


def decode(data: bytes, name: str = "<bytes>") -> str:
    """Decode bytes as UTF-8, UTF-16 (with BOM) or GB18030."""
    encodings: tuple[str, ...]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(name, "not text in UTF-8, UTF-16 or GB18030")


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
