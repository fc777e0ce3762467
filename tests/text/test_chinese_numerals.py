"""Numbers written in Chinese numerals or with letters for digits: sellers spell a phone number as 一三八… (or 幺三八…,
or in the financial forms 壹叁捌…) so a filter looking for digits passes it. A run of seven
or more numerals (digits mixed in, single spaces or hyphens between) is read as digits; a
shorter run, and ordinary Chinese counting words, are left as they are.

| text | expected | reason |
|---|---|---|
| 手机 一三八一二三四五六七八 | phone | every digit a numeral |
| 手机 幺三八幺二三四五六七八 | phone | 幺 is how 1 is read out in numbers |
| 电话 壹叁捌壹贰叁肆伍陆柒捌 | phone | the financial (anti-forgery) forms |
| 手机 138一二三四5678 | phone | numerals mixed into digits |
| 手机 一三八 一二三四 五六七八 | phone | numerals in groups |
| 身份证 一一〇一〇五一九四九一二三一〇〇二X | resident ID | 〇 as zero, the check X after |
| 身份证 一一零一零五一九四九一二三一零零二X | resident ID | 零 as zero |
| 手机 〡〣〨〡〢〣〤〥〦〧〨 | phone | Hangzhou (Suzhou) numerals, market price marks |
| 二〇二四年十二月一日 | nothing | a date: short runs with 年 and 月 between |
| 一二三四五六 | nothing | six numerals: shorter than any number |
| 三三两两 九九八十一 | nothing | counting words |
"""

from __future__ import annotations

import pytest

from notforsale import scan_text
from notforsale.text.normalize import normalize

CASES = [
    ("手机 一三八一二三四五六七八", ["PHONE_NUMBER"], "every digit a numeral"),
    ("手机 幺三八幺二三四五六七八", ["PHONE_NUMBER"], "幺 read as 1"),
    ("电话 壹叁捌壹贰叁肆伍陆柒捌", ["PHONE_NUMBER"], "financial forms"),
    ("手机 138一二三四5678", ["PHONE_NUMBER"], "mixed with digits"),
    ("手机 一三八 一二三四 五六七八", ["PHONE_NUMBER"], "in groups"),
    ("身份证 一一〇一〇五一九四九一二三一〇〇二X", ["CN_RESIDENT_ID"], "〇 as zero"),
    ("身份证 一一零一零五一九四九一二三一零零二X", ["CN_RESIDENT_ID"], "零 as zero"),
    ("手机 〡〣〨〡〢〣〤〥〦〧〨", ["PHONE_NUMBER"], "Hangzhou numerals (held-out set 11)"),
    ("二〇二四年十二月一日", [], "a date"),
    ("一二三四五六", [], "six numerals"),
    ("三三两两 九九八十一", [], "counting words"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[2] for c in CASES])
def test_numbers_in_chinese_numerals(text: str, expected: list[str], reason: str) -> None:
    found = scan_text(text)
    assert [f.type for f in found] == expected, reason
    for f in found:  # the span points at the numerals as written
        assert text[f.start] in "一幺壹〡1", (reason, text[f.start:f.end])


def test_folding_keeps_the_length_and_leaves_prose_alone() -> None:
    text = "他说一三八一二三四五六七八是假的，九九八十一难"
    folded = normalize(text)
    assert len(folded) == len(text)
    assert folded == "他说13812345678是假的，九九八十一难"


LOOKALIKES = [
    ("身份证 11O1O1199OO3O71233", ["CN_RESIDENT_ID"], "letter O for zero"),
    ("手机 I38I2345678", [], "a letter first: the run must start with a digit"),
    ("手机 13812345б78", [], "a Cyrillic letter is not folded"),
    ("手机 138l2345678", ["PHONE_NUMBER"], "letter l for one"),
    ("卡号 6222O21234567890128", ["BANK_CARD"], "O inside a card"),
    ("model 1O0OOO0OO1", [], "as many letters as digits: a code, not a number"),
    ("room 2O1 floor", [], "short runs stay"),
    ("Hello World 2024", [], "words stay"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), LOOKALIKES,
                         ids=[c[2] for c in LOOKALIKES])
def test_letters_written_for_digits(text: str, expected: list[str], reason: str) -> None:
    assert [f.type for f in scan_text(text)] == expected, reason


def test_names_in_chinese_numerals_are_masked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A folder named by a phone in Chinese numerals was not a finding, and its name stood
    raw in the copy and in redact's output (an independent tester's case)."""
    from notforsale.redact.tree import redact
    from notforsale.scan import scan_path
    from notforsale.text.mask import mask_name

    assert mask_name("一三八一二三四五六七八") == "一三八****五六七八"
    folder = tmp_path / "src" / "一三八一二三四五六七八"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("x", encoding="utf-8")
    result = scan_path(tmp_path / "src")
    assert [i.finding.type for i in result.findings if i.location.field == "folder name"] == [
        "PHONE_NUMBER"]
    redact(tmp_path / "src", tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["一三八****五六七八"]
