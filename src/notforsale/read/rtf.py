"""Rich Text Format: its text (striprtf) and the pictures embedded in it.

RTF keeps pictures as hexadecimal data inside ``{\\pict … \\pngblip|\\jpegblip …}``
groups; they become nested members (images go through face detection and OCR).
"""

from __future__ import annotations

import binascii
import bisect
import codecs
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


#: Destinations readers do not show as the document's text but a file keeps: document
#: information (title, author, comments…) and every ``{\\*\\…}`` group (bookmarks,
#: field instructions, generator notes).
_HIDDEN_GROUPS = frozenset({"info", "*"})


def hidden_text(source: str) -> str:
    """The text of the groups a reader leaves out (see ``_HIDDEN_GROUPS``), escapes
    decoded, one line per group; empty when there is none."""
    view = TextView(source)
    text = view.text
    out: list[str] = []
    depth, hidden_from = 0, None  # the depth where a hidden group opened
    starts = [span[1] for span in view.spans]
    index = 0
    at = 0
    while at < len(source):
        token = _TOKEN.match(source, at)
        if token is None:
            break
        word = token.group()
        if word == "{":
            depth += 1
            following = _TOKEN.match(source, token.end())
            name = following.group()[1:].rstrip(" 0123456789-") if following and \
                following.group().startswith("\\") else ""
            if hidden_from is None and name in _HIDDEN_GROUPS:
                hidden_from = depth
                index = bisect.bisect_left(starts, token.end())
                out.append("\n")
        elif word == "}":
            if hidden_from is not None and depth == hidden_from:
                end = bisect.bisect_left(starts, at)
                out.append(_view_between(view, text, index, end))
                hidden_from = None
            depth -= 1
        at = token.end()
    return "".join(out).strip()


def _view_between(view: TextView, text: str, first: int, last: int) -> str:
    """The view's text of spans ``first`` to ``last`` (exclusive)."""
    if first >= last:
        return ""
    start = view.spans[first][0]
    end = view.spans[last][0] if last < len(view.spans) else len(text)
    return text[start:end]


def read_rtf(member: Member, ctx: ReadContext) -> Iterator[Part]:
    if not member.data.lstrip()[:5] == b"{\\rtf":
        raise InputError(member.path, "not an RTF document")
    try:
        text = rtf_text(member.data)
    except InputError as error:
        raise InputError(member.path, error.reason) from None
    if text.strip():
        yield TextUnit(text, whole_text=True)
    hidden = hidden_text(member.data.decode("latin-1"))
    if hidden:
        yield TextUnit(hidden, whole_text=True, part="document information and hidden groups")
    for index, (_start, _end, kind, picture) in enumerate(pictures(member.data), start=1):
        if index > MAX_PICTURES:
            yield PartError("pictures", f"pictures after the first {MAX_PICTURES} not read")
            break
        yield member.child(f"picture-{index}.{kind}", picture, ctx.key, embedded=True)
    yield from _objects(member, ctx)


def _objects(member: Member, ctx: ReadContext) -> Iterator[Part]:
    """The objects embedded in the document (see :mod:`.ole1`): a file dropped in (a
    ``Package``) is a member named by its suffix, its names read as text; any other
    object's native data a member of its own (an OLE2 file, a picture), so that each
    ends read, skipped or an error."""
    from .ole1 import objects

    for index, (_found, object_, error) in enumerate(objects(member.data), start=1):
        where = f"object {index}"
        if index > MAX_PICTURES:
            yield PartError("objects", f"objects after the first {MAX_PICTURES} not read")
            break
        if object_ is None:
            yield PartError(where, error)
            continue
        if object_.file is None:
            yield member.child(f"object-{index}.bin", object_.native, ctx.key, embedded=True)
            continue
        names = "\n".join(name for name in object_.names if name.strip())
        if names:
            yield TextUnit(names, whole_text=True, part=f"{where}: its file's names")
        yield member.child(f"object-{index}{object_.suffix}", object_.file, ctx.key,
                           embedded=True)


_TOKEN = re.compile(r"\\'([0-9a-fA-F]{2})|\\u(-?[0-9]{1,6}) ?|\\uc([0-9]{1,2}) ?"
                    r"|\\bin([0-9]{1,10}) ?|\\[a-zA-Z]{1,32}-?[0-9]{0,10} ?|\\[^a-zA-Z]|[{}]"
                    r"|[^\\{}]+|\\")
_CODEPAGE = re.compile(r"\\ansicpg([0-9]{3,5})")
#: Control words a reader shows as a break; every other one (formatting) shows as nothing,
#: so ``12{\\b 34}`` is ``1234`` as readers show it.
_BREAKS = frozenset({"par", "line", "tab", "cell", "row", "sect", "page", "pard", "~", "_",
                     "-", "title", "subject", "author", "manager", "company", "operator",
                     "category", "keywords", "comment", "doccomm", "hlinkbase", "bkmkstart",
                     "bkmkend", "fldinst", "fldrslt",
                     # a {\\*\\…} destination and the user properties' parts: a hidden
                     # group's text does not run into the text before it
                     "*", "info", "userprops", "propname", "proptype", "staticval",
                     "linkval"})
_BINARY_RUN = re.compile(r"[0-9a-fA-F\r\n]{200,}")  # picture and object data


class TextView:
    """The text of an RTF source as a reader sees it (escapes decoded: ``\\'31`` and
    ``\\u49?`` are both ``1``), with the source span of each piece, so what is masked in
    the view can be masked at its place in the source.

    Control words that break text and hex data runs are each one space; other control
    words and group braces are nothing."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        #: per part: (view start, source start, source end, plain) — a plain part maps
        #: character for character; another is one view character for its whole span.
        self.spans: list[tuple[int, int, int, bool]] = []
        self._length = 0
        codepage = _CODEPAGE.search(source[:4096])
        self._decoder_name = f"cp{codepage.group(1)}" if codepage else "cp1252"
        try:
            codecs.lookup(self._decoder_name)
        except LookupError:
            self._decoder_name = "cp1252"
        self._build()

    def _add(self, text: str, start: int, end: int, plain: bool) -> None:
        if not text:
            return
        self.spans.append((self._length, start, end, plain))
        self.parts.append(text)
        self._length += len(text)

    def _build(self) -> None:
        source, at, skip, fallback = self.source, 0, 0, 1
        pending: list[tuple[int, int, int]] = []  # (byte, start, end) of \'hh escapes

        def flush() -> None:
            if not pending:
                return
            decoder = codecs.getincrementaldecoder(self._decoder_name)(errors="replace")
            first = pending[0][1]
            for byte, _start, end in pending:
                out = decoder.decode(bytes([byte]))
                if out:
                    self._add(out[:1], first, end, False)
                    first = end
            if first != pending[-1][2]:  # an unfinished multi-byte character
                self._add(" ", first, pending[-1][2], False)
            pending.clear()

        while at < len(source):
            token = _TOKEN.match(source, at)
            if token is None:  # a lone backslash at the end
                break
            end = token.end()
            hex_byte, code, uc, binary = token.group(1, 2, 3, 4)
            if skip:  # the fallback after \\uN: part of its span, not text
                if hex_byte is not None:
                    self._extend(end)
                    skip -= 1
                    at = end
                    continue
                if token.group()[0] not in "\\{}":
                    taken = min(skip, end - at)
                    self._extend(at + taken)
                    skip -= taken
                    at += taken
                    continue
                skip = 0
            if hex_byte is not None:
                pending.append((int(hex_byte, 16), at, end))
                at = end
                continue
            flush()
            if code is not None:
                value = int(code)
                self._add(chr(value % 65536) if value % 65536 < 0xD800 or value % 65536
                          >= 0xE000 else " ", at, end, False)
                skip = fallback
            elif uc is not None:
                fallback = int(uc)
                self._add(" ", at, end, False)
            elif binary is not None:
                # The reader (striprtf) reads the bytes after \binN as text; so does the
                # view, or a number there would be reported and never masked.
                self._add(" ", at, end, False)
            elif token.group()[0] in "\\{}":
                word = token.group()[1:].rstrip(" 0123456789-")
                self._add(" " if word in _BREAKS else "", at, end, False)
            else:
                text = token.group()
                last = 0
                for run in _BINARY_RUN.finditer(text):
                    if run.start() > last:
                        self._add(text[last:run.start()], at + last, at + run.start(), True)
                    self._add(" ", at + run.start(), at + run.end(), False)
                    last = run.end()
                if last < len(text):
                    self._add(text[last:], at + last, end, True)
            at = end
        flush()

    def _extend(self, end: int) -> None:
        view_start, start, _end, plain = self.spans[-1]
        self.spans[-1] = (view_start, start, end, plain)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def replaced(self, view: str) -> str:
        """The source with each changed character of ``view`` (the text with masks)
        written where it came from; a character outside ASCII as a ``\\uN?`` escape."""
        original = self.text
        changes = [i for i, (a, b) in enumerate(zip(original, view, strict=True)) if a != b]
        if not changes:
            return self.source
        starts = [span[0] for span in self.spans]
        out: list[str] = []
        last = 0
        for index in changes:
            part = bisect.bisect_right(starts, index) - 1
            view_start, start, end, plain = self.spans[part]
            if plain:
                start = start + index - view_start
                end = start + 1
            if start < last:
                continue
            out.append(self.source[last:start])
            ch = view[index]
            code = ord(ch) if ord(ch) < 32768 else ord(ch) - 65536
            out.append(ch if ord(ch) < 128 else f"\\u{code}?")
            last = end
        out.append(self.source[last:])
        return "".join(out)
