"""Junk never makes the engine raise: random Unicode, control characters, huge strings."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.exceptions import ValidationError

from notforsale import scan_text
from notforsale.model import ENTITY_TYPES
from notforsale.text.engine import DETECTORS
from notforsale.text.normalize import normalize
from notforsale.text.numbers import bank_card, cn_passport, cn_ric, email, phone

_DIGITISH = st.text(alphabet=st.sampled_from(list("0123456789xX -.+()@·_/|，１２３４５６７８９０Ｘ")),
                    max_size=200)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=500))
def test_random_unicode_never_raises(text: str) -> None:
    for finding in scan_text(text):
        assert 0 <= finding.start < finding.end <= len(text)
        assert 0.0 <= finding.score <= 1.0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DIGITISH)
def test_digit_soup_never_raises_and_spans_are_sane(text: str) -> None:
    findings = scan_text(text)
    for earlier, later in zip(findings, findings[1:], strict=False):
        assert earlier.end <= later.start, "findings overlap or are out of order"


@settings(deadline=None)
@given(st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=300))
def test_control_and_format_characters(text: str) -> None:
    assert scan_text(text) == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_normalize_keeps_length(text: str) -> None:
    assert len(normalize(text)) == len(text)


def test_ten_megabyte_string() -> None:
    rng = random.Random(7)
    chunk = "".join(rng.choice("0123456789 -.汉字abc\n") for _ in range(10_000))
    text = chunk * 1000  # 10 MB of dense digit soup
    findings = scan_text(text)
    assert all(f.end <= len(text) for f in findings)


def test_ten_megabytes_of_one_digit_run() -> None:
    assert scan_text("1" * 10_000_000) == []


@pytest.mark.parametrize("bad", [None, 42, b"13812345678", ["13812345678"]])
def test_wrong_type_is_a_clear_error(bad: object) -> None:
    with pytest.raises(TypeError, match="needs a str"):
        scan_text(bad)  # type: ignore[arg-type]


def test_every_detector_keeps_the_contract() -> None:
    """What the registry does not check: each detector declares only known entity types,
    finds its own examples (one for every type it declares), emits only what it declares,
    and the repr of what it hands on hides the value."""
    for detector in DETECTORS:
        assert set(detector.entities) <= set(ENTITY_TYPES), detector.name
        assert {entity for _, entity, _ in detector.examples} == set(detector.entities), \
            f"{detector.name}: every declared type needs an example"
        for text, entity, written in detector.examples:
            normalized = normalize(text)
            candidates = [c for c in detector.find(normalized)]
            assert (entity, written) in [(c.type, text[c.start:c.end]) for c in candidates], \
                (detector.name, text)
            for candidate in candidates:
                assert candidate.type in detector.entities
                shown = repr(candidate)
                assert candidate.canonical not in shown
                digits = re.sub(r"[^0-9]", "", candidate.canonical)
                if len(digits) >= 7:
                    assert digits not in re.sub(r"[^0-9]", "", shown), "repr leaks the digits"
                assert candidate.masked in shown


_NUMBER_RULES = [
    (cn_ric.compact, cn_ric.validate, cn_ric.is_valid, cn_ric.mask),
    (bank_card.compact, bank_card.validate, bank_card.is_valid, bank_card.mask),
    (cn_passport.compact, None, cn_passport.is_valid, cn_passport.mask),
]


@pytest.mark.parametrize("rules", _NUMBER_RULES, ids=["cn_ric", "bank_card", "cn_passport"])
@settings(max_examples=300, deadline=None)
@given(junk=st.one_of(st.text(max_size=40), _DIGITISH))
def test_number_modules_take_junk(rules, junk: str) -> None:  # type: ignore[no-untyped-def]
    """compact never raises; validate raises only stdnum's ValidationError; is_valid is a
    bool; a valid number masks to the same length with its middle hidden."""
    compact, validate, is_valid, mask = rules
    compacted = compact(junk)
    assert isinstance(compacted, str)
    if validate is not None:
        try:
            validate(junk)
        except ValidationError:
            pass
    valid = is_valid(junk)
    assert isinstance(valid, bool)
    if valid:
        assert len(mask(junk)) == len(compact(junk)) and "*" in mask(junk)


@settings(max_examples=300, deadline=None)
@given(junk=st.one_of(st.text(max_size=40), _DIGITISH))
def test_phone_and_email_rules_take_junk(junk: str) -> None:
    digits = "".join(ch for ch in junk if ch.isascii() and ch.isdigit())
    for result in (phone.mobile_cn(digits), phone.international(digits),
                   phone.landline_cn(digits)):
        assert result is None or (result.startswith("+") and "*" in phone.mask(result))
    for start, end in email.find(junk):
        assert 0 <= start < end <= len(junk) and "@" in junk[start:end]
