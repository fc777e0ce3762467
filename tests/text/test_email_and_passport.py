"""EMAIL_ADDRESS and CN_PASSPORT tables."""

from __future__ import annotations

import pytest

from tests.conftest import found

EMAIL, PASSPORT = "EMAIL_ADDRESS", "CN_PASSPORT"

CASES = [
    ("mail: zhang.san@example.com.", [(EMAIL, "zhang.san@example.com")], "sentence end"),
    ("邮箱abc.def@qq.com，谢谢", [(EMAIL, "abc.def@qq.com")], "glued to Chinese"),
    ("ｚｈａｎｇ＠ｑｑ．ｃｏｍ", [(EMAIL, "ｚｈａｎｇ＠ｑｑ．ｃｏｍ")], "full-width"),
    ("13812345678@163.com", [(EMAIL, "13812345678@163.com")],
     "a phone number as the local part is one e-mail address"),
    ("a@b", [], "no top-level domain"),
    ("user@@example.com", [], "double @"),
    ("x..y@example.com", [], "two dots in a row"),
    ("张伟----110101199003071233----13812345678----zhangwei@qq.com",
     [(EMAIL, "zhangwei@qq.com")], "the ---- of a leaked row separates fields, it is no local part"),
    ("13812345678--li-na@qq.com", [(EMAIL, "li-na@qq.com")],
     "two dashes in a row end a local part; one dash is part of it"),
    ("邮箱：--wang.fang@163.com--", [(EMAIL, "wang.fang@163.com")], "dashes around an address"),
    ("a@qq.com----北京市朝阳区", [(EMAIL, "a@qq.com")], "the next field after ----"),
    ("a@qq.com-cn.net", [(EMAIL, "a@qq.com-cn.net")], "one dash: the domain goes on"),
    ("a@example.com-", [], "a domain does not end in a single dash (as before)"),
    ("护照号E12345678", [(PASSPORT, "E12345678")], "passport with context"),
    ("passport no. EA1234567", [(PASSPORT, "EA1234567")], "newer E + letter format"),
    ("护照：G12345678", [(PASSPORT, "G12345678")], "older G format"),
    ("型号 E12345678", [], "same shape without a context word (a model number)"),
    ("护照已经办好了，下周就出发，另外快递单号是E12345670", [],
     "护照 is far away and a tracking-number label stands nearer"),
    ("护照 EI1234567", [], "I is never used as the second letter"),
    ("护照 E123456789", [], "too many digits"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[2] for c in CASES])
def test_table(text: str, expected: list[tuple[str, str]], reason: str) -> None:
    assert [f for f in found(text) if f[0] in (EMAIL, PASSPORT)] == expected, reason
