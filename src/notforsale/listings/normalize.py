"""Undo the word-level disguises sellers put on listings, keeping a map to the original.

Two views of a listing's text are matched:

- the *squeezed* view: NFKC-folded (full-width to ASCII), lower-cased, look-alike
  Greek and Cyrillic letters folded to Latin, traditional Chinese characters folded
  to simplified (OpenCC's table, one character for one), the variant and homophone
  characters and phrases of the lexicon's ``[fold]`` table folded (``咔`` → ``卡``,
  ``弓户`` → ``公户``), and every character that is not a letter or digit dropped — so
  ``人 脸``, ``身*份*证``, ``人.脸``, ``活-体`` and ``ren lian`` all read as one word, and
  emoji between characters vanish. :attr:`View.breaks` says where the original had a
  word boundary between two kept characters, so a Latin term can be held to whole
  words (``dox`` never fires inside ``paradox``, nor ``dm`` inside ``and mouse``);
- the *word* view: the same folding with separators kept, offset for offset, for
  patterns (quantities, prices, handles) that need the separators.

Each view can map a match back to the original text, so a reason quotes what
the seller actually wrote.

>>> squeezed = fold_squeezed("人 脸*素 材")
>>> squeezed.text
'人脸素材'
>>> squeezed.original("人 脸*素 材", 0, 4)
'人 脸*素 材'
>>> fold_squeezed("KYС").text  # the last letter is Cyrillic
'kyc'
>>> fold_squeezed("收 弓 户 咔").text  # homophones from the lexicon's fold table
'收公户卡'
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from .lexicon_data import raw_lexicon

# Greek and Cyrillic letters that pass for Latin ones (upper and lower case).
_HOMOGLYPHS = str.maketrans({
    "А": "a", "В": "b", "С": "c", "Е": "e", "Н": "h", "І": "i", "Ј": "j", "К": "k", "М": "m",
    "О": "o", "Р": "p", "Ѕ": "s", "Т": "t", "Х": "x", "У": "y", "а": "a", "в": "b", "с": "c",
    "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "м": "m", "о": "o", "р": "p", "ѕ": "s",
    "т": "t", "х": "x", "у": "y", "ԁ": "d", "ɡ": "g", "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z",
    "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y",
    "Χ": "x", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ү": "y", "ℓ": "l",
})


def _traditional_to_simplified() -> dict[int, str]:
    """Traditional characters that have a single simplified form (OpenCC's t2s table)."""
    import opencc

    converter = opencc.OpenCC("t2s")
    table = {}
    for code in range(0x4E00, 0xA000):
        char = chr(code)
        simple = converter.convert(char)
        if len(simple) == 1 and simple != char:
            table[code] = simple
    return table


def _lexicon_folds() -> tuple[dict[str, str], dict[str, str]]:
    """The lexicon's ``[fold]`` table: one character for one, and phrases of equal length."""
    folds = raw_lexicon().get("fold", {})
    chars = {str(k): str(v) for k, v in folds.get("chars", {}).items()}
    phrases = {str(k): str(v) for k, v in folds.get("phrases", {}).items()}
    for key, value in chars.items():
        if len(key) != 1 or len(value) != 1:
            raise ValueError(f"lexicon.toml [fold.chars]: {key!r} = {value!r} is not one for one")
    for key, value in phrases.items():
        if len(key) != len(value) or len(key) < 2:
            raise ValueError(f"lexicon.toml [fold.phrases]: {key!r} = {value!r} must keep "
                             "the length")
    return chars, phrases


def _build_table() -> dict[int, str]:
    """One-character folds: NFKC (full-width, math letters, circled digits), look-alikes, case,
    traditional Chinese to simplified, then the lexicon's variant characters."""
    table: dict[int, str] = {code: chr(code + 32) for code in range(ord("A"), ord("Z") + 1)}
    table.update(_traditional_to_simplified())
    for block in (range(0x80, 0x3000), range(0xFF00, 0xFFF0), range(0x1D400, 0x1D800)):
        for code in block:
            char = chr(code)
            folded = unicodedata.normalize("NFKC", char).translate(_HOMOGLYPHS).lower()
            if len(folded) == 1 and folded != char:
                table[code] = folded
    chars, _ = _lexicon_folds()
    for key, value in chars.items():
        table[ord(key)] = value
    # a character that folds to a variant folds on to its target (証 -> 证 either way)
    for code, value in list(table.items()):
        if len(value) == 1 and value in chars:
            table[code] = chars[value]
    return table


_TABLE = _build_table()
_ALNUM_RUN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _phrase_pattern() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    _, phrases = _lexicon_folds()
    folded = {fold_chars(k): fold_chars(v) for k, v in phrases.items()}
    if not folded:
        return None, folded
    alternation = "|".join(re.escape(k) for k in sorted(folded, key=len, reverse=True))
    return re.compile(alternation), folded


def _fold_phrases(text: str) -> str:
    pattern, table = _phrase_pattern()
    if pattern is None:
        return text
    return pattern.sub(lambda m: table[m.group()], text)


@dataclass(frozen=True, slots=True)
class View:
    """Folded text and where its pieces came from in the original.

    ``runs`` lists, per piece, (start in ``text``, start in the original); a piece
    is a stretch copied one character for one character.
    """

    text: str
    runs: tuple[tuple[int, int], ...]
    #: Indexes i of ``text`` where the original had a word boundary between i-1 and i
    #: (something dropped between them); 0 and len(text) are boundaries too.
    breaks: frozenset[int] = field(default=frozenset())

    def _source(self, index: int) -> int:
        run = bisect_right(self.runs, (index, 1 << 62)) - 1
        view_start, original_start = self.runs[max(run, 0)]
        return original_start + index - view_start

    def original(self, original: str, start: int, end: int) -> str:
        """The original text behind ``text[start:end]``."""
        if start >= end or not self.runs:
            return ""
        return original[self._source(start):self._source(end - 1) + 1]


def fold_chars(text: str) -> str:
    """Full-width, look-alike, upper-case, traditional and variant characters folded."""
    return text.translate(_TABLE)


def fold(text: str) -> str:
    """:func:`fold_chars`, then the lexicon's homophone phrases; one character for one."""
    return _fold_phrases(text.translate(_TABLE))


def fold_squeezed(text: str) -> View:
    """Letters and digits only, folded (see the module docstring)."""
    folded = text.translate(_TABLE)
    runs = []
    pieces = []
    length = 0
    for match in _ALNUM_RUN.finditer(folded):
        runs.append((length, match.start()))
        pieces.append(match.group())
        length += match.end() - match.start()
    return View(_fold_phrases("".join(pieces)), tuple(runs), frozenset(r[0] for r in runs))


def fold_words(text: str) -> View:
    """Folded with separators kept, offset for offset (for patterns that need them)."""
    return View(fold(text), ((0, 0),))
