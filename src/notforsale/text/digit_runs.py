"""Resident IDs, bank cards and phone numbers: one pass over runs of digits.

A *run* is a maximal stretch of digits joined by short separators (spaces,
dashes, dots, brackets, slashes), as sellers write ``110101 19900307 123X`` or
``6222-0212-3456-7890-128``. A run is cut into *groups* (its digit
stretches). A number is always one or more whole groups, so it is never
matched inside a longer stretch of digits.

The whole run is tried first. If it is not a valid number, numbers are
looked for in its groups, left to right, longest first: single groups always
(``13812345678 110101199003071234`` is two numbers), several groups together
only where the grouping stands apart from its neighbours — a neighbour that
is a long number of its own, or a different separator. So ``6222 0212 3456
7890 123`` (failing Luhn) does not yield the Luhn-valid card hidden in its
first 16 digits.

Runs glued to ASCII letters are kept (``Tel13812345678``) unless the
alphanumeric token holds further digits (hashes, serials).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from stdnum.exceptions import ValidationError

from .candidate import Candidate
from .numbers import bank_card, cn_ric, phone

_MIN_DIGITS = 10  # the shortest number of these types with its area or country code
# At least _MIN_DIGITS digits, so the regex engine (not Python) skips the short runs
# prose is full of: prices, years, dates, times.
# The look-behind (no digit before the first) stands after the first digit: a pattern that
# starts with a digit lets the regex engine skip ahead to the next digit (twice as fast on
# prose as a leading look-behind, which is tried at every character).
#: Most digits one run match takes: Python's regex engine keeps a backtracking frame per
#: repetition (about 75 bytes a character: 8 MB of ``1 2 3 …`` took 550 MB); a longer run
#: is read as runs of this many digits, each weighed like any other.
_RUN_DIGITS = 1024
_RUN = re.compile(
    r"[0-9](?<![0-9][0-9])(?:[ \-.·_()/]{0,3}[0-9]){" + str(_MIN_DIGITS - 1)
    + "," + str(_RUN_DIGITS - 1) + r"}(?:[ \-.·_()/]{0,3}[Xx](?![A-Za-z0-9]))?"
)
#: A group of digits (an ID's check X glued to it), or the check X standing apart at the
#: run's end (``… 002 X``, a mark between every character).
_GROUP = re.compile(r"[0-9]+[Xx]?|[Xx]\Z")
_IPV4 = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEXISH = frozenset("-abcdefABCDEF")

_MAX_DIGITS = 19  # the longest card number

# Characters next to a run that call for the full rules: ASCII letters (a token holding
# more digits, a glued word), a UUID's hex digits and dashes, a "+" country prefix
# (before, with or without a space), brackets of "(+86)".
_ASCII_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SLOW_BEFORE = frozenset(_ASCII_LETTERS + "+ ")
_SLOW_AFTER = frozenset(_ASCII_LETTERS)
_new_candidate = tuple.__new__
_DROP_SEPARATORS = str.maketrans("", "", " -.·_()/")
_HEX_DASH = "0123456789abcdefABCDEF-"
_NOT_HEX_DASH = re.compile(r"[^0-9a-fA-F\-]+")
_UUID_SIZE = 36


def _lone_dash_before(text: str, start: int) -> bool:
    """A single dash before ``start``: the only way a UUID can reach a run of digits from
    the left but through a hex letter (a UUID holds no "--" and does not start with "-")."""
    return start > 0 and text[start - 1] == "-" and text[max(0, start - 2):start] != "--"


def _lone_dash_after(text: str, end: int) -> bool:
    return end < len(text) and text[end] == "-" and text[end:end + 2] != "--"


def _could_be_in_uuid(text: str, start: int, end: int) -> bool:
    """Whether a stretch of 36 hex digits and single dashes (a UUID's shape) overlaps the
    run: where none does, the UUID pattern need not be tried. (Never False for a run in a
    UUID; sometimes True for one that is not.)"""
    before = text[max(0, start - _UUID_SIZE):start]
    before = before[len(before.rstrip(_HEX_DASH)):]
    after = text[end:end + _UUID_SIZE]
    after = after[:len(after) - len(after.lstrip(_HEX_DASH))]
    # No UUID holds two dashes in a row ("----" between the fields of a leaked row).
    double = before.rfind("--")
    reach_before = len(before) - (double + 2 if double >= 0 else 0)
    double = after.find("--")
    reach_after = double if double >= 0 else len(after)
    parts = _NOT_HEX_DASH.split(text[start:end])
    if len(parts) == 1:
        return reach_before + len(parts[0]) + reach_after >= _UUID_SIZE
    return max(reach_before + len(parts[0]), reach_after + len(parts[-1]),
               *[len(part) for part in parts[1:-1]]) >= _UUID_SIZE

#: Work done, counted: how many stretches of groups were weighed. The tests hold this to
#: grow linearly with the text (a run of ``1 2 3 …`` once cost the square of its length).
WORK = [0]
_LONG_NEIGHBOUR = 7  # a neighbouring group this long is a number of its own

_ID_SCORE, _ID_UNKNOWN_COUNTY_SCORE, _ID15_SCORE = 0.85, 0.7, 0.45
_CARD_SCORE, _CARD_SHORT_SCORE = 0.6, 0.4
_MOBILE_SCORE, _INTL_SCORE, _LANDLINE_SCORE = 0.7, 0.7, 0.5


def _is_ascii_letter(char: str) -> bool:
    return ("a" <= char <= "z") or ("A" <= char <= "Z")


def _token_has_more_digits(text: str, index: int, step: int) -> bool:
    """Walk over ASCII letters from ``index``; True if a digit comes next."""
    size = len(text)
    while 0 <= index < size and _is_ascii_letter(text[index]):
        index += step
    return 0 <= index < size and text[index].isdigit() and text[index].isascii()


# What the checks passed are called, per reading (shared tuples: nothing is built per number).
_ID18_COUNTY_CHECKS = ("ISO 7064 MOD 11-2 check character", "birth date plausible",
                       "county code known")
_ID18_PROVINCE_CHECKS = ("ISO 7064 MOD 11-2 check character", "birth date plausible",
                         "province code known")
_ID18_PATTERN = "18 characters: area, birth date, sequence, check"
_ID15_CHECKS = ("birth date plausible", "county code known")
_ID15_PATTERN = "15 digits (legacy): area, birth date, sequence"
_LUHN_CHECKS = ("Luhn checksum",)
_PHONE_CHECKS = ("valid number (libphonenumber)",)
_LANDLINE_CHECKS = ("valid fixed line (libphonenumber)",)
_MOBILE_PATTERN = "mainland mobile 1[3-9] + 9 digits"
_new_reading = tuple.__new__
# A year every birth date in it is surely past (time only moves on): later ones are
# compared with today's date.
_SURELY_PAST_YEAR = datetime.date.today().year - 1


class Reading(NamedTuple):
    """A number read from a compact run of digits: a candidate but for its span."""

    type: str
    canonical: str
    masked: str
    score: float
    detector: str
    pattern: str
    checks: tuple[str, ...]
    needs_context: bool = False

    def __repr__(self) -> str:  # keep the canonical value out of logs and tracebacks
        return f"Reading({self.type}, {self.masked}, {self.score})"


def _plausible_birth(yyyymmdd: str) -> bool:
    """``cn_ric``'s birth-date rule (a real date, 1900 to today) without raising."""
    born = _calendar_date(yyyymmdd)
    if born is None:
        return False
    return born.year <= _SURELY_PAST_YEAR or born <= datetime.date.today()


@lru_cache(maxsize=65536)  # every day from 1900 to 2079 fits
def _calendar_date(yyyymmdd: str) -> datetime.date | None:
    """The date written as YYYYMMDD, if it is a real one from EARLIEST_BIRTH_YEAR on."""
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None
    return born if born.year >= cn_ric.EARLIEST_BIRTH_YEAR else None


def _resident_id(digits: str) -> Reading | None:
    """``cn_ric.check`` for an 18-character run (ASCII digits, upper-case X), as a reading."""
    if len(digits) == 15:
        return _resident_id15(digits)
    last = digits[17]
    if not digits[:17].isdigit() or not (last.isdigit() or last == "X"):
        return None
    check = (1 - 2 * int(digits[:17], 13)) % 11  # stdnum.cn.ric.calc_check_digit
    if last != ("X" if check == 10 else str(check)) or not _plausible_birth(digits[6:14]):
        return None
    province_known, county_known = cn_ric.area(digits[:6])
    if not province_known:
        return None
    masked = digits[:6] + "********" + digits[14:]
    if county_known:
        return _new_reading(Reading, ("CN_RESIDENT_ID", digits, masked, _ID_SCORE,
                                      "cn_resident_id", _ID18_PATTERN, _ID18_COUNTY_CHECKS, False))
    return _new_reading(Reading, ("CN_RESIDENT_ID", digits, masked, _ID_UNKNOWN_COUNTY_SCORE,
                                  "cn_resident_id", _ID18_PATTERN, _ID18_PROVINCE_CHECKS, False))


def _resident_id15(digits: str) -> Reading | None:
    try:
        number = cn_ric.check(digits)
    except ValidationError:
        return None
    return Reading("CN_RESIDENT_ID", cn_ric.to_18(number), cn_ric.mask(number), _ID15_SCORE,
                   "cn_resident_id", _ID15_PATTERN, _ID15_CHECKS, needs_context=True)


def _card(digits: str) -> Reading | None:
    """``bank_card.check`` for 13-19 ASCII digits, as a reading."""
    network = bank_card.issuer(digits)
    if network is None or not bank_card.luhn_valid(digits):
        return None
    size = len(digits)
    short = size < 15
    return _new_reading(Reading, ("BANK_CARD", digits, digits[:6] + "*" * (size - 10) + digits[-4:],
                                  _CARD_SHORT_SCORE if short else _CARD_SCORE, "bank_card",
                                  _card_pattern(size, network), _LUHN_CHECKS, short))


@lru_cache(maxsize=256)
def _card_pattern(size: int, network: str) -> str:
    return f"{size} digits, {network} prefix"


def _phone(digits: str, plus: bool, first_group: str) -> Reading | None:
    if plus or first_group.startswith("0086") or \
            (first_group.startswith("00") and 4 <= len(first_group) <= 5):
        e164 = phone.international(digits[2:] if not plus else digits)
        if e164 is not None:
            return Reading("PHONE_NUMBER", e164, phone.mask(e164), _INTL_SCORE, "phone",
                           "international prefix and number", _PHONE_CHECKS)
    if len(digits) == 13 and digits.startswith("861") and \
            (first_group == "86" or first_group == digits):
        # The country code written apart ("86 138…") or glued without "+", as wa.me and
        # tel: links write it ("8613812345678").
        digits = digits[2:]
    e164 = phone.mobile_cn(digits)
    if e164 is not None:
        return Reading("PHONE_NUMBER", e164, phone.mask(e164), _MOBILE_SCORE, "phone",
                       _MOBILE_PATTERN, _PHONE_CHECKS)
    e164 = phone.landline_cn(digits)
    if e164 is not None:
        return Reading("PHONE_NUMBER", e164, phone.mask(e164), _LANDLINE_SCORE, "phone",
                       "mainland landline with area code", _LANDLINE_CHECKS,
                       needs_context=True)
    return None


def readings(digits: str, plus: bool = False, first_group: str = "") -> tuple[Reading, ...]:
    """Every reading of a compact run of digits (ASCII digits, an upper-case X last) as a
    number: a resident ID, a bank card, a phone number."""
    size = len(digits)
    if size == 11 and not plus and digits[0] == "1":
        # The most common phone shape: only a mainland mobile reads so (no card or ID
        # has 11 digits, and without "+" the international reading needs "00" first).
        if not digits.isdigit():
            return ()
        e164 = phone.mobile_cn(digits)
        if e164 is None:
            return ()
        return (_new_reading(Reading, ("PHONE_NUMBER", e164, phone.mask(e164), _MOBILE_SCORE,
                                       "phone", _MOBILE_PATTERN, _PHONE_CHECKS, False)),)
    found: tuple[Reading, ...] = ()
    if size == 18 or size == 15:
        resident = _resident_id(digits)
        if resident is not None:
            found = (resident,)
    if digits.isdigit():
        if 13 <= size <= 19 and not plus:
            card = _card(digits)
            if card is not None:
                if size == 18 and not found and cn_ric.shaped_like(digits):
                    # An ID with a mistyped check character that happens to pass Luhn: a
                    # card only where a card's own label says so.
                    card = card._replace(needs_context=True)
                found += (card,)
        if 10 <= size <= 15:
            number = _phone(digits, plus, first_group)
            if number is not None:
                found += (number,)
    return found


def classify(digits: str, plus: bool = False, first_group: str = "") -> list[Candidate]:
    """Every reading of a compact run of digits as a number (spans unset)."""
    return [Candidate(r.type, 0, 0, r.canonical, r.masked, r.score, r.detector, r.pattern,
                      r.checks, r.needs_context) for r in readings(digits, plus, first_group)]


class DigitRunDetector:
    """Resident IDs, bank cards and phone numbers in runs of digits."""

    name: str = "digit_runs"
    entities: tuple[str, ...] = ("CN_RESIDENT_ID", "BANK_CARD", "PHONE_NUMBER")
    examples: tuple[tuple[str, str, str], ...] = (
        ("身份证 110101 19900307 1233", "CN_RESIDENT_ID", "110101 19900307 1233"),
        ("卡号6222-0212-3456-7890-128", "BANK_CARD", "6222-0212-3456-7890-128"),
        ("Tel13812345678", "PHONE_NUMBER", "13812345678"),
        ("(+86)138 1234 5678", "PHONE_NUMBER", "(+86)138 1234 5678"),
    )

    def find(self, text: str) -> list[Candidate]:
        found: list[Candidate] = []
        size = len(text)
        for run in _RUN.finditer(text):
            start, end = run.span()
            chunk = run.group()
            if end - start <= _MAX_DIGITS and chunk.isalnum() and \
                    (start == 0 or text[start - 1] not in _SLOW_BEFORE) and \
                    (end == size or text[end] not in _SLOW_AFTER) and \
                    not ((_lone_dash_before(text, start) or _lone_dash_after(text, end))
                         and _could_be_in_uuid(text, start, end)):
                # The common case: one group, no separators, no letters, no "+" or
                # UUID next to it (the checks below cannot apply).
                digits = chunk.upper()
                readings_ = readings(digits, False, digits)
                if readings_:
                    for r in readings_:
                        found.append(_new_candidate(Candidate, (r[0], start, end, *r[1:])))
                    continue
                if chunk[-1] not in "Xx":
                    continue
            elif chunk[0] != "0" and len(chunk.translate(_DROP_SEPARATORS)) <= _MIN_DIGITS \
                    and self._plus_prefix(text, start) is None:
                # At most ten digits, no "0" first and no "+" before ("2019-03-04 12:33"):
                # only the whole run is long enough, and no number of ten digits starts so.
                continue
            found.extend(self._find_in_run(text, start, end))
        return found

    def _find_in_run(self, text: str, start: int, end: int) -> list[Candidate]:
        """Numbers in one run, every rule applied (separators, letters, prefixes)."""
        if text[start:end].count(".") == 3 and _IPV4.fullmatch(text, start, end):
            return []  # an IPv4 address, not a number split by dots
        if self._inside_uuid(text, start, end):
            return []
        plus_at = self._plus_prefix(text, start)
        if start > 0 and _is_ascii_letter(text[start - 1]) and plus_at is None:
            if _token_has_more_digits(text, start - 1, -1):
                return []
        if end < len(text) and _is_ascii_letter(text[end]):
            if _token_has_more_digits(text, end, 1):
                return []
        found = list(self._numbers_in_run(text, start, end, plus_at))
        if not found and text[end - 1] in "Xx" and text[end:end + 1].isalpha():
            # "…4568X光片": the X belongs to the next word, not to the number.
            found = list(self._numbers_in_run(text, start, end - 1, plus_at))
        return found

    @staticmethod
    def _inside_uuid(text: str, start: int, end: int) -> bool:
        """Whether the run is part of a UUID (whose groups can be all digits)."""
        touches_hex = (start > 0 and text[start - 1] in _HEXISH) or \
            (end < len(text) and text[end] in _HEXISH) or "-" in text[start:end]
        if not touches_hex or not _could_be_in_uuid(text, start, end):
            return False
        for match in _UUID.finditer(text, max(0, start - 36), min(len(text), end + 36)):
            if match.start() < end and start < match.end():
                return True
        return False

    @staticmethod
    def _plus_prefix(text: str, start: int) -> int | None:
        """Where a ``+`` country prefix written before the run starts, if any.

        ``(+86)138…`` starts at the bracket; ``(+86 138…)`` at the plus sign.
        """
        at = start - 1
        if at >= 0 and text[at] == " ":
            at -= 1
        if at >= 0 and text[at] == "+":
            closing = start + 1  # a country code is one to three digits
            while closing < len(text) and closing - start <= 3 and text[closing].isdigit():
                closing += 1
            if at > 0 and text[at - 1] == "(" and text[closing:closing + 1] == ")":
                return at - 1
            return at
        return None

    def _numbers_in_run(self, text: str, start: int, end: int,
                        plus_at: int | None) -> Iterator[Candidate]:
        if end - start <= _MAX_DIGITS and text[start:end].isalnum():
            # The common case: one group, no separators.
            digits = text[start:end].upper()
            yield from self._placed(readings(digits, plus_at is not None, digits),
                                    start if plus_at is None else plus_at, end)
            return
        if self._joined_alike(text, start, end):
            # Short groups joined alike (``1 2 3 …``, a spaced list): no span of them but the
            # whole run — longer than any number here — stands apart, and no group alone is
            # long enough to be one, so nothing in the run is weighed (a megabyte of it costs
            # one pass and no lists).
            return
        groups = [(m.start(), m.end()) for m in _GROUP.finditer(text, start, end)]
        lengths = [e - s for s, e in groups]
        cumulative = [0]
        for length in lengths:
            cumulative.append(cumulative[-1] + length)
        last = len(groups) - 1
        i = 0
        while i <= last:
            found: tuple[Reading, ...] = ()
            # Every group holds a digit: no number spans more than _MAX_DIGITS groups, so
            # only those are weighed (the whole run first, when it is that short).
            for j in range(min(last, i + _MAX_DIGITS - 1), i - 1, -1):
                WORK[0] += 1
                size = cumulative[j + 1] - cumulative[i]
                if size > _MAX_DIGITS:
                    continue
                if size < _MIN_DIGITS - (3 if i == 0 and plus_at is not None else 0):
                    break
                if j > i and not (i == 0 and j == last):
                    if not self._stands_apart(text, groups, lengths, i, j):
                        continue
                digits = "".join(text[s:e] for s, e in groups[i:j + 1]).upper()
                plus = i == 0 and plus_at is not None
                first = text[groups[i][0]:groups[i][1]]
                found = readings(digits, plus, first)
                if found:
                    span_start = plus_at if plus and plus_at is not None else groups[i][0]
                    yield from self._placed(found, span_start, groups[j][1])
                    i = j + 1
                    break
            if not found:
                i += 1

    @staticmethod
    def _joined_alike(text: str, start: int, end: int) -> bool:
        """Whether the run's groups are all short and all joined by one separator
        (``1 2 3 …``, a spaced phone list), in one pass that keeps nothing."""
        separator: str | None = None
        previous = -1
        count = 0
        for match in _GROUP.finditer(text, start, end):
            if match.end() - match.start() >= _LONG_NEIGHBOUR:
                return False
            if previous >= 0:
                between = text[previous:match.start()]
                if separator is None:
                    separator = between
                elif between != separator:
                    return False
            previous = match.end()
            count += 1
        return count > _MAX_DIGITS  # a short run is weighed whole, as any other

    @staticmethod
    def _stands_apart(text: str, groups: list[tuple[int, int]], lengths: list[int],
                      i: int, j: int) -> bool:
        """Whether groups i..j can be a number apart from the groups around them."""
        inner = {text[groups[k][1]:groups[k + 1][0]] for k in range(i, j)}
        if i > 0:
            sep = text[groups[i - 1][1]:groups[i][0]]
            if lengths[i - 1] < _LONG_NEIGHBOUR and sep in inner:
                return False
        if j < len(groups) - 1:
            sep = text[groups[j][1]:groups[j + 1][0]]
            if lengths[j + 1] < _LONG_NEIGHBOUR and sep in inner:
                return False
        return True

    @staticmethod
    def _placed(found: tuple[Reading, ...], start: int, end: int) -> Iterator[Candidate]:
        for r in found:
            yield _new_candidate(Candidate, (r[0], start, end, *r[1:]))
