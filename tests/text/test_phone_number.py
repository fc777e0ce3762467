"""PHONE_NUMBER: a table of texts, the spans that must be found, and why."""

from __future__ import annotations

import pytest

from notforsale import scan_text
from tests.conftest import found

PHONE = "PHONE_NUMBER"

CASES = [
    ("13812345678", ["13812345678"], "plain mainland mobile"),
    ("手机13812345678", ["13812345678"], "glued to Chinese"),
    ("138 1234 5678", ["138 1234 5678"], "3-4-4 with spaces"),
    ("138-1234-5678", ["138-1234-5678"], "3-4-4 with dashes"),
    ("138.1234.5678", ["138.1234.5678"], "dots"),
    ("１３８１２３４５６７８", ["１３８１２３４５６７８"], "full-width digits"),
    ("+8613812345678", ["+8613812345678"], "+86 glued"),
    ("+86 138 1234 5678", ["+86 138 1234 5678"], "+86 and spaces"),
    ("0086 13812345678", ["0086 13812345678"], "0086 prefix"),
    ("(+86)13812345678", ["(+86)13812345678"], "(+86) prefix"),
    ("86 13812345678", ["86 13812345678"], "86 written apart"),
    ("8613812345678", ["8613812345678"], "86 glued without + (how wa.me and tel: links write it)"),
    ("https://wa.me/8613812345678", ["8613812345678"], "WhatsApp link: country code, no +"),
    ("tel:8613812345678", ["8613812345678"], "tel: link without +"),
    ("phone=8613812345678&x=1", ["8613812345678"], "query parameter"),
    ("86-138-1234-5678", ["86-138-1234-5678"], "86 and dashes"),
    ("13812345678/13912345678，15012345678", ["13812345678", "13912345678", "15012345678"],
     "three numbers separated by slash and full-width comma"),
    ("13812345678 13912345678", ["13812345678", "13912345678"], "two numbers, one space"),
    ("Tel13812345678", ["13812345678"], "glued to an English word"),
    ("+1 415 555 2671", ["+1 415 555 2671"], "US number with + country code"),
    ("+44 20 7946 0958", ["+44 20 7946 0958"], "UK number with + country code"),
    ("+852 9123 4567", ["+852 9123 4567"], "Hong Kong mobile"),
    ("电话 010-12345678", ["010-12345678"], "landline with a context word"),
    ("座机(0755)12345678", ["0755)12345678"], "landline in brackets with a context word"),
    ("图书馆固话010 12345678", ["010 12345678"], "landline after 固话"),
    ("(+8613812345678)", ["+8613812345678"], "bracket around the whole number is not part of it"),
    ("（+86 13812345678）", ["+86 13812345678"], "full-width brackets around the number"),
    ("联系我 191\u200b4459\u200b2307 谢谢", ["191\u200b4459\u200b2307"],
     "zero-width spaces inside the number"),
    # decoys
    ("电话费已缴清，收据编号 010-62345670", [],
     "the nearer label (收据编号) says it is a receipt number"),
    ("京东物流 JD0012345678901 派送中", [], "tracking number starting 00 is no international call"),
    ("ip=192.168.100.12", [], "an IPv4 address whose digits make a mobile number"),
    ("id 5f3a1c2e-b4a1-4c2d-9e1f-d13812345678", [], "UUID ending in a mobile-shaped group"),
    ("10.138.123.45 / 172.16.254.1", [], "IPv4 addresses"),
    ("010-12345678", [], "landline without a context word"),
    ("12345678901", [], "11 digits not starting 1[3-9]"),
    ("10086123456", [], "11 digits starting 10"),
    ("1381234567", [], "10 digits"),
    ("138123456789", [], "12 digits"),
    ("110101199003071233", [], "a phone pattern inside an ID number"),
    ("a5f13812345678b0", [], "inside a hexadecimal hash"),
    ("2023 1127 1381 2345 678", [], "a phone hidden in a spaced order number"),
    ("价格 +100元", [], "a price with a plus sign"),
    ("客服 400-820-8820", [], "a service number is no one's phone"),
    ("8612345678901", [], "86 glued to 11 digits that are no mobile"),
    ("8713812345678", [], "13 digits whose first two are not 86"),
    ("86138123456789", [], "86 glued to 12 digits"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[2] for c in CASES])
def test_phone_table(text: str, expected: list[str], reason: str) -> None:
    assert found(text, PHONE) == [(PHONE, span) for span in expected], reason


def test_equal_numbers_in_any_format_share_a_fingerprint() -> None:
    forms = ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "１３８１２３４５６７８"]
    prints = {scan_text(form)[0].fingerprint for form in forms}
    assert len(prints) == 1


def test_mask() -> None:
    assert scan_text("13812345678")[0].masked == "+86 138****5678"
