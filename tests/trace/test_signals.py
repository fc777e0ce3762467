"""Signal types: comparison at the threshold, hex validation, examples."""

from __future__ import annotations

import pytest

from notforsale.trace.signals import (
    PDQ,
    PDQ_FACE,
    PDQ_WINDOW,
    SIGNAL_TYPES,
    VPDQ,
    SignalError,
    validate_hex,
)


def flipped(value: str, bits: int) -> str:
    """``value`` with its first ``bits`` bits inverted."""
    number = int(value, 16) ^ (((1 << bits) - 1) << (256 - bits))
    return f"{number:064x}"


BASE = "8dac5e40e3b941961fcb4e6df681e3d8d1ba1aa35e296611d0ca89f64d55265d"


@pytest.mark.parametrize(("other", "match", "gap", "why"), [
    (BASE, True, 0, "the same hash"),
    (flipped(BASE, 1), True, 1, "one bit apart"),
    (flipped(BASE, 31), True, 31, "the threshold is inclusive (HMA's <= 31)"),
    (flipped(BASE, 32), False, 32, "one bit past the threshold"),
    (flipped(BASE, 256), False, 256, "every bit inverted"),
    (BASE.upper(), True, 0, "upper-case hex is the same hash"),
])
def test_compare(other: str, match: bool, gap: int, why: str) -> None:
    result = PDQ.compare(BASE, other)
    assert (result.match, result.distance) == (match, gap), why


@pytest.mark.parametrize("junk", ["", "abc", "g" * 64, "0" * 63, "0" * 65, None, 12, b"0" * 64,
                                  "0x" + "0" * 62])
def test_junk_hashes_are_refused(junk: object) -> None:
    with pytest.raises(SignalError):
        validate_hex(junk)  # type: ignore[arg-type]


def test_every_signal_type_is_registered_once_with_examples_that_match_themselves() -> None:
    assert list(SIGNAL_TYPES) == ["pdq", "pdq_window", "pdq_face", "vpdq"]
    for signal in (PDQ, PDQ_WINDOW, PDQ_FACE, VPDQ):
        assert signal.content_types == (("video",) if signal is VPDQ else ("photo",))
        examples = signal.examples()
        assert examples, signal.name
        for example in examples:
            assert signal.compare(example, example).distance == 0
