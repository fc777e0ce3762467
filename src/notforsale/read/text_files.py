"""Read a text file or standard input, whatever its Chinese or Unicode encoding.

UTF-8 (with or without a byte-order mark) is tried first, then UTF-16 when a
BOM says so, then GB18030 (a superset of GBK/CP936, which Chinese Windows
tools write). Bytes that fit none of them are an :class:`InputError`, never
a silent replacement character.
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

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
