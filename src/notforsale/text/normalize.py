"""Undo the character-level disguises sellers put on numbers.

Every mapping here replaces one character with one character, so offsets in
the normalized text are offsets in the original text: spans found on the
normalized text need no offset map to point back at what the user wrote.

What is folded:

- every Unicode digit (full-width ``１``, Arabic-Indic ``١``, mathematical
  ``𝟏``, circled ``①``, ...) to its ASCII digit;
- the full-width ASCII block (``Ｘ``, ``＋``, ``＠``, ``．``, ``－``, ...) to ASCII;
- dashes and minus signs to ``-``, exotic spaces to a plain space;
- look-alikes of the ID check character ``X`` (Cyrillic ``Х``, Greek ``Χ``, ``×``).

>>> normalize("身份证号：１１０１０１")
'身份证号:110101'
>>> normalize("138－1234－5678")
'138-1234-5678'
"""

from __future__ import annotations

import re
import unicodedata


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Unicode digits in the BMP and the supplementary multilingual plane.
    for code in range(0x80, 0x20000):
        char = chr(code)
        digit = unicodedata.digit(char, None)
        if digit is not None:
            table[code] = str(digit)
    # The full-width forms of printable ASCII.
    for code in range(0xFF01, 0xFF5F):
        table[code] = chr(code - 0xFEE0)
    for code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63, 0xFE58):
        table[code] = "-"
    for code in (0x00A0, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
                 0x2007, 0x2008, 0x2009, 0x200A, 0x202F, 0x205F, 0x3000):
        table[code] = " "
    for code in (0x0425, 0x03A7, 0x00D7, 0x2573):  # Х Χ × ╳
        table[code] = "X"
    for code in (0x0445, 0x03C7):  # х χ
        table[code] = "x"
    table[0xFE6B] = "@"  # small commercial at
    table[0xFE62] = "+"  # small plus sign
    return table


_TABLE = _build_table()
_NEEDS_FOLDING = re.compile(
    "[" + "".join(re.escape(chr(code)) for code in sorted(_TABLE)) + "]"
)


def normalize(text: str) -> str:
    """Fold disguised characters to ASCII, one character for one character."""
    if text.isascii() or _NEEDS_FOLDING.search(text) is None:
        return text
    return text.translate(_TABLE)
