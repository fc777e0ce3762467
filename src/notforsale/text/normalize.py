"""Undo the character-level disguises sellers put on numbers.

Every mapping here replaces one character with one character, so offsets in
the normalized text are offsets in the original text: spans found on the
normalized text need no offset map to point back at what the user wrote.

What is folded:

- every Unicode digit (full-width ``１``, Arabic-Indic ``١``, mathematical
  ``𝟏``, circled ``①``, ...) to its ASCII digit;
- full-width letters, digits and the signs numbers and addresses are written with
  (``Ｘ``, ``＋``, ``＠``, ``．``, ``－``, ``（``, ...) to ASCII;
- dashes and minus signs to ``-``, exotic and zero-width spaces, invisible marks (soft
  hyphen, bidi controls, every other format character and the Hangul fillers), variation
  selectors (keycap digits ``1️⃣``), emoji and pictographs, NUL and combining diacritics
  to a plain space; a
  backslash escaping a separator after a digit (Markdown's ``\\-``) to a space;
- look-alikes of the ID check character ``X`` (Cyrillic ``Х``, Greek ``Χ``, ``×``, and
  what Unicode folds to ``X``: the Roman numeral ``Ⅹ``, the mathematical ``𝐗``);
- Chinese numerals (``一三八``, ``幺``, ``〇``/``零``, the financial ``壹叁捌``, Hangzhou
  ``〡〣〨``) in a run of
  seven or more (digits mixed in, single spaces or hyphens between) to digits: shorter runs
  and counting words (``九九八十一``) stay as they are;
- the letters sellers put for digits inside a number (``O``/``o`` for 0, ``I``/``l`` for 1)
  when the run starts and ends with a digit, holds seven characters or more and at least
  two real digits for each letter (``11O1O1199OO3O71233``): words and codes stay.

>>> normalize("身份证号：１１０１０１")  # the full-width colon too (a separator: 138：1234：5678)
'身份证号:110101'
>>> normalize("138－1234－5678")
'138-1234-5678'
"""

from __future__ import annotations

import re
import unicodedata

_FULL_WIDTH_KEPT = (
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "+@.-()_%#/|"
)


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Unicode digits in the BMP and the supplementary multilingual plane.
    for code in range(0x80, 0x20000):
        char = chr(code)
        digit = unicodedata.digit(char, None)
        if digit is not None:
            table[code] = str(digit)
    # The full-width forms of the ASCII characters numbers and addresses are made of.
    # (Not the full-width comma, colon or full stop: Chinese prose is full of them and
    # they separate numbers as they are.)
    for char in _FULL_WIDTH_KEPT:
        table[ord(char) + 0xFEE0] = char
    for code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63, 0xFE58):
        table[code] = "-"
    for code in (0x00A0, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
                 0x2007, 0x2008, 0x2009, 0x200A, 0x202F, 0x205F, 0x3000,
                 # zero-width characters sellers slip into numbers to beat filters
                 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF,
                 # and the other invisible ones: the soft hyphen, direction marks, bidi
                 # embeddings and isolates
                 0x00AD, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                 0x2066, 0x2067, 0x2068, 0x2069):
        table[code] = " "
    # Combining marks (an underline or an accent drawn on a digit leave it a digit): the
    # diacritical blocks only, so scripts that are written with marks keep them.
    for first, last in ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF),
                        (0x20D0, 0x20FF), (0xFE20, 0xFE2F)):
        for code in range(first, last + 1):
            table[code] = " "
    # Variation selectors: a keycap digit is the digit, U+FE0F and U+20E3 (1️⃣3️⃣8️⃣…)
    for code in range(0xFE00, 0xFE10):
        table[code] = " "
    for code in (0x0425, 0x03A7, 0x00D7, 0x2573):  # Х Χ × ╳
        table[code] = "X"
    for code in (0x0445, 0x03C7):  # х χ
        table[code] = "x"
    # and every character Unicode itself folds to X (NFKC): the Roman numeral ten Ⅹ/ⅹ, the
    # mathematical 𝐗 𝑋 𝚇 … (the seventh hostile set wrote an ID's check character so)
    for code in range(0x80, 0x20000):
        if code not in table and unicodedata.normalize("NFKC", chr(code)) in ("X", "x"):
            table[code] = unicodedata.normalize("NFKC", chr(code))
    # Every other invisible format character (Unicode's Cf: U+180E, U+2061-U+2064, tags,
    # …) and the Hangul fillers, which draw nothing either: a space
    for code in (*range(0x80, 0x20000), *range(0xE0000, 0xE0080)):
        if code not in table and unicodedata.category(chr(code)) == "Cf":
            table[code] = " "
    for code in (0x115F, 0x1160, 0x3164, 0xFFA0):
        table[code] = " "
    # Emoji and pictographs (symbols, dingbats, flags' regional indicators): a reader skips
    # them between digits as it skips spaces ("4🔥2🔥0…")
    for first, last in ((0x2300, 0x23FF), (0x2600, 0x27BF), (0x2B00, 0x2BFF),
                        (0x1F000, 0x1FAFF)):
        for code in range(first, last + 1):
            if code not in table and unicodedata.category(chr(code)) in ("So", "Sk"):
                table[code] = " "
    for code in (0x30FB, 0xFF65, 0x2027):  # katakana middle dot ・ (half-width too) and the
        table[code] = "·"                  # hyphenation point ‧: a dot
    # bullets • ∙ ⋅ ◦ and ideographic full stops 。｡ between groups (the eleventh set)
    for code in (0x2022, 0x2219, 0x22C5, 0x25E6, 0x3002, 0xFF61):
        table[code] = "·"
    table[0xFF1A] = ":"  # full-width colon
    table[0xFE6B] = "@"  # small commercial at
    table[0xFE62] = "+"  # small plus sign
    return table


_TABLE = _build_table()


def _char_class(codes: list[int]) -> re.Pattern[str]:
    """A regex matching runs of the given code points, written as ranges."""
    ranges: list[tuple[int, int]] = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)
    return re.compile(f"[{body}]+")


# Two classes: a set of BMP characters compiles to a bitmap, which stays fast on
# Chinese text; the supplementary-plane digits are only looked for when the text
# holds a character beyond the BMP at all.
_BMP_FOLDING = _char_class([code for code in _TABLE if code <= 0xFFFF])
_ASTRAL_FOLDING = _char_class([code for code in _TABLE if code > 0xFFFF])
_ANY_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def _fold(match: re.Match[str]) -> str:
    return match.group().translate(_TABLE)


_CN_DIGITS = {
    "〇": "0", "零": "0", "一": "1", "幺": "1", "壹": "1", "二": "2", "贰": "2", "貳": "2",
    "三": "3", "叁": "3", "參": "3", "四": "4", "肆": "4", "五": "5", "伍": "5", "六": "6",
    "陆": "6", "陸": "6", "七": "7", "柒": "7", "八": "8", "捌": "8", "九": "9", "玖": "9",
    # Hangzhou (Suzhou) numerals, still written on market price tags: 〡〢〣…〩
    "〡": "1", "〢": "2", "〣": "3", "〤": "4", "〥": "5", "〦": "6", "〧": "7", "〨": "8",
    "〩": "9"}
_CN_TABLE = {ord(k): v for k, v in _CN_DIGITS.items()}
_ANY_NUMERAL = re.compile("[" + "".join(_CN_DIGITS) + "]")
_NUMERAL = "[0-9" + "".join(_CN_DIGITS) + "]"
#: Seven numerals at least (the shortest number reported has seven digits), one separator
#: at most between two: linear, as every class excludes the separators.
_NUMERAL_RUN = re.compile(f"{_NUMERAL}(?:[ -]?{_NUMERAL}){{6,}}")


def _fold_numerals(match: re.Match[str]) -> str:
    """A run of numerals folded to digits; but a lone numeral that ends a word before
    ASCII digits (张三110101…, 李四138…: a name glued to a number) is left a letter."""
    run, start = match.group(), match.start()
    if start > 0 and len(run) > 1 and run[0] in _CN_DIGITS and run[1].isascii() and \
            _IDEOGRAPH.match(match.string, start - 1) is not None:
        return run[0] + run[1:].translate(_CN_TABLE)
    return run.translate(_CN_TABLE)


_IDEOGRAPH = re.compile("[\u4e00-\u9fff]")


_LOOKALIKE_RUN = re.compile(r"[0-9][0-9OoIl]{5,}[0-9]")
_LOOKALIKE_TABLE = str.maketrans("OoIl", "0011")


def _fold_lookalikes(match: re.Match[str]) -> str:
    run = match.group()
    if run.isdigit():
        return run
    letters = len(run) - sum(map(str.isdigit, run))
    return run.translate(_LOOKALIKE_TABLE) if letters * 3 <= len(run) else run


_LETTER_BY_DIGIT = re.compile(r"[0-9][OoIl]")


def _letters_for_digits(text: str) -> str:
    if _LETTER_BY_DIGIT.search(text) is None:  # the common case: no letter after a digit
        return text
    return _LOOKALIKE_RUN.sub(_fold_lookalikes, text)


_COUNTED_NUMERALS = frozenset(_CN_DIGITS)


def digit_count(text: str) -> int:
    """How many characters of ``text`` could be digits of a number once folded: Unicode
    digits, Chinese numerals and letters written for digits after a digit (an upper bound,
    for the quick checks that skip text too short in digits to hold a number)."""
    count = sum(ch.isdigit() for ch in text)
    if not text.isascii():
        count += sum(ch in _COUNTED_NUMERALS for ch in text)
    if count and _LETTER_BY_DIGIT.search(text) is not None:
        count += len(_LETTER_BY_DIGIT.findall(text))
    return count


#: A right-to-left override up to its pop (or the line's end): what it holds is shown
#: reversed, so ``\u202e3321…\u202c`` shows as ``…1233``.
_OVERRIDDEN = re.compile("\u202e([^\u202a-\u202e\u2066-\u2069\n]{1,4096})")


def _shown_order(match: re.Match[str]) -> str:
    return "\u202e" + match.group(1)[::-1]


#: A part of a number after its label: 前三位138, 中间四位: 0013, 尾号8000, 后4位是8000.
_PART_LABEL = (r"(?:前|头|开头|中间|中|后|末|尾|最后|末尾)[0-9一二两三四五六七八九十]{1,2}位"
               r"|尾号|尾数")
_LABELLED_PART = rf"(?:{_PART_LABEL})[ \t]*(?:是|为|:|=)?[ \t]*([0-9]{{1,12}})(?![0-9])"
_LABELLED_PARTS = re.compile(
    rf"{_LABELLED_PART}(?:[ \t]*[,，;；、。.和及与]?[ \t]*{_LABELLED_PART})+")
_ONE_PART = re.compile(_LABELLED_PART)


def labelled_parts(text: str) -> list[tuple[int, int, str]]:
    """Numbers written in labelled parts (``前三位138，中间四位0013，尾号8000``): the
    stretch's span and its parts' digits joined in the order they stand; ``text`` is
    normalized (full-width digits and colons folded). Each part alone is no number, so
    sellers write a kit's mobile so; what the digits make is weighed like any number.

    >>> labelled_parts("手机前三位138，中间四位0013，尾号8000。")
    [(2, 24, '13800138000')]
    """
    if "位" not in text and "尾" not in text:
        return []
    return [(match.start(), match.end(),
             "".join(part.group(1) for part in _ONE_PART.finditer(match.group())))
            for match in _LABELLED_PARTS.finditer(text)]


def shown_order(text: str) -> str:
    """``text`` as it is shown where a right-to-left override reverses it (one character
    for one); the text itself when it holds none. Sellers store a number backwards after an
    override so that it displays in order; what is pasted from it is the stored order, so
    both are read."""
    return _OVERRIDDEN.sub(_shown_order, text) if "\u202e" in text else text


#: A backslash after a digit escaping the separator after it (Markdown's ``110101\-1990…``
#: renders as a dash).
_ESCAPED_SEPARATOR = re.compile(r"(?<=[0-9])\\(?=[-.·_()/ ])")


#: A colon between groups of three digits or more (138:1234:5678) reads as a dash; a time's
#: two-digit groups (12:00:00) do not: a colon in every separator class made a timestamped
#: log's every line one run of 14 digits to weigh (8× slower).
_DIGIT_COLON = re.compile(r":(?<=[0-9]{3}:)(?=[0-9]{3})")


def normalize(text: str) -> str:
    """Fold disguised characters to ASCII, one character for one character."""
    if "\x00" in text:  # NUL bytes slipped between digits
        text = text.replace("\x00", " ")
    if "\\" in text:
        text = _ESCAPED_SEPARATOR.sub(" ", text)
    if text.isascii():
        if ":" in text:
            text = _DIGIT_COLON.sub("-", text)
        return _letters_for_digits(text)

    text = _BMP_FOLDING.sub(_fold, text)
    if _ANY_ASTRAL.search(text) is not None:
        text = _ASTRAL_FOLDING.sub(_fold, text)
    if _ANY_NUMERAL.search(text) is not None:
        text = _NUMERAL_RUN.sub(_fold_numerals, text)
    if ":" in text:
        text = _DIGIT_COLON.sub("-", text)
    return _letters_for_digits(text)
