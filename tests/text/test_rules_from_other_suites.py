"""Number rules found missing against other projects' test suites (each case says why)."""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from tests.conftest import found


def _permit(area: str) -> str:
    body = f"{area}19900307123"
    return body + ric.calc_check_digit(body + "0")


@pytest.mark.parametrize(("text", "expected", "why"), [
    (f"居住证 {_permit('830000')}", [("CN_RESIDENT_ID", _permit("830000"))],
     "residence permits of Taiwan residents start 830000 (valid check character)"),
    (f"居住证 {_permit('810000')}", [("CN_RESIDENT_ID", _permit("810000"))],
     "Hong Kong residents' permits (810000) were found already"),
    (f"居住证 {_permit('820000')}", [("CN_RESIDENT_ID", _permit("820000"))],
     "Macau residents' permits (820000) were found already"),
    (f"{_permit('830000')[:-1]}{'1' if _permit('830000')[-1] != '1' else '2'}", [],
     "a wrong check character is still wrong for 830000"),
    ("mail andy.o'reilly@example.com ok", [("EMAIL_ADDRESS", "andy.o'reilly@example.com")],
     "an apostrophe is allowed in the local part: cutting it leaves the start unmasked"),
    ("'zhang@example.com'", [("EMAIL_ADDRESS", "zhang@example.com")],
     "quotes around an address are not part of it"),
    ("mail user@example.xn--p1ai", [("EMAIL_ADDRESS", "user@example.xn--p1ai")],
     "punycode top-level domains (.рф)"),
    ("邮箱 a.b@b.xn--fiqs8s", [("EMAIL_ADDRESS", "a.b@b.xn--fiqs8s")],
     "punycode top-level domains (.中国)"),
    ("手机 14912345678", [("PHONE_NUMBER", "14912345678")],
     "149 data-only mobiles: libphonenumber lacks them"),
    ("14912345678", [("PHONE_NUMBER", "14912345678")],
     "a 149 mobile needs no context, like other mobiles"),
    ("14012345678", [], "140 is not a mobile prefix"),
    ("Landline 010-62345678", [("PHONE_NUMBER", "010-62345678")],
     "English landline label as context"),
    ("landline: 021-6234-5678", [("PHONE_NUMBER", "021-6234-5678")],
     "English landline label, lower case"),
    ("Tel. 010-62345678", [("PHONE_NUMBER", "010-62345678")], "Tel. with its full stop"),
    ("Home phone 0755-86001234", [("PHONE_NUMBER", "0755-86001234")], "home phone"),
    ("订单 010-62345678", [], "a landline shape without its own label stays unreported"),
])
def test_rule(text: str, expected: list[tuple[str, str]], why: str) -> None:
    assert found(text) == expected, why
