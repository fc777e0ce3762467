"""Detectors for the shapes that are not runs of digits: e-mail and passport."""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import context
from .candidate import Candidate
from .numbers import cn_passport, email


class EmailDetector:
    """E-mail addresses (``local@domain.tld``)."""

    name: str = "email"
    entities: tuple[str, ...] = ("EMAIL_ADDRESS",)
    examples: tuple[tuple[str, str, str], ...] = (
        ("邮箱zhang.san@example.com，谢谢", "EMAIL_ADDRESS", "zhang.san@example.com"),
        ("mail andy.o'reilly@example.xn--p1ai", "EMAIL_ADDRESS", "andy.o'reilly@example.xn--p1ai"),
    )

    def find(self, text: str) -> Iterator[Candidate]:
        for start, end in email.find(text):
            address = text[start:end]
            yield Candidate("EMAIL_ADDRESS", start, end, address.lower(), email.mask(address),
                            0.9, self.name, "local-part@domain.tld", ("address shape",))


class PassportDetector:
    """CN passport numbers, only next to a context word."""

    name: str = "cn_passport"
    entities: tuple[str, ...] = ("CN_PASSPORT",)
    examples: tuple[tuple[str, str, str], ...] = (
        ("护照号码 E12345678", "CN_PASSPORT", "E12345678"),
        ("passport no. EA1234567", "CN_PASSPORT", "EA1234567"),
    )

    def find(self, text: str) -> Iterator[Candidate]:
        # The shape needs a context word before it, so look only where one is.
        seen = set()
        for after_word in context.occurrences("CN_PASSPORT", text):
            # The number must start within BEFORE characters of the word; one more
            # character past its end lets the pattern's look-ahead see what follows.
            window_end = after_word + context.BEFORE_REQUIRED + len("E12345678") + 1
            for match in cn_passport.PATTERN.finditer(text, after_word, window_end):
                if match.start() <= after_word + context.BEFORE_REQUIRED and \
                        match.start() not in seen:
                    seen.add(match.start())
                    yield self._candidate(match)

    def _candidate(self, match: re.Match[str]) -> Candidate:
        number = cn_passport.compact(match.group())
        return Candidate("CN_PASSPORT", match.start(), match.end(), number,
                         cn_passport.mask(number), 0.6, self.name,
                         "E/G + 8 digits or E + letter + 7 digits", (), needs_context=True)
