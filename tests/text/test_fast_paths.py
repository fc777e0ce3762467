"""The engine's inline fast paths agree with the libraries that hold the rules.

The digit-run detector checks resident IDs, Luhn and mainland mobiles inline and skips
the full rules for runs they cannot apply to (dense table rows spend most of their time
there). python-stdnum and phonenumbers stay the authority: every fast path is compared
here with them, and with the detector's full rules, on many generated numbers — valid,
invalid, and written in the forms sellers use to slip past filters.
"""

from __future__ import annotations

import datetime
import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType
from stdnum import luhn
from stdnum.cn import ric as stdnum_ric

from notforsale.fingerprint import fingerprint
from notforsale.text import digit_runs
from notforsale.text.engine import scan_text
from notforsale.text.numbers import bank_card, cn_ric

KEY = b"fast path test key"
RNG_SEED = 16

# County codes stdnum knows, a province-only code and codes it does not know.
AREAS = ["110101", "310115", "440305", "500103", "652901", "110000", "990101", "000000"]


def _ids(rng: random.Random, count: int) -> list[str]:
    """18-character numbers: right and wrong check characters, real and impossible dates."""
    out = []
    for _ in range(count):
        year = rng.choice([1899, 1900, 1955, 1990, 2004, datetime.date.today().year,
                           datetime.date.today().year + 1])
        month = rng.choice([1, 2, 6, 12, 13, 0])
        day = rng.choice([1, 15, 28, 29, 30, 31, 0])
        body = f"{rng.choice(AREAS)}{year:04d}{month:02d}{day:02d}{rng.randrange(1000):03d}"
        check = stdnum_ric.calc_check_digit(body + "0")
        if rng.random() < 0.5:  # a wrong check character
            check = rng.choice([c for c in "0123456789X" if c != check])
        out.append(body + check)
    return out


def _stdnum_id_valid(number: str) -> bool:
    """The rule from stdnum's parts: check character, a real date 1900..today, a province."""
    if number[17] != stdnum_ric.calc_check_digit(number):
        return False
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year or born > datetime.date.today():
        return False
    return cn_ric.area(number[:6])[0]


def test_resident_ids_read_inline_agree_with_stdnum() -> None:
    rng = random.Random(RNG_SEED)
    numbers = _ids(rng, 4000)
    assert sum(map(_stdnum_id_valid, numbers)) > 400, "enough valid numbers to compare"
    for number in numbers:
        inline = any(r.type == "CN_RESIDENT_ID" for r in digit_runs.readings(number))
        assert inline is _stdnum_id_valid(number) is cn_ric.is_valid(number), \
            f"{number[:6]}…: inline {inline}"


def test_birth_dates_from_the_cache_agree_with_the_calendar() -> None:
    for yyyymmdd in ["19000101", "18991231", "20000229", "19000229", "20240230", "19991301",
                     "19990100", "99991231", "00000000"] * 2:  # twice: the cached answer
        try:
            real = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
            expected = 1900 <= real.year and real <= datetime.date.today()
        except ValueError:
            expected = False
        assert digit_runs._plausible_birth(yyyymmdd) is expected, yyyymmdd


def test_luhn_by_byte_sums_agrees_with_stdnum() -> None:
    rng = random.Random(RNG_SEED)
    for _ in range(20000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 19)))
        assert bank_card.luhn_valid(digits) is luhn.is_valid(digits), digits


def _cards(rng: random.Random, count: int) -> list[str]:
    prefixes = ["622202", "621700", "9558", "4", "51", "2221", "34", "3528", "6011", "60",
                "1", "7", "8", "99"]
    out = []
    for _ in range(count):
        head = rng.choice(prefixes)
        body = head + "".join(rng.choice("0123456789")
                              for _ in range(rng.randint(13, 19) - len(head) - 1))
        check = luhn.calc_check_digit(body)
        if rng.random() < 0.4:
            check = rng.choice([c for c in "0123456789" if c != check])
        out.append(body + check)
    return out


def test_cards_read_inline_agree_with_stdnum_and_the_network_table() -> None:
    rng = random.Random(RNG_SEED)
    numbers = _cards(rng, 4000)
    for number in numbers:
        expected = luhn.is_valid(number) and bank_card.is_valid(number)
        inline = any(r.type == "BANK_CARD" for r in digit_runs.readings(number))
        assert inline is expected, number[:6]


def _mobiles(rng: random.Random, count: int) -> list[str]:
    return ["1" + "".join(rng.choice("0123456789") for _ in range(10)) for _ in range(count)]


def _phonenumbers_mobile(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, "CN")
    except phonenumbers.NumberParseException:  # "12…" reads as an international prefix
        return number.startswith("149")
    return (phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in
            (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)) \
        or number.startswith("149")  # the documented addition (data-only SIMs)


def test_mainland_mobiles_read_inline_agree_with_phonenumbers() -> None:
    rng = random.Random(RNG_SEED)
    numbers = _mobiles(rng, 6000)
    assert 1000 < sum(map(_phonenumbers_mobile, numbers)) < 5000
    for number in numbers:
        found = digit_runs.readings(number)
        inline = any(r.type == "PHONE_NUMBER" for r in found)
        assert inline is _phonenumbers_mobile(number), number[:5]
        if inline:
            assert found[0].canonical == phonenumbers.format_number(
                phonenumbers.parse(number, "CN"), phonenumbers.PhoneNumberFormat.E164)


# ---------------------------------------------------------------------------
# The detector's shortcuts give what its full rules give
# ---------------------------------------------------------------------------

_FILLERS = ["", ",", "\t", "----", "', '", " ", "-", "+", "+86 ", "(+86)", "Tel", "abc",
            "x", "X光", "号", ".", "·", "_", "0086", "a1b2", "2019-03-04 12:33:22",
            "0755-1234567", "2019-03-04 0", "1.2.3.4", "550e8400-e29b-41d4-a716-",
            "446655440000", "f47ac10b-58cc-4372-a567-0e02b2c3d479"]


def _row(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 8)):
        kind = rng.random()
        if kind < 0.2:
            parts.append(rng.choice(_ids(rng, 1)))
        elif kind < 0.35:
            parts.append(rng.choice(_cards(rng, 1)))
        elif kind < 0.5:
            parts.append(rng.choice(_mobiles(rng, 1)))
        elif kind < 0.6:
            parts.append("".join(rng.choice("0123456789") for _ in range(rng.randint(8, 22))))
        else:
            parts.append(rng.choice(_FILLERS))
        parts.append(rng.choice(_FILLERS[:8]))
    return "".join(parts)


def _full_rules(text: str) -> list[digit_runs.Candidate]:
    """Every run through the detector's full rules (no shortcut)."""
    detector = digit_runs.DigitRunDetector()
    return [c for run in digit_runs._RUN.finditer(text)
            for c in detector._find_in_run(text, *run.span())]


def test_the_detectors_shortcuts_find_what_its_full_rules_find() -> None:
    rng = random.Random(RNG_SEED)
    detector = digit_runs.DigitRunDetector()
    rows = [_row(rng) for _ in range(3000)]
    found_any = 0
    for row in rows:
        fast = detector.find(row)
        assert fast == _full_rules(row), row.translate(str.maketrans("0123456789", "#" * 10))
        found_any += bool(fast)
    assert found_any > 1000


def test_a_uuid_is_never_passed_over_by_the_stretch_check() -> None:
    rng = random.Random(RNG_SEED)
    for _ in range(3000):
        uuid = "-".join("".join(rng.choice("0123456789" * 3 + "abcdef") for _ in range(n))
                        for n in (8, 4, 4, 4, 12))
        text = rng.choice(_FILLERS) + uuid + rng.choice(_FILLERS)
        for run in digit_runs._RUN.finditer(text):
            start, end = run.span()
            in_uuid = any(m.start() < end and start < m.end()
                          for m in digit_runs._UUID.finditer(text))
            if in_uuid:
                assert digit_runs._could_be_in_uuid(text, start, end), text


# ---------------------------------------------------------------------------
# Evasion forms, through the whole engine, against the libraries
# ---------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
_ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


def _disguise(rng: random.Random, number: str) -> str:
    """A number as sellers write it: full-width, grouped by spaces or dashes, zero-width
    characters slipped between the groups (or any mix)."""
    groups = {18: (6, 8, 4), 19: (4, 4, 4, 4, 3), 16: (4, 4, 4, 4), 11: (3, 4, 4)}.get(
        len(number), (len(number),))
    pieces, at = [], 0
    for size in groups:
        pieces.append(number[at:at + size])
        at += size
    sep = rng.choice([" ", "-", "", rng.choice(_ZERO_WIDTH), " - "])
    written = sep.join(pieces)
    if rng.random() < 0.5:
        written = written.translate(_FULL_WIDTH)
    return written


def _expected(number: str) -> tuple[str, str] | None:
    """(type, canonical) by the libraries alone, for a bare number."""
    if len(number) == 18 and _stdnum_id_valid(number):
        return "CN_RESIDENT_ID", number
    if len(number) == 11 and number.isdigit() and _phonenumbers_mobile(number):
        return "PHONE_NUMBER", "+86" + number
    if number.isdigit() and len(number) in (16, 19) and bank_card.is_valid(number) \
            and luhn.is_valid(number):
        return "BANK_CARD", number
    return None


@pytest.mark.parametrize("layout", ["csv", "dash4", "prose"])
def test_disguised_numbers_are_found_as_the_libraries_say(layout: str) -> None:
    rng = random.Random(f"{RNG_SEED}-{layout}")
    numbers = _ids(rng, 300) + [c for c in _cards(rng, 600) if len(c) in (16, 19)] \
        + _mobiles(rng, 300)
    checked = valid = 0
    for number in numbers:
        written = _disguise(rng, number)
        before, after = {"csv": ("张伟,", ",北京"), "dash4": ("张伟----", "----北京"),
                         "prose": ("联系人张伟 ", " 请核对")}[layout]
        text = before + written + after
        findings = [f for f in scan_text(text, key=KEY) if f.start < len(before) + len(written)
                    and f.end > len(before)]
        expected = _expected(number)
        checked += 1
        if expected is None:
            # an invalid number may still be another type's valid one (an 18-digit string
            # passing Luhn), never the type it was made as
            made_as = {18: "CN_RESIDENT_ID", 11: "PHONE_NUMBER"}.get(len(number), "BANK_CARD")
            assert made_as not in [f.type for f in findings], (layout, number[:6])
            continue
        valid += 1
        kind, canonical = expected
        assert [f.type for f in findings] == [kind], (layout, number[:6], findings)
        finding = findings[0]
        assert (finding.start, finding.end) == (len(before), len(before) + len(written))
        assert finding.fingerprint == fingerprint(kind, canonical, KEY)
    assert valid > 200 and checked == len(numbers)


_CONTEXT_WORDS = ["身份证号", "卡号", "手机", "Tel", "PHONE", "id card", "护照", "编号", "电话",
                  "收款账号", "sjh", "座机", "fax", "Card No."]


@pytest.mark.parametrize("hint", ["", "手机号"])
def test_context_looked_up_once_per_text_gives_what_each_window_gives(
        monkeypatch: pytest.MonkeyPatch, hint: str) -> None:
    from notforsale.text import engine

    rng = random.Random(RNG_SEED)
    texts = []
    for _ in range(1500):
        parts = [_row(rng)]
        for _ in range(rng.randint(0, 3)):
            at = rng.randint(0, len(parts[0]))
            word = rng.choice(_CONTEXT_WORDS) + rng.choice(["", ":", " ", "："])
            parts[0] = parts[0][:at] + word + parts[0][at:]
        texts.append(parts[0] + rng.choice(["", " 0755-12345678", " 010 1234 5678"]))
    shortcut = [scan_text(t, key=KEY, context_hint=hint) for t in texts]
    monkeypatch.setattr(engine, "_WHOLE_TEXT_CONTEXT", -1)  # every window searched
    assert [scan_text(t, key=KEY, context_hint=hint) for t in texts] == shortcut
    assert sum(any(f.explanation.context for f in found) for found in shortcut) > 200


def test_the_run_pattern_finds_what_the_leading_look_behind_form_finds() -> None:
    import re

    leading = re.compile(r"(?<![0-9])[0-9](?:[ \-.·_()/]{0,3}[0-9]){9,}"
                         r"(?:[ \-.·_()/]{0,3}[Xx](?![A-Za-z0-9]))?")
    rng = random.Random(RNG_SEED)
    texts = [_row(rng) for _ in range(2000)] + ["", "1", "12", "1234567890", "x12345678901",
                                                 "123456789012345678901234567890"]
    for text in texts:
        assert [m.span() for m in digit_runs._RUN.finditer(text)] == \
            [m.span() for m in leading.finditer(text)]


def test_e_mail_local_parts_found_by_rstrip_are_those_the_regex_found() -> None:
    import re

    from notforsale.text.numbers import email

    local_tail = re.compile(r"[A-Za-z0-9._%+'\-]{1,64}\Z")  # the rule as a regex
    rng = random.Random(RNG_SEED)
    alphabet = "ab9._%+'-@ ,张\t()" + "x" * 5
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 150))) + "@qq.com"
        at = text.rfind("@")
        by_regex = local_tail.search(text, max(0, at - 64), at)
        window = text[max(0, at - email._LOCAL_MAX):at]
        size = len(window) - len(window.rstrip(email._LOCAL_CHARS))
        assert (at - size if size else None) == (by_regex.start() if by_regex else None), text
