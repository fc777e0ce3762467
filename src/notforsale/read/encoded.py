"""Stretches of plain text that show, once decoded, other text than they are written in.

A terminal shows ``ESC[31m1101ESC[0m01…`` as ``110101…``; a browser shows ``%31%31…`` and
``&#49;`` as digits; a mail reader ``=31=31…``; a program prints ``"110101" + "1990…"``
as one number. Sellers (and ordinary tools) write numbers so in logs, exports and
source files. Each such stretch is found here with the text it stands for, for the reader
(to read it decoded) and the writer (to write it decoded and masked in a copy).

Only a stretch whose decoded text holds seven digits or more (or an ``@``) and differs
from what is written is kept, so a hash, a base64 word of letters or a percent sign
standing for nothing adds nothing. Each kind is looked for only when the text holds its
mark (``ESC``, ``%3``, ``\\u``, ``=3``, ``&#``, a quote, a long base64 or hexadecimal word).

>>> found = encoded_stretches("q=%31%33%38%31%32%33%34%35%36%37%38")
>>> [(kind, decoded) for _start, _end, decoded, kind in found]
[('URL-encoded', '13812345678')]
"""

from __future__ import annotations

import base64
import binascii
import bisect
import gzip
import html
import itertools
import quopri
import re
import urllib.parse
import zlib
from collections.abc import Callable, Iterator

from ..text.normalize import digit_count

#: (start, end, decoded text, kind) of one stretch.
Stretch = tuple[int, int, str, str]

_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_OVERSTRIKE = re.compile(r"[^\b\n]\x08")
_TERMINAL_MARK = re.compile(r"[\x1b\x08]")
#: Runs of encoded units, each kind's; the stretch around a run takes in the plain
#: characters beside it and runs a few plain characters apart (see :func:`_around`). Each
#: pattern opens with its mark, which the regular-expression engine looks for fast: one
#: that opens with a group of alternatives is tried at every character (30 times slower).
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2})*")
#: (a browser reads a reference without its semicolon too: ``&#49&#50``)
_REFERENCE = r"[xX][0-9A-Fa-f]{1,6};?|[0-9]{1,7};?"
_REFERENCES = re.compile(rf"&#(?:{_REFERENCE})(?:&#(?:{_REFERENCE}))*")
#: ``\u0031``, ES6's ``\u{31}``, ``\x31``, octal ``\061``; IIS's ``%u0031`` apart (its
#: mark is not a backslash)
_ESCAPE_UNIT = r"u[0-9A-Fa-f]{4}|u\{[0-9A-Fa-f]{1,6}\}|x[0-9A-Fa-f]{2}|[0-3][0-7]{2}"
_ESCAPES = re.compile(rf"\\(?:{_ESCAPE_UNIT})(?:\\(?:{_ESCAPE_UNIT}))*")
_PERCENT_U = re.compile(r"%u[0-9A-Fa-f]{4}(?:%u[0-9A-Fa-f]{4})*")
_ESCAPE = re.compile(r"[\\%]u([0-9A-Fa-f]{4})|\\u\{([0-9A-Fa-f]{1,6})\}|\\x([0-9A-Fa-f]{2})"
                     r"|\\([0-3][0-7]{2})")
_QUOTED_PRINTABLE = re.compile(r"=(?:[0-9A-Fa-f]{2}|\r?\n)(?:=[0-9A-Fa-f]{2}|=\r?\n)*")
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#: Most plain characters a stretch takes in beside or between runs.
_REACH = 64
#: Base64 in words of 16 characters or more, lines of one block joined (76 a line).
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/])(?:[A-Za-z0-9+/]{16,}={0,2}(?:\r?\n|$))+"
                     r"|(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{15,}={0,6}(?![A-Za-z0-9+/=_-])",
                     re.MULTILINE)
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2}){8,}")
#: A base64 word's characters, and those a block of them spans (padding, line ends), as
#: bytes.translate tables: "a" for each, a space for any other byte.
_WORD_CHARS = (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")
_AS_WORD = bytes(0x61 if i in _WORD_CHARS else 0x20 for i in range(256))
_AS_BLOCK = bytes(0x61 if i in _WORD_CHARS + b"=\r\n" else 0x20 for i in range(256))
_SHORTEST_WORD = b"a" * 15
_OUTSIDE_BLOCK = re.compile(r"[^A-Za-z0-9+/_=\r\n-]")
#: Characters of text looked at in bytes at a time (three copies of it are made).
_PIECE = 1 << 20
#: A base64 word that is base32 too (upper-case letters and 2-7): tried as base32 when it
#: says nothing as base64 (one pass finds both)
_BASE32 = re.compile(r"[A-Z2-7]{16,}=*")
#: Adobe's ascii85, between ``<~`` and ``~>``
_ASCII85 = re.compile(r"<~[!-uz\s]{5,}?~>")
#: TeX between digits: commands (``\allowbreak``, ``\texttt``), spacing (``\,`` ``\;``),
#: braces (``138{}1234``)
#: JavaScript's String.fromCharCode(49, 51, 0x38…): a script that builds a number from
#: its characters' codes.
_CODE = r"\s*(?:0[xX][0-9A-Fa-f]{1,6}|[0-9]{1,7})\s*"
_CHAR_CODES = re.compile(rf"fromCharCode\((?:{_CODE},)*{_CODE}\)")
_TEX = re.compile(r"[0-9](?:\\[A-Za-z]+\*?|\\[,;:! ]|[{}])+(?=[0-9])")
_TEX_UNIT = re.compile(r"\\[A-Za-z]+\*?|\\[,;:! ]|[{}]")
#: Most bytes a gzip or zlib stream inside a base64 word is inflated to.
MAX_INFLATED = 1 << 20
#: Two string literals or more joined by an operator (+ . & || ..) or standing side by side
#: (C's adjacent literals), each at most 64 characters, on one line.
_LITERAL = r"(?:\"[^\"\\\n]{0,64}\"|'[^'\\\n]{0,64}')"
_JOINED = re.compile(_LITERAL + r"(?:[ \t]*(?:\+|\.\.?|&|\|\|)?[ \t]*" + _LITERAL + ")+")
_LITERAL_TEXT = re.compile(r"\"([^\"\\\n]*)\"|'([^'\\\n]*)'")


def _around(text: str, units: re.Pattern[str], allowed: frozenset[str], mark: str,
            least: int = 1) -> Iterator[tuple[int, int]]:
    """Stretches made of runs of ``units`` (``least`` units at least, counted by ``mark``)
    and the ``allowed`` characters between and beside them (``_REACH`` at most): one pass
    over the runs, so linear in the text (a pattern that starts at every letter is not)."""
    def extended(start: int, end: int) -> tuple[int, int]:
        low = start
        while low > 0 and start - low < _REACH and text[low - 1] in allowed:
            low -= 1
        high = end
        while high < len(text) and high - end < _REACH and text[high] in allowed:
            high += 1
        return low, high

    start = end = -1
    count = 0
    for run in units.finditer(text):
        first, last = run.span()
        between = text[end:first] if end >= 0 else ""
        if end >= 0 and len(between) <= _REACH and all(ch in allowed for ch in between):
            end, count = last, count + run.group().count(mark)
            continue
        if end >= 0 and count >= least:
            yield extended(start, end)
        start, end, count = first, last, run.group().count(mark)
    if end >= 0 and count >= least:
        yield extended(start, end)


def _worth(decoded: str, written: str) -> bool:
    if decoded == written:
        return False
    flat = decoded.replace("\r", "").replace("\n", " ").replace("\t", " ")
    return flat.isprintable() and (digit_count(decoded) >= 7 or "@" in decoded)


def _text_of(data: bytes) -> str | None:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (
            len(data) >= 8 and len(data) % 2 == 0 and data[1::2].count(0) * 4 >= len(data)):
        try:  # UTF-16 (Windows' own): a NUL after each ASCII character
            return data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff")
                               else "utf-16-le")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _terminal(line: str) -> str:
    shown = _ANSI.sub("", line)
    while "\x08" in shown:
        stripped = _OVERSTRIKE.sub("", shown, count=0)
        if stripped == shown:
            break
        shown = stripped
    return shown.replace("\x08", "")


def _percent(text: str) -> str | None:
    return urllib.parse.unquote(text, errors="strict") if "%" in text else None


def _escapes(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(4), 8)) if m.group(4) else
                       chr(int(m.group(1) or m.group(2) or m.group(3), 16)), text)


def _quoted_printable(text: str) -> str | None:
    return _text_of(quopri.decodestring(text.encode("ascii", errors="replace")))


def _base64(text: str) -> str | None:
    compact = "".join(text.split())
    if len(compact) % 4 == 1:
        return None
    padded = compact + "=" * (-len(compact) % 4)
    try:
        data = base64.b64decode(padded, altchars=b"-_" if "-" in compact or "_" in compact
                                else None, validate=True)
    except (binascii.Error, ValueError):
        return None
    if _packing(data):
        data = _inflated(data)
    return _text_of(data)


def _packing(data: bytes) -> str | None:
    """"gzip" or "zlib" when the bytes are a stream of either (a JSON field or a log line
    often carries one in base64: ``H4sI…``, ``eJ…``)."""
    if data[:3] == b"\x1f\x8b\x08":
        return "gzip"
    if len(data) >= 2 and data[0] & 0x0F == 8 and data[0] >> 4 <= 7 and \
            (data[0] << 8 | data[1]) % 31 == 0:
        return "zlib"
    return None


def _inflated(data: bytes) -> bytes:
    """A gzip or zlib stream inflated, :data:`MAX_INFLATED` bytes at most (a bomb stops)."""
    try:
        return zlib.decompressobj(47).decompress(data, MAX_INFLATED)
    except zlib.error:
        return b""


_BASE32_DIGITS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
                               "0123456789abcdefghijklmnopqrstuv")


def _base32(text: str) -> str | None:
    """Base32 (RFC 4648) decoded as one integer (C speed; ``base64.b32decode`` is Python
    and took most of the kinds' time on a log of upper-case tokens)."""
    compact = text.rstrip("=")
    if len(compact) % 8 in (1, 3, 6):
        return None
    size = len(compact) * 5 // 8
    value = int(compact.translate(_BASE32_DIGITS), 32) >> (len(compact) * 5 - size * 8)
    return _text_of(value.to_bytes(size, "big"))


def _ascii85(text: str) -> str | None:
    return _text_of(base64.a85decode(text.encode("ascii"), adobe=True))


def _char_codes(text: str) -> str:
    codes = text[text.index("(") + 1:-1].split(",")
    return "".join(chr(int(code, 0) if code.strip().lower().startswith("0x") else int(code))
                   for code in codes)


def _as_char_codes(masked: str, _written: str) -> str:
    return "fromCharCode(" + ", ".join(str(ord(char)) for char in masked) + ")"


def _tex(text: str) -> str:
    return _TEX_UNIT.sub("", text)


def _hex(text: str) -> str | None:
    return _text_of(bytes.fromhex(text))


def _base64_or_hex(text: str) -> str | None:
    """A long word decoded: as hexadecimal bytes when it is made of hexadecimal digits
    (an even count; the digits of a number are, in pairs ``3N``), else as base64, else
    (upper-case letters and 2-7 only) as base32."""
    compact = "".join(text.split())
    if _HEX.fullmatch(compact):
        return _hex(compact) if compact.count("3") >= 7 else None
    if _is_base32(compact):
        return _base32(compact)
    return _base64(text)


def _is_base32(compact: str) -> bool:
    """Whether a word is base32 rather than base64: base32's alphabet only, and as base64
    it says nothing (base64 of text is rarely all capitals and 2-7)."""
    if _BASE32.fullmatch(compact) is None:
        return False
    decoded = _base64(compact) if "=" not in compact[:-2] else None
    return decoded is None or not _worth(decoded, compact)


def _as_base64_or_hex(masked: str, written: str) -> str:
    compact = "".join(written.split())
    if _HEX.fullmatch(compact):
        return masked.encode("utf-8").hex()
    if _is_base32(compact):
        return base64.b32encode(masked.encode("utf-8")).decode("ascii")
    return _as_base64(masked, written)


def _joined(text: str) -> str | None:
    """The literals joined, when a join brings digits together or makes an address
    (``"1101" + "01…"``, ``"zhang" + "@qq.com"``); otherwise each literal's text is read
    where it stands (``"-" "Mozilla/5.0 …"`` on every line of an access log: nothing)."""
    pieces = [a or b for a, b in _LITERAL_TEXT.findall(text)]
    if not any(_meet(before, after) for before, after in itertools.pairwise(pieces)):
        return None
    return "".join(pieces)


def _meet(before: str, after: str) -> bool:
    """Whether text that ends ``before`` and text that begins ``after`` join into more than
    either: digits on both sides (a separator or two apart), or an address's ``@`` or
    dot where they meet."""
    return any(c.isdigit() for c in before[-3:]) and any(c.isdigit() for c in after[:3]) \
        or before.endswith(("@", ".")) or after.startswith(("@", "."))


def _as_base64(masked: str, written: str) -> str:
    data = masked.encode("utf-8")
    try:
        packing = _packing(base64.b64decode("".join(written.split())[:8] + "==",
                                            altchars=b"-_"))
    except (binascii.Error, ValueError):
        packing = None
    if packing == "gzip":  # packed as it was: the field's reader inflates it
        data = gzip.compress(data, mtime=0)
    elif packing == "zlib":
        data = zlib.compress(data)
    if "\n" in written.strip():  # lines as long as the source's
        width = len(written.split("\n", 1)[0].rstrip("\r"))
        flat = base64.b64encode(data).decode("ascii")
        return "\n".join(flat[i:i + width] for i in range(0, len(flat), width)) + "\n"
    if "-" in written or "_" in written:
        return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
    return base64.b64encode(data).decode("ascii")


def _as_literal(masked: str, written: str) -> str:
    quote = written[0]
    return quote + masked.replace(quote, "") + quote


def _terminal_lines(text: str) -> Iterator[tuple[int, int]]:
    """The lines holding a terminal code (ESC or a backspace), each once: found from the
    marks, not by a pattern that would scan each line from every character."""
    at = 0
    for mark in _TERMINAL_MARK.finditer(text):
        if mark.start() < at:
            continue
        start = text.rfind("\n", 0, mark.start()) + 1
        end = text.find("\n", mark.start())
        end = len(text) if end < 0 else end
        yield start, end
        at = end


def base64_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where ``_BASE64`` matches in ``text``, found only in the blocks (word characters,
    padding, line ends) that hold 15 word characters in a row: those are looked for in the
    text's bytes (a translation and a search, ~200 MB/s), a piece of about
    :data:`_PIECE` characters at a time, each ending before a character no block holds;
    the pattern is run on each block and the character after it (so that its look-ahead
    and ``$`` see what they would over the whole text)."""
    start = 0
    while start < len(text):
        cut = _OUTSIDE_BLOCK.search(text, min(len(text), start + _PIECE))
        end = cut.start() if cut else len(text)
        for low, high in _blocks(text[start:end]):
            for match in _BASE64.finditer(text, start + low,
                                          min(len(text), start + high + 1)):
                yield match.span()
        start = end + 1


def _blocks(piece: str) -> Iterator[tuple[int, int]]:
    """The blocks of ``piece`` holding 15 word characters in a row, as character spans."""
    data = piece.encode("utf-8", "surrogatepass")
    words = data.translate(_AS_WORD)
    at = words.find(_SHORTEST_WORD)
    if at < 0:
        return
    block = data.translate(_AS_BLOCK)
    same = len(data) == len(piece)  # ASCII: a byte's offset is its character's
    chars = counted = 0
    while at >= 0:
        low = block.rfind(b" ", 0, at) + 1
        high = block.find(b" ", at)
        high = len(data) if high < 0 else high
        if not same:  # the characters before the block (ASCII itself)
            chars += len(data[counted:low].decode("utf-8", "surrogatepass"))
            counted = low
        first = low if same else chars
        yield first, first + high - low
        at = words.find(_SHORTEST_WORD, high)


def _matches(pattern: re.Pattern[str]) -> Callable[[str], Iterator[tuple[int, int]]]:
    return lambda text: (match.span() for match in pattern.finditer(text))


def _runs(units: re.Pattern[str], allowed: str, mark: str, least: int = 1
          ) -> Callable[[str], Iterator[tuple[int, int]]]:
    chars = frozenset(allowed)
    return lambda text: _around(text, units, chars, mark, least)


#: (kind, the mark the text must hold, where its stretches are, the decoder, how the masked
#: text is written back: encoded again where that keeps the file what it was, else as it
#: reads)
_KINDS: tuple[tuple[str, Callable[[str], bool], Callable[[str], Iterator[tuple[int, int]]],
                    Callable[[str], str | None], Callable[[str, str], str]], ...] = (
    ("terminal codes", lambda t: "\x1b" in t or "\x08" in t, _terminal_lines,
     _terminal, lambda masked, _w: masked),
    ("URL-encoded", lambda t: "%3" in t or "%E" in t or "%e" in t,
     _runs(_PERCENT, _ALNUM + "._~+-", "%"), _percent,
     lambda masked, _w: urllib.parse.quote(masked, safe="")),
    ("character references", lambda t: "&#" in t, _runs(_REFERENCES, _ALNUM + " ", "&#"),
     html.unescape, lambda masked, _w: masked),
    ("escapes", lambda t: "\\u" in t or "\\x3" in t or "\\06" in t or "\\07" in t,
     _runs(_ESCAPES, _ALNUM, "\\"), _escapes, lambda masked, _w: masked),
    ("escapes", lambda t: "%u" in t, _runs(_PERCENT_U, _ALNUM, "%u"), _escapes,
     lambda masked, _w: masked),
    ("quoted-printable", lambda t: "=3" in t or "=E" in t, _runs(_QUOTED_PRINTABLE, _ALNUM, "=", 3),
     _quoted_printable, lambda masked, _w: masked),
    ("joined literals", lambda t: '"' in t or "'" in t, _matches(_JOINED), _joined,
     _as_literal),
    ("base64 or hexadecimal", lambda t: True, base64_spans, _base64_or_hex,
     _as_base64_or_hex),
    ("JavaScript character codes", lambda t: "fromCharCode(" in t, _matches(_CHAR_CODES),
     _char_codes, _as_char_codes),
    ("ascii85", lambda t: "<~" in t, _matches(_ASCII85), _ascii85,
     lambda masked, _w: base64.a85encode(masked.encode("utf-8"), adobe=True).decode("ascii")),
    ("TeX markup", lambda t: "\\" in t or "{}" in t, _runs(_TEX, "0123456789 ", ""), _tex,
     lambda masked, _w: masked),
)
_WRITERS = {kind: write for kind, _m, _p, _d, write in _KINDS}
#: Kinds whose written form need hold no digits
_LETTERS_ONLY = frozenset({"base64 or hexadecimal", "ascii85"})


def encoded_stretches(text: str) -> Iterator[Stretch]:
    """Every stretch of ``text`` that decodes to other text holding a number's worth of
    digits, in text order, none overlapping (the first kind found wins)."""
    found: list[Stretch] = []  # in text order, none overlapping: so are their ends
    starts: list[int] = []
    ends: list[int] = []
    for kind, marked, stretches, decoder, _write in _KINDS:
        if not marked(text):
            continue
        fresh: list[Stretch] = []
        for start, end in stretches(text):
            written = text[start:end]
            if kind not in _LETTERS_ONLY and digit_count(written) < 4:
                continue
            at = bisect.bisect_left(starts, end)  # the last one found starting before end
            if at and ends[at - 1] > start or \
                    fresh and fresh[-1][1] > start and fresh[-1][0] < end:
                continue
            try:
                decoded = decoder(written)
            except (ValueError, UnicodeError, OverflowError):
                continue
            if decoded is not None and _worth(decoded, written):
                fresh.append((start, end, decoded, kind))
        if fresh:  # (a kind's stretches come in text order, none overlapping)
            found = sorted(found + fresh)
            starts = [stretch[0] for stretch in found]
            ends = [stretch[1] for stretch in found]
    yield from found


def decoded_copy(text: str, mask: Callable[[str, str], tuple[str, int]]) -> tuple[str, int]:
    """``text`` with each encoded stretch whose decoded text ``mask`` changes written back
    masked — encoded again (base64, hexadecimal, URL-encoding, one literal for joined
    ones) or as it reads (terminal codes, references, escapes, quoted-printable) —
    (``mask(decoded, text before it)`` gives the masked text and how many values it
    masked); how many were masked."""
    out: list[str] = []
    last = total = 0
    for start, end, decoded, kind in encoded_stretches(text):
        masked, count = mask(decoded, text[max(0, start - 40):start])
        if not count:
            continue
        written = text[start:end]
        replacement = _WRITERS[kind](masked, written)
        if written.endswith("\n") and not replacement.endswith("\n"):
            replacement += "\n"
        out.append(text[last:start])
        out.append(replacement)
        last = end
        total += count
    out.append(text[last:])
    return "".join(out), total
