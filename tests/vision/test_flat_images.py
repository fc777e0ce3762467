"""An image of one colour holds no face and no text: the detectors are not run on it (a fax
of blank pages, a blank scan). One pixel of another colour and they are."""

from __future__ import annotations

import numpy as np
import pytest

from notforsale.vision import analyze, faces, flat


def _image(colour: tuple[int, int, int], odd: tuple[int, int, int] | None = None) -> np.ndarray:
    rgb = np.empty((64, 96, 3), np.uint8)
    rgb[:] = colour
    if odd is not None:
        rgb[40, 70] = odd
    return rgb


@pytest.mark.parametrize("rgb, expected, reason", [
    (_image((255, 255, 255)), True, "white page"),
    (_image((0, 0, 0)), True, "black page"),
    (_image((200, 100, 50)), True, "one colour whose channels differ"),
    (_image((255, 255, 255), (254, 255, 255)), False, "one pixel a shade off"),
    (_image((200, 100, 50), (200, 100, 51)), False, "one channel of one pixel"),
    (np.empty((0, 0, 3), np.uint8), True, "no pixels"),
])
def test_flat(rgb: np.ndarray, expected: bool, reason: str) -> None:
    assert flat(rgb) is expected, reason


class _Refusing:
    def run(self, *args: object, **kwargs: object) -> object:
        raise AssertionError("the model was run on a flat image")


def test_the_detectors_are_not_run_on_a_flat_image(monkeypatch: pytest.MonkeyPatch) -> None:
    detector = faces.shared_detector()
    monkeypatch.setattr(detector, "_session", _Refusing())
    monkeypatch.setattr(analyze, "shared_reader", lambda: _Refusing())
    blank = _image((255, 255, 255))
    assert detector.detect(blank) == []
    assert analyze._read_lines(blank) == []
    with pytest.raises(AssertionError):  # and they are on anything else
        detector.detect(_image((255, 255, 255), (0, 0, 0)))
