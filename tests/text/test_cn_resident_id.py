"""CN_RESIDENT_ID: a table of texts, the spans that must be found, and why."""

from __future__ import annotations

import pytest

from notforsale.text.numbers import cn_ric
from tests.conftest import found

ID = "CN_RESIDENT_ID"

CASES = [
    # (text, expected written spans, reason)
    ("110101199003071233", ["110101199003071233"], "plain 18 digits, valid check digit"),
    ("11010119900307109X", ["11010119900307109X"], "check character X"),
    ("11010119900307109x", ["11010119900307109x"], "lower-case x is written too"),
    ("身份证号11010119900307117X号码", ["11010119900307117X"], "glued to Chinese on both sides"),
    ("身份证号：１１０１０１１９９００３０７１２３３", ["１１０１０１１９９００３０７１２３３"],
     "full-width digits"),
    ("１１０１０１１９９００３０７１０９Ｘ", ["１１０１０１１９９００３０７１０９Ｘ"],
     "full-width digits and full-width X"),
    ("11010119900307109Х", ["11010119900307109Х"], "Cyrillic Х as the check character"),
    ("ID: 110101 19900307 1233", ["110101 19900307 1233"], "spaces between the sections"),
    ("110101-19900307-109X", ["110101-19900307-109X"], "dashes between the sections"),
    ("1101.0119.9003.0712.33", ["1101.0119.9003.0712.33"], "dots every four digits"),
    ("310115198001010016", ["310115198001010016"],
     "Pudong code issued 1992, holder born 1980: stdnum rejects it, it is real"),
    ("620102197506150037", ["620102197506150037"], "Gansu: 62 prefix like UnionPay, still an ID"),
    ("510107200002290045", ["510107200002290045"], "born on a leap day"),
    ("张三,110101199003071233,13812345678", ["110101199003071233"], "a CSV row"),
    ("110101199003071233/440305198512310026", ["110101199003071233", "440305198512310026"],
     "two numbers separated by a slash"),
    ("110101199003071233 440305198512310026", ["110101199003071233", "440305198512310026"],
     "two numbers separated by one space"),
    ("旧身份证号 110101900307123", ["110101900307123"], "legacy 15-digit number"),
    # decoys
    ("110101199003071234", [], "wrong check digit (an order number)"),
    ("订单号 202311271234567890", [], "18-digit order number"),
    ("110101199013071239", [], "month 13"),
    ("110101199002301232", [], "30 February"),
    ("110101230003071231", [], "born in the future"),
    ("990101199003071239", [], "no such province"),
    ("1110101199003071233", [], "a valid ID inside a longer run of digits"),
    ("1101011990030712331", [], "a valid ID followed by a further digit"),
    ("11010119900307109X5", [], "X inside a longer run"),
    ("hash a1110101199003071233f", [], "inside a hexadecimal token"),
    ("110101900307123", [], "legacy 15 digits need a context word (no check digit)"),
    ("流水 110101850612125 已入账", [], "15-digit ledger number shaped like a legacy ID"),
    ("身份证310104198511224568X光片已上传", ["310104198511224568"],
     "the X of X光 (X-ray) is not a check character"),
    ("123456789012345", [], "15 digits that are no ID"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[2] for c in CASES])
def test_resident_id_table(text: str, expected: list[str], reason: str) -> None:
    assert found(text, ID) == [(ID, span) for span in expected], reason


def test_context_raises_score_but_never_validates() -> None:
    from notforsale import scan_text

    plain = scan_text("110101199003071233")[0].score
    with_context = scan_text("身份证号 110101199003071233")[0].score
    assert with_context > plain
    assert scan_text("身份证号 110101199003071234") == []


@pytest.mark.parametrize("junk", [None, 123, b"110101199003071233", "", "😀" * 18, "X" * 18])
def test_module_never_raises_on_junk(junk: object) -> None:
    assert cn_ric.is_valid(junk) is False  # type: ignore[arg-type]


def test_legacy_number_shares_fingerprint_with_its_18_digit_form() -> None:
    from notforsale import scan_text

    old = scan_text("身份证 110101900307123")[0]
    new = scan_text("身份证 " + cn_ric.to_18("110101900307123"))[0]
    assert old.fingerprint == new.fingerprint
