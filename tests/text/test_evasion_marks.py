"""Invisible marks inside numbers: a number still displays as plain digits, so it is still a
number. Found by an independent hostile set (cases T04, T10): soft hyphens, bidi marks and
combining underlines inside IDs and phones were not found, and copies kept them.

| mark | where | reason |
|---|---|---|
| U+00AD soft hyphen | between groups | invisible unless the line breaks there |
| U+200E/U+200F LRM/RLM | between groups | invisible direction marks |
| U+202A-U+202E, U+2066-U+2069 | between groups | invisible bidi embeddings and isolates |
| U+0332 combining low line | after every digit | draws an underline, the digits unchanged |
| U+0301 combining acute | after every digit | an accent, the digits unchanged |
"""

from __future__ import annotations

import pytest

from notforsale import scan_text

ID, PHONE, CARD = "110101199003071233", "13812345678", "6222021234567890128"


def _between(number: str, mark: str, size: int = 4) -> str:
    return mark.join(number[i:i + size] for i in range(0, len(number), size))


@pytest.mark.parametrize("mark", ["\u00ad", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c",
                                  "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])
@pytest.mark.parametrize("label,number,kind", [("身份证", ID, "CN_RESIDENT_ID"),
                                               ("手机", PHONE, "PHONE_NUMBER"),
                                               ("卡号", CARD, "BANK_CARD")])
def test_invisible_marks_between_groups(mark: str, label: str, number: str,
                                        kind: str) -> None:
    text = f"{label} {_between(number, mark)}"
    assert [f.type for f in scan_text(text)] == [kind]


@pytest.mark.parametrize("mark", ["\u0332", "\u0301", "\u20e3"])
@pytest.mark.parametrize("label,number,kind", [("身份证", ID, "CN_RESIDENT_ID"),
                                               ("手机", PHONE, "PHONE_NUMBER")])
def test_combining_marks_after_every_digit(mark: str, label: str, number: str,
                                           kind: str) -> None:
    text = f"{label} " + "".join(ch + mark for ch in number)
    assert [f.type for f in scan_text(text)] == [kind]


@pytest.mark.parametrize("label,number,kind", [("身份证", ID, "CN_RESIDENT_ID"),
                                               ("手机", PHONE, "PHONE_NUMBER")])
def test_keycap_digits_and_nul_bytes(label: str, number: str, kind: str) -> None:
    """Keycap emoji digits (the digit, U+FE0F, U+20E3) and NUL bytes between digits (an
    independent tester's cases): still the digits a reader sees."""
    assert [f.type for f in scan_text(f"{label} " + "".join(
        ch + "\ufe0f\u20e3" if ch.isdigit() else ch for ch in number))] == [kind]
    assert [f.type for f in scan_text(f"{label} " + "\x00".join(number))] == [kind]


def test_digits_stored_reversed_under_a_right_to_left_override() -> None:
    """``\\u202e`` (RLO) shows what follows reversed up to ``\\u202c`` (PDF): a seller stores
    an ID backwards so it displays in order (an independent tester's case)."""
    text = f"身份证 \u202e{ID[::-1]}\u202c 好"
    found = scan_text(text)
    assert [f.type for f in found] == ["CN_RESIDENT_ID"]
    # stored in order, shown reversed: what is pasted from it is the number, so it is read
    assert [f.type for f in scan_text(f"身份证 \u202e{ID}\u202c")] == ["CN_RESIDENT_ID"]
    # both readings of one number are one finding
    assert len(scan_text(f"身份证 \u202e{ID[::-1]}\u202c {ID}")) == 2


def test_groups_joined_by_the_katakana_middle_dot() -> None:
    """``138・1234・5678``: the katakana middle dot (U+30FB, half-width U+FF65) separates
    groups as the middle dot does (an independent tester's case)."""
    for dot in ("\u30fb", "\uff65"):
        assert [f.type for f in scan_text(f"手机 138{dot}1234{dot}5678")] == ["PHONE_NUMBER"]
    assert scan_text("アン・ジョン 2024・12・01") == []


#: The ninth hostile set (h33) put U+180E and U+2063 between every digit; every other
#: invisible format character (Unicode category Cf) and the Hangul fillers draw nothing too.
EVERY_DIGIT_MARKS = [
    ("\u180e", "Mongolian vowel separator (h33)"),
    ("\u2063", "invisible separator (h33)"),
    ("\u2061", "function application"), ("\u2062", "invisible times"),
    ("\u2064", "invisible plus"), ("\u061c", "Arabic letter mark"),
    ("\u206a", "inhibit symmetric swapping"), ("\ufff9", "interlinear annotation anchor"),
    ("\u3164", "Hangul filler"), ("\uffa0", "half-width Hangul filler"),
    ("\U000e0020", "tag space"), ("\U0001bca0", "shorthand format letter overlap"),
]


@pytest.mark.parametrize("mark, reason", EVERY_DIGIT_MARKS, ids=[m[1] for m in EVERY_DIGIT_MARKS])
@pytest.mark.parametrize("label,number,kind", [("身份证", ID, "CN_RESIDENT_ID"),
                                               ("手机", PHONE, "PHONE_NUMBER")])
def test_every_invisible_format_character_between_digits(mark: str, reason: str, label: str,
                                                         number: str, kind: str) -> None:
    assert [f.type for f in scan_text(f"{label} " + mark.join(number))] == [kind], reason


@pytest.mark.parametrize("separator, reason", [
    ("\u2027", "hyphenation point (c04): a dot between groups"),
    ("\\-", "Markdown's escaped dash (c41): renders as a dash"),
    ("\u2022", "e01: a bullet • between groups"),
    ("\u2219", "e01: a bullet operator ∙"),
    ("\u22c5", "a dot operator ⋅"),
    ("\u25e6", "a white bullet ◦"),
    ("\u3002", "e01: an ideographic full stop 。"),
    ("\uff61", "a half-width ideographic full stop ｡"),
    (":", "e01: a colon between groups (138:1234:5678)"),
    ("\uff1a", "a full-width colon ："),
])
def test_separators_a_reader_sees_as_a_dot_or_dash(separator: str, reason: str) -> None:
    text = f"身份证 {ID[:6]}{separator}{ID[6:14]}{separator}{ID[14:]}"
    assert [f.type for f in scan_text(text)] == ["CN_RESIDENT_ID"], reason
    text = f"手机 {PHONE[:3]}{separator}{PHONE[3:7]}{separator}{PHONE[7:]}"
    assert [f.type for f in scan_text(text)] == ["PHONE_NUMBER"], reason


@pytest.mark.parametrize("text, reason", [
    ("at 12:30:45 on 2026:12:01", "times and EXIF dates: colons, too few digits"),
    ("选项：1。2。3。4。5。6。7。8。9。10", "a numbered list ending in sentences"),
])
def test_colons_and_full_stops_between_short_numbers_are_not_numbers(text: str,
                                                                     reason: str) -> None:
    assert scan_text(text) == [], reason


IDX = "11010519491231002X"


@pytest.mark.parametrize("text, reason", [
    ("身份证 " + "\u2063".join(IDX), "h33: a mark between every character, the check X too"),
    ("身份证 " + " ".join(IDX), "a space between every character"),
    (f"身份证 {IDX[:6]} {IDX[6:14]} {IDX[14:17]} X", "the X written apart from the digits"),
])
def test_a_check_x_standing_apart_is_part_of_the_id(text: str, reason: str) -> None:
    assert [f.masked for f in scan_text(text)] == ["110105********002X"], reason


@pytest.mark.parametrize("text, reason", [
    ("手机 13812345678 x 2", "a quantity after a phone number"),
    ("13812345678 X", "an X after a phone: the phone alone"),
])
def test_an_x_after_another_number_stays_apart(text: str, reason: str) -> None:
    assert [f.type for f in scan_text(text)] == ["PHONE_NUMBER"], reason


@pytest.mark.parametrize("mark, reason", [
    ("\U0001f525", "t03: a fire emoji between every digit"),
    ("\u2764", "a heavy heart (a dingbat)"),
    ("\u2b50", "a star"),
    ("\U0001f1e8\U0001f1f3", "a flag: two regional indicators"),
])
def test_emoji_between_digits(mark: str, reason: str) -> None:
    assert [f.masked for f in scan_text("身份证 " + mark.join(ID))] == \
        ["110101********1233"], reason
    assert [f.type for f in scan_text("tel " + mark.join(PHONE))] == ["PHONE_NUMBER"], reason


def test_emoji_beside_numbers_change_nothing() -> None:
    assert [f.type for f in scan_text(f"📱{PHONE}🔥 ⭐{ID}")] == \
        ["PHONE_NUMBER", "CN_RESIDENT_ID"]
