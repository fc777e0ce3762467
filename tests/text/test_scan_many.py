"""scan_many: one pass of the detectors over many short texts (table cells) joined gives,
for every text, exactly what scan_text gives it alone."""

from __future__ import annotations

import random

import pytest

from notforsale.text.engine import scan_many, scan_text

KEY = b"scan-many-test-key"

# (texts and hints of one batch, why the batch is hard for a joined pass)
CASES = [
    ((("张三", "姓名"), ("110101199003071233", "身份证号"), ("13812345678", "手机号")),
     "a plain row: one number per cell"),
    ((("13812345678", ""), ("13912345678", "")),
     "numbers at both ends of neighbouring cells: no run may join them"),
    ((("-13812345678", ""), ("13812345678-", ""), ("1381234567", "8")),
     "dashes and digits at the cell edges (UUID and run rules look beside a number)"),
    ((("+86", ""), ("13812345678", "电话"), ("(+86)138 1234 5678", "")),
     "a '+' prefix in the cell before stays there"),
    ((("550e8400-e29b-41d4-a716", ""), ("446655440000", ""),
      ("550e8400-e29b-41d4-a716-446655440000", "")),
     "half a UUID in each of two cells, and a whole one"),
    ((("zhang.san@example.com", "邮箱"), ("@example.com", ""), ("zhang", ""),
      ("a@b.co-", ""), ("x@y.cn----13812345678", "")),
     "e-mail addresses whose local part or domain would reach a neighbour"),
    ((("护照", ""), ("E12345678", ""), ("护照号码 E12345678", ""), ("passport EA1234567", "")),
     "a passport's context word in the cell before does not count"),
    ((("E12345678", "护照号"), ("G12345678", "passport")),
     "a passport's context word in the hint"),
    ((("11010119900307123X", ""), ("X", ""), ("11010119900307123", "x光片")),
     "a check character X at the cell's end, and a letter in the next cell"),
    ((("１３８１２３４５６７８", ""), ("\U0001d7cf\U0001d7d1\U0001d7d6" + "12345678", "")),
     "full-width and mathematical digits (normalized one for one)"),
    ((("6222 0212 3456 7890 128", "卡号"), ("6222021234567890128", ""),
      ("账号 6222021234567890128", "")),
     "cards with and without context words"),
    ((("010-12345678", "电话"), ("010-12345678", ""), ("收据编号 010-12345678", "")),
     "a landline needs its own label"),
    ((("第一行 13812345678\n第二行 110101199003071233", ""), ("13912345678", "")),
     "a text holding a newline is scanned alone"),
    ((("电话 13812345678 " * 400, ""), ("13912345678", "手机")),
     "a long text is scanned alone"),
    ((("", ""), ("   ", ""), ("13812345678", "")),
     "empty and blank texts"),
    (((" 13812345678", ""), ("13812345678 ", ""), ("1 3 8 1 2 3 4 5 6 7 8 9 0 1", "")),
     "spaces at the edges; short groups joined alike"),
]


@pytest.mark.parametrize(("batch", "why"), CASES, ids=[why for _, why in CASES])
def test_each_text_gives_what_it_gives_alone(batch: tuple[tuple[str, str], ...],
                                            why: str) -> None:
    texts = [text for text, _ in batch]
    hints = [hint for _, hint in batch]
    alone = [scan_text(t, key=KEY, context_hint=h) for t, h in batch]
    assert scan_many(texts, hints, key=KEY) == alone, why


def test_min_score_applies_per_text() -> None:
    batch = [("13812345678", ""), ("13812345678", "手机"), ("010-12345678", "电话")]
    for floor in (0.0, 0.6, 0.8, 0.95):
        assert scan_many([t for t, _ in batch], [h for _, h in batch], key=KEY,
                         min_score=floor) == \
            [scan_text(t, key=KEY, context_hint=h, min_score=floor) for t, h in batch]


def test_random_cells_match_cell_by_cell() -> None:
    """Cells made of fragments that sit at the rules' edges, in random order."""
    fragments = ["13812345678", "110101199003071233", "11010119900307123X", "6222021234567890128",
                 "-", "--", "+", "+86 ", "(", ")", " ", "x", "X", "a", "@", "zhang@qq.com",
                 ".", "E12345678", "护照", "电话", "身份证", "卡号", "550e8400", "-e29b-",
                 "0086", "010-", "12345678", "1", "光片", "１２３", "张三", "北京市"]
    rng = random.Random(16)
    for _ in range(30):
        cells = ["".join(rng.choice(fragments) for _ in range(rng.randint(0, 5)))
                 for _ in range(rng.randint(1, 12))]
        hints = [rng.choice(["", "手机号", "身份证号", "备注", "passport"]) for _ in cells]
        assert scan_many(cells, hints, key=KEY) == \
            [scan_text(c, key=KEY, context_hint=h) for c, h in zip(cells, hints, strict=True)], \
            cells


# (text, whether finds_nothing may say so, why)
NOTHING = [
    ("f0000001.txt", True, "seven digits: no run of ten"),
    ("备注 第123456789条", True, "nine digits and no word"),
    ("13812345678", False, "eleven digits: a mobile"),
    ("①②③④⑤⑥⑦⑧⑨①", False, "circled digits fold to ten digits"),
    ("护照E1234567", False, "a passport's word: a shape with fewer digits"),
    ("ｐａｓｓｐｏｒｔ E12345678", False, "the word in full-width letters folds to ASCII"),
    ("a＠b.cn", False, "a full-width at sign folds to one: an e-mail address"),
    ("照片1.jpg", True, "one digit"),
]


@pytest.mark.parametrize(("text", "nothing", "why"), NOTHING, ids=[c[2] for c in NOTHING])
def test_finds_nothing_is_told_without_the_detectors(text: str, nothing: bool, why: str) -> None:
    from notforsale.text.engine import finds_nothing

    assert finds_nothing(text) is nothing, why
    if nothing:
        assert scan_text(text, key=KEY) == [], why


def test_finds_nothing_never_hides_a_finding() -> None:
    from notforsale.text.engine import finds_nothing

    fragments = ["1", "12", "123456", "@", "＠", "护照", "E", "passport", "PASSPORT", "pp no",
                 "x", "-", " ", "①", "１２３", "a.cn", "号"]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(fragments) for _ in range(rng.randint(1, 9)))
        if finds_nothing(text):
            assert scan_text(text, key=KEY) == [], text
