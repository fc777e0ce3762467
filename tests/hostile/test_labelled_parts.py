"""A number given in labelled parts ("前三位138，中间四位0013，尾号8000") is joined.

The eleventh held-out hostile set's e04: a seller wrote each kit's mobile as its first
three, middle four and last four digits, each after its label, so no run of digits was a
number; the scan found nothing and the copy kept them. The parts are joined in the order
they stand; what they make is then weighed like any number (a checksum, a prefix), so
labelled parts that are not a number's stay what they are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from notforsale import scan_text
from notforsale.redact.tree import redact
from notforsale.scan import scan_path

ID, ID_M = "110101199003071233", "110101********1233"
MOBILE, MOBILE_M = "13800138000", "+86 138****8000"

CASES = [
    ("手机号前三位138，中间四位0013，尾号8000", {MOBILE_M}, "first, middle, last (e04)"),
    ("电话 前3位:138 中间4位:0013 后4位:8000", {MOBILE_M}, "labels with figures, colons"),
    ("手机前三位是138、中间四位是0013、后四位是8000", {MOBILE_M}, "是 after each label"),
    ("身份证前六位110101，中间八位19900307，后四位1233", {ID_M}, "an ID in three parts"),
    ("手机号前七位1380013，后四位8000", {MOBILE_M}, "two parts"),
    ("手机号前三位１３８，中间四位００１３，尾号８０００", {MOBILE_M}, "full-width digits"),
    ("排名前三位得分98，后四位得分60", set(), "ranks and scores: too few digits for a number"),
    ("尾号8000", set(), "one part alone is no number"),
    ("手机号前三位138，中间四位0013，尾号8001", {"+86 138****8001"},
     "a mobile's digits are not checked by a sum: any eleven that begin right"),
    ("身份证前六位110101，中间八位19900307，后四位1234", set(),
     "an ID whose check digit is wrong is no ID"),
]


@pytest.mark.parametrize("text, expected, reason", CASES, ids=[c[2] for c in CASES])
def test_labelled_parts_are_joined(text: str, expected: set[str], reason: str) -> None:
    found = {f.masked for f in scan_text(text) if f.type != "EMAIL_ADDRESS"}
    assert found == expected, reason


def test_the_copy_masks_each_part(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    text = "卖家说: 手机号前三位138，中间四位0013，尾号8000。身份证前六位110101，" \
           "中间八位19900307，后四位1233\n"
    (tmp_path / "src" / "note.txt").write_text(text, encoding="utf-8")
    assert {i.finding.masked for i in scan_path(tmp_path / "src").findings} == \
        {MOBILE_M, ID_M}
    report = redact(tmp_path / "src", tmp_path / "out")
    assert report.status == "verified", report.to_dict()
    copy = (tmp_path / "out" / "note.txt").read_text(encoding="utf-8")
    assert "0013" not in copy and "19900307" not in copy, copy
    assert "卖家说" in copy, copy
