"""Bank card numbers (PAN): issuer prefix, length and the Luhn check.

The Luhn check comes from ``stdnum.luhn``. The prefix table names the
networks seen in this trade: China UnionPay (``62``, 16–19 digits, and the
older ``60…`` domestic BINs of Chinese banks), Visa, Mastercard, American
Express, JCB, Discover and Diners. A number of 13–14 digits is only a card
where context words say so (the engine decides that).

>>> validate('6222 0212 3456 7890 128')
'6222021234567890128'
>>> issuer('6222021234567890128')
'UnionPay'
>>> is_valid('6222021234567890123')  # fails Luhn
False
"""

from __future__ import annotations

from functools import lru_cache

from stdnum import luhn
from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.util import clean

# (prefixes, lengths, network). First match wins; keep longer prefixes first.
_ISSUERS: tuple[tuple[tuple[str, ...], frozenset[int], str], ...] = (
    (("62", "81"), frozenset(range(16, 20)), "UnionPay"),
    (("9558", "9559"), frozenset({19}), "UnionPay"),  # legacy ICBC / ABC debit cards
    (("34", "37"), frozenset({15}), "American Express"),
    (tuple(str(p) for p in range(3528, 3590)), frozenset(range(16, 20)), "JCB"),
    (("300", "301", "302", "303", "304", "305", "36", "38", "39"), frozenset(range(14, 20)),
     "Diners Club"),
    (("6011", "644", "645", "646", "647", "648", "649", "65"), frozenset(range(16, 20)),
     "Discover"),
    (("4",), frozenset({13, 16, 19}), "Visa"),
    (("51", "52", "53", "54", "55"), frozenset({16}), "Mastercard"),
    (tuple(str(p) for p in range(2221, 2721)), frozenset({16}), "Mastercard"),
    (("50", "56", "57", "58", "60", "63", "67", "68", "69"), frozenset(range(12, 20)),
     "Maestro / domestic"),
)


def compact(number: str) -> str:
    """Strip spaces, dashes and dots."""
    return clean(number, " -.").strip()


def issuer(number: str) -> str | None:
    """The card network whose prefix and length fit, or None."""
    # No prefix is longer than four digits: the answer depends on those and the length.
    return _issuer(number[:4], len(number))


@lru_cache(maxsize=16384)
def _issuer(head: str, length: int) -> str | None:
    for prefixes, lengths, name in _ISSUERS:
        if length in lengths and head.startswith(prefixes):
            return name
    return None


# Each digit doubled, its digits summed (the Luhn step for every second digit).
_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")


def luhn_valid(digits: str) -> bool:
    """The Luhn check of ``stdnum.luhn`` for a string of ASCII digits, without a loop in
    Python (the engine's fast path; :func:`check` calls ``stdnum.luhn`` itself)."""
    raw = digits.encode("ascii")
    total = sum(raw[-1::-2]) + sum(raw[-2::-2].translate(_DOUBLED)) - 48 * len(raw)
    return total % 10 == 0


def validate(number: str) -> str:
    """Check prefix, length and Luhn; return the compact number or raise."""
    return check(compact(number))


def check(number: str) -> str:
    """:func:`validate` for a number already in compact form (the engine's fast path)."""
    if not number.isdigit():
        raise InvalidFormat()
    if not 13 <= len(number) <= 19:
        raise InvalidLength()
    if issuer(number) is None:
        raise InvalidComponent("no card network uses this prefix and length")
    luhn.validate(number)
    return number


def is_valid(number: str) -> bool:
    """Check a number without raising."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def mask(number: str) -> str:
    """Keep the first six (the BIN) and the last four digits, as PCI DSS allows."""
    number = compact(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
