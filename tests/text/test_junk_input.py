"""Junk never makes the engine raise: random Unicode, control characters, huge strings."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notforsale import scan_text
from notforsale.text.engine import DETECTORS
from notforsale.text.normalize import normalize

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
    """Each registered detector has a unique name, declares its entities, emits only those."""
    names = [d.name for d in DETECTORS]
    assert len(names) == len(set(names))
    sample = ("身份证 110101199003071233 卡号 6222021234567890128 手机 13812345678 "
              "a@example.com 护照 E12345678")
    for detector in DETECTORS:
        candidates = list(detector.find(sample))
        assert candidates, f"{detector.name} found nothing in a sample made for it"
        assert {c.type for c in candidates} <= set(detector.entities)
        assert all("0" not in repr(c) or c.masked in repr(c) for c in candidates)
