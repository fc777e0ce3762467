"""Detectors for the shapes that are not runs of digits: e-mail and passport."""

from __future__ import annotations

from collections.abc import Iterator

from .candidate import Candidate
from .numbers import cn_passport, email


class EmailDetector:
    """E-mail addresses (``local@domain.tld``)."""

    name: str = "email"
    entities: tuple[str, ...] = ("EMAIL_ADDRESS",)

    def find(self, text: str) -> Iterator[Candidate]:
        for start, end in email.find(text):
            address = text[start:end]
            yield Candidate("EMAIL_ADDRESS", start, end, address.lower(), email.mask(address),
                            0.9, self.name, "local-part@domain.tld", ("address shape",))


class PassportDetector:
    """CN passport numbers, only next to a context word."""

    name: str = "cn_passport"
    entities: tuple[str, ...] = ("CN_PASSPORT",)

    def find(self, text: str) -> Iterator[Candidate]:
        for match in cn_passport.PATTERN.finditer(text):
            number = cn_passport.compact(match.group())
            yield Candidate("CN_PASSPORT", match.start(), match.end(), number,
                            cn_passport.mask(number), 0.6, self.name,
                            "E/G + 8 digits or E + letter + 7 digits", (), needs_context=True)
