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

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType


# libphonenumber's own pattern for mainland mobiles, compiled once: the same answer as
# is_valid_number + number_type for 11-digit 1xx numbers, without parsing each one.
def _mobile_pattern(region: str) -> re.Pattern[str]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.mobile is None or not metadata.mobile.national_number_pattern:
        raise RuntimeError(f"phonenumbers has no mobile pattern for {region}")
    return re.compile(metadata.mobile.national_number_pattern)


_CN_MOBILE = _mobile_pattern("CN")
#: Mainland prefixes in use that libphonenumber's mobile pattern lacks: 149 (China
#: Telecom's data-only numbers, sold with SIM cards in this trade like any mobile).
_CN_MOBILE_MISSING = ("149",)
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
    if _CN_MOBILE.fullmatch(digits) or digits.startswith(_CN_MOBILE_MISSING):
        return "+86" + digits
    return None


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
    if e164.startswith("+861") and len(e164) == 14:  # mainland mobile, the common case
        country, national, keep_head = "86", e164[3:], 3
    else:
        parsed = phonenumbers.parse(e164, None)
        country, national, keep_head = str(parsed.country_code), str(parsed.national_number), 2
    hidden = "*" * max(len(national) - keep_head - 4, 1)
    return f"+{country} {national[:keep_head]}{hidden}{national[-4:]}"
