"""CN passport numbers: ``E``/``G`` + 8 digits, or ``E`` + letter + 7 digits.

The shape alone is too common (model numbers, SKUs), so the engine only
reports one next to a context word such as 护照 or passport.

>>> is_valid('E12345678'), is_valid('EA1234567'), is_valid('EI1234567')
(True, True, False)
>>> mask('E12345678')
'E******78'
"""

from __future__ import annotations

import re

PATTERN = re.compile(
    r"(?<![A-Za-z0-9])(?:[EeGg][0-9]{8}|[Ee][A-HJ-NP-Za-hj-np-z][0-9]{7})(?![A-Za-z0-9])"
)


def compact(number: str) -> str:
    """Upper-case, no surrounding space."""
    return number.strip().upper()


def is_valid(number: str) -> bool:
    """Check the shape (there is no check digit)."""
    return PATTERN.fullmatch(compact(number)) is not None


def mask(number: str) -> str:
    """Keep the letter and the last two digits."""
    number = compact(number)
    return number[0] + "*" * (len(number) - 3) + number[-2:]
