"""CN RIC (mainland China Resident Identity Card number), checked leniently.

``stdnum.cn.ric`` also requires the county code to have existed on the
holder's birth date. That drops real numbers: people born in Pudong before
1993 carry ``310115…`` because the code was issued to them later, and the
same holds for Chongqing's Yuzhong ``500103…`` and many others. Here the
county code only has to exist (at any time), and an unknown county within a
known province is still accepted, with a lower score in the engine. The
check character (ISO 7064 MOD 11-2) and the birth date are required.

The legacy 15-digit format (``AAAAAA YYMMDD SSS``, no check character, born
19YY) is accepted when its county code is known.

>>> validate('310115 19800101 0016')  # Pudong, born before the code existed
'310115198001010016'
>>> is_valid('110101199003071235')  # wrong check digit
False
>>> to_18('110101900307123')
'110101199003071233'
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric as stdnum_ric
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.util import clean

#: The earliest birth year accepted.
EARLIEST_BIRTH_YEAR = 1900


def compact(number: str) -> str:
    """Strip spaces, dashes and dots; upper-case the check character."""
    return clean(number, " -.").upper().strip()


#: Residence permits for residents of Hong Kong (810000), Macau (820000) and Taiwan
#: (830000) carry these area codes; python-stdnum's table knows the first two only.
RESIDENCE_PERMIT_AREAS = frozenset({"810000", "820000", "830000"})


@lru_cache(maxsize=4096)
def area(code: str) -> tuple[bool, bool]:
    """(province known, county known) for a 6-digit area code, any year."""
    if code in RESIDENCE_PERMIT_AREAS:
        return True, True
    results = numdb.get("cn/loc").info(code)
    info = {k: v for _part, props in results for k, v in props.items()}
    return "province" in info, "county" in info


def _birth_date(yyyymmdd: str) -> datetime.date:
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise InvalidComponent("impossible birth date") from None
    if born.year < EARLIEST_BIRTH_YEAR or born > datetime.date.today():
        raise InvalidComponent("implausible birth date")
    return born


def validate(number: str) -> str:
    """Check an 18- or 15-digit number; return its compact form or raise."""
    return check(compact(number))


def check(number: str) -> str:
    """:func:`validate` for a number already in compact form (the engine's fast path)."""
    if len(number) == 18:
        if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
            raise InvalidFormat()
        if number[17] != stdnum_ric.calc_check_digit(number):
            raise InvalidChecksum()
        _birth_date(number[6:14])
        if not area(number[:6])[0]:
            raise InvalidComponent("unknown province")
        return number
    if len(number) == 15:
        if not number.isdigit():
            raise InvalidFormat()
        _birth_date("19" + number[6:12])
        if not area(number[:6])[1]:
            raise InvalidComponent("unknown county")
        return number
    raise InvalidLength()


def shaped_like(number: str) -> bool:
    """Whether 18 characters read as an ID number but for the check character: a known
    province and a plausible birth date (a mistyped ID, not a bank card)."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        _birth_date(number[6:14])
    except InvalidComponent:
        return False
    return area(number[:6])[0]


def is_valid(number: str) -> bool:
    """Check a number without raising."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def to_18(number: str) -> str:
    """The 18-digit form of a legacy 15-digit number (others unchanged)."""
    number = compact(number)
    if len(number) != 15:
        return number
    body = number[:6] + "19" + number[6:]
    return body + stdnum_ric.calc_check_digit(body + "0")


def mask(number: str) -> str:
    """Keep the area code and the last four characters, as Chinese forms do."""
    number = compact(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
