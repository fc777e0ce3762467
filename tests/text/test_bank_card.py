"""BANK_CARD: a table of texts, the spans that must be found, and why."""

from __future__ import annotations

import pytest

from notforsale.text.numbers import bank_card
from tests.conftest import found

CARD = "BANK_CARD"

CASES = [
    ("6222021234567890128", ["6222021234567890128"], "19-digit UnionPay (Presidio misses it)"),
    ("卡号6228480012345678903", ["6228480012345678903"], "glued to Chinese"),
    ("6222 0212 3456 7890 128", ["6222 0212 3456 7890 128"], "groups of four"),
    ("6222-0212-3456-7890-128", ["6222-0212-3456-7890-128"], "dashes"),
    ("６２２２０２１２３４５６７８９０１２８", ["６２２２０２１２３４５６７８９０１２８"], "full-width"),
    ("6217001234567893", ["6217001234567893"], "16-digit UnionPay"),
    ("4111 1111 1111 1111", ["4111 1111 1111 1111"], "Visa"),
    ("5105105105105100", ["5105105105105100"], "Mastercard"),
    ("378282246310005", ["378282246310005"], "American Express, 15 digits"),
    ("6222021234567890128|6217001234567893", ["6222021234567890128", "6217001234567893"],
     "two cards separated by a bar"),
    ("6222 0212 3456 7890 128 13812345678", ["6222 0212 3456 7890 128"],
     "spaced card followed by a phone number"),
    # decoys
    ("6222021234567890123", [], "fails Luhn"),
    ("6222 0212 3456 7890 123", [], "fails Luhn; its first 16 digits pass, but are no number"),
    ("1234567890123452", [], "passes Luhn, no card network starts with 1"),
    ("时间戳 1700000000000", [], "13-digit millisecond timestamp"),
    ("运单号 SF1234567890123", [], "tracking number"),
    ("ISBN 978-7-111-54742-6", [], "ISBN"),
    ("价格 ¥6222.00", [], "price"),
    ("62220212345678901280", [], "valid card inside a longer run"),
    ("4000000000006", [], "13-digit Visa-shaped number without a context word"),
    ("req=62220212-3456-7894-a1b2-c3d4e5f60718", [], "UUID whose first three groups pass Luhn"),
    ("62220212-3456-7894", ["62220212-3456-7894"], "the same digits outside a UUID are a card"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[2] for c in CASES])
def test_bank_card_table(text: str, expected: list[str], reason: str) -> None:
    assert found(text, CARD) == [(CARD, span) for span in expected], reason


def test_short_card_needs_context() -> None:
    assert found("visa card 4000000000006", CARD) == [(CARD, "4000000000006")]


def test_card_context_decides_between_card_and_id() -> None:
    # 620102197506150037 is a valid Gansu ID number; check whether Luhn also passes
    # for a variant, then show that context decides the reading.
    from stdnum import luhn

    number = "620102197506150037"
    expected = "BANK_CARD" if luhn.is_valid(number) else "CN_RESIDENT_ID"
    assert found("银行卡号 " + number)[0][0] == expected
    assert found("身份证 " + number)[0][0] == "CN_RESIDENT_ID"


@pytest.mark.parametrize("junk", [None, 4111, "", "٤١١١", "4111-1111-1111-1111-1111"])
def test_module_never_raises_on_junk(junk: object) -> None:
    assert bank_card.is_valid(junk) is False  # type: ignore[arg-type]


def test_mask_keeps_bin_and_last_four() -> None:
    assert bank_card.mask("6222021234567890128") == "622202*********0128"
