"""Phone numbers, validated by ``phonenumbers`` (Google's libphonenumber data).

Three shapes are recognized from a run of digits:

- a mainland mobile number, ``1[3-9]`` and nine more digits, with or without
  ``+86`` / ``0086`` / ``86``;
- any number written with an international prefix (``+`` or ``00``) that
  libphonenumber considers valid;
- a mainland landline with its area code (``010-12345678``), which the
  engine only reports next to a context word.

>>> mobile_cn('13812345678')
'+8613812345678'
>>> mobile_cn('12345678901') is None
True
>>> international('14155552671')
'+14155552671'
>>> mask('+8613812345678')
'+86 138****5678'
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_FIXED_TYPES = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def _parse(number: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        parsed = phonenumbers.parse(number, region)
    except NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def _e164(parsed: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mobile_cn(digits: str) -> str | None:
    """E.164 form of an 11-digit mainland mobile number, or None."""
    if len(digits) != 11 or digits[0] != "1" or digits[1] not in "3456789":
        return None
    parsed = _parse(digits, "CN")
    if parsed is None or phonenumbers.number_type(parsed) not in _MOBILE_TYPES:
        return None
    return _e164(parsed)


def international(digits: str) -> str | None:
    """E.164 form of digits written after ``+`` (country code first), or None."""
    if not 7 <= len(digits) <= 15:
        return None
    parsed = _parse("+" + digits, None)
    return None if parsed is None else _e164(parsed)


def landline_cn(digits: str) -> str | None:
    """E.164 form of a mainland fixed-line number with its ``0`` area code, or None."""
    if not 10 <= len(digits) <= 12 or digits[0] != "0" or digits[1] == "0":
        return None
    parsed = _parse(digits, "CN")
    if parsed is None or phonenumbers.number_type(parsed) not in _FIXED_TYPES:
        return None
    return _e164(parsed)


def mask(e164: str) -> str:
    """Country code, the first two (three for mainland mobiles) and last four digits."""
    parsed = phonenumbers.parse(e164, None)
    national = str(parsed.national_number)
    mobile_cn = parsed.country_code == 86 and len(national) == 11 and national[0] == "1"
    keep_head = 3 if mobile_cn else 2
    hidden = "*" * max(len(national) - keep_head - 4, 1)
    return f"+{parsed.country_code} {national[:keep_head]}{hidden}{national[-4:]}"
