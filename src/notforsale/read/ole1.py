"""Objects embedded in an RTF document (``{\\object … {\\*\\objdata <hex>}}``), read and
rebuilt.

An ``\\objdata`` group holds, in hexadecimal, an OLE 1.0 object (MS-OLEDS 2.2.4): a
version, a format id (2: embedded), a class name, a topic and an item name, each a
length-prefixed ANSI string, then the object's native data, its size first, then (often)
a picture of it. A file dropped into Word is embedded as class ``Package``, whose native
data is the OLE Packager's record: a label and the original path (zero-terminated ANSI),
a type, the temporary path it was copied to (length-prefixed), the file's bytes (their
length first) and, since Windows 7, the label and paths again in UTF-16. That is how a
spreadsheet of ID numbers rides inside an innocent-looking letter.

Written here, with a writer beside the reader (oletools reads these records, as a malware
analyst would, but writes none): the copy puts back the redacted file into the same
record, with the sizes made right, and masks the names in it.
"""

from __future__ import annotations

import binascii
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import InputError

_OBJDATA = re.compile(rb"\\objdata\b ?")
_SPECIAL = re.compile(rb"[{}\\]")
#: What RTF readers leave out of an object's hexadecimal digits: blanks, control words
#: and symbols, group braces (an evasion: digits broken by ``{}`` or ``\\par``).
_NOT_DATA = re.compile(rb"\\[a-zA-Z]{1,32}-?[0-9]{0,10} ?|\\'[0-9a-fA-F]{2}|\\.|[{}\s]")
_NON_HEX = re.compile(rb"[^0-9a-fA-F]")
_BIN = re.compile(rb"\\bin-?[0-9]")
_EMBEDDED = 2
#: A name taken from an object for its member: a suffix of letters and digits only.
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")


@dataclass
class RtfObject:
    """One ``\\objdata`` group: where its digits stand in the source (``start``, ``end``),
    the object's bytes, and what is known of them."""

    start: int
    end: int
    data: bytes
    error: str = ""


def rtf_objects(source: bytes) -> Iterator[RtfObject]:
    """Each ``\\objdata`` group of an RTF source, its digits decoded (a group given as
    ``\\bin`` bytes, or whose digits do not decode, is yielded with an ``error``)."""
    done = 0  # the end of the last group: a mark inside it is its data, not a group
    for mark in _OBJDATA.finditer(source):
        if mark.start() < done:
            continue
        start = at = mark.end()
        depth = 0
        while True:  # the end of the group: its closing brace (escaped braces skipped)
            special = _SPECIAL.search(source, at)
            if special is None:
                at = len(source)
                break
            at = special.end()
            char = special.group()
            if char == b"\\":
                at += 1
            elif char == b"{":
                depth += 1
            elif depth == 0:
                at = special.start()
                break
            else:
                depth -= 1
        done = at
        digits = source[start:at]
        if _BIN.search(digits):
            yield RtfObject(start, at, b"", "object data given as \\bin bytes not read")
            continue
        digits = _NON_HEX.sub(b"", _NOT_DATA.sub(b"", digits))
        if len(digits) % 2:
            digits = digits[:-1]  # Word reads an odd last digit as nothing
        yield RtfObject(start, at, binascii.unhexlify(digits))


@dataclass
class Embedded:
    """An OLE 1.0 object taken apart: ``head`` (version to item name), its native data
    and what follows it (its picture); for a ``Package``, the file it holds, ``names``
    (label, original path, temporary path, then the UTF-16 ones) and the parts around."""

    class_name: str
    head: bytes
    native: bytes
    tail: bytes
    file: bytes | None = None
    suffix: str = ""
    names: tuple[str, ...] = ()

    def rebuilt(self, file: bytes, rename: Callable[[str], str]) -> bytes:
        """The object with ``file`` in place of the one it holds and each name renamed."""
        native = _package(file, [rename(name) for name in self.names]) \
            if self.file is not None else self.native
        return self.head + struct.pack("<I", len(native)) + native + self.tail


def embedded(data: bytes) -> Embedded:
    """An OLE 1.0 object's parts; :class:`InputError` when it is not one (cut short, a
    linked object, sizes past its end)."""
    try:
        _version, format_id = struct.unpack_from("<II", data, 0)
        at = 8
        names = []
        for _ in range(3):
            (length,) = struct.unpack_from("<I", data, at)
            names.append(data[at + 4:at + 4 + length])
            at += 4 + length
        if format_id != _EMBEDDED:
            raise InputError("object", "a linked object (its file is elsewhere)")
        (size,) = struct.unpack_from("<I", data, at)
        native = data[at + 4:at + 4 + size]
        if len(native) != size or at > len(data):
            raise InputError("object", "object cut short (its data is smaller than it says)")
    except struct.error:
        raise InputError("object", "object cut short (not an OLE 1.0 object)") from None
    object_ = Embedded(names[0].rstrip(b"\0").decode("latin-1"), data[:at], native,
                       data[at + 4 + size:])
    if object_.class_name.lower() == "package":
        object_.file, object_.names = _unpackage(native)
        match = _SUFFIX.search(object_.names[0] if object_.names else "")
        object_.suffix = match.group().lower() if match else ""
    return object_


def _zero_ended(data: bytes, at: int) -> tuple[str, int]:
    end = data.find(b"\0", at)
    if end < 0:
        raise InputError("object", "package cut short (a name not ended)")
    return data[at:end].decode("gb18030", "surrogateescape"), end + 1


def _unpackage(native: bytes) -> tuple[bytes, tuple[str, ...]]:
    """The file a Package holds and its names (see the module's text)."""
    try:
        at = 2  # a signature (2)
        label, at = _zero_ended(native, at)
        original, at = _zero_ended(native, at)
        at += 4  # the type (3: embedded)
        (length,) = struct.unpack_from("<I", native, at)
        temporary = native[at + 4:at + 4 + length].rstrip(b"\0").decode(
            "gb18030", "surrogateescape")
        at += 4 + length
        (size,) = struct.unpack_from("<I", native, at)
        file = native[at + 4:at + 4 + size]
        if len(file) != size:
            raise InputError("object", "package cut short (its file is smaller than it says)")
        at += 4 + size
        names = [label, original, temporary]
        while at < len(native):  # the UTF-16 names: a length in characters, then them
            (length,) = struct.unpack_from("<I", native, at)
            text = native[at + 4:at + 4 + 2 * length]
            if len(text) != 2 * length:
                raise InputError("object", "package cut short (a UTF-16 name)")
            names.append(text.decode("utf-16-le", "surrogatepass"))
            at += 4 + 2 * length
    except struct.error:
        raise InputError("object", "package cut short") from None
    return file, tuple(names)


def _package(file: bytes, names: list[str]) -> bytes:
    def ansi(name: str) -> bytes:
        return name.encode("gb18030", "surrogateescape")

    temporary = ansi(names[2]) + b"\0"
    out = [b"\x02\x00", ansi(names[0]), b"\0", ansi(names[1]), b"\0",
           struct.pack("<HH", 0, 3), struct.pack("<I", len(temporary)), temporary,
           struct.pack("<I", len(file)), file]
    for name in names[3:]:
        out += [struct.pack("<I", len(name.encode("utf-16-le", "surrogatepass")) // 2),
                name.encode("utf-16-le", "surrogatepass")]
    return b"".join(out)


def objects(source: bytes) -> Iterator[tuple[RtfObject, Embedded | None, str]]:
    """Each ``\\objdata`` group of an RTF source taken apart: the group, its object (None
    when it cannot be read) and why not."""
    for found in rtf_objects(source):
        if found.error:
            yield found, None, found.error
            continue
        try:
            yield found, embedded(found.data), ""
        except InputError as error:
            yield found, None, error.reason
