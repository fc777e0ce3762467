"""The OCR reader's sessions: idle threads sleep (no CPU burnt spinning), same text read."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from notforsale.demo import id_card_image
from notforsale.vision import ocr
from tests.conftest import shared_faces


def _card() -> np.ndarray:
    face = Image.open(shared_faces() / "astronaut.png").convert("RGB")
    data = id_card_image(face, "310115198001010016")
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _sessions(reader: ocr.TextReader) -> list[object]:
    engine = reader._engine
    return [stage.session.session for stage in (engine.text_det, engine.text_cls,
                                                engine.text_rec)]


def test_every_stage_of_a_two_thread_reader_sleeps_when_idle() -> None:
    reader = ocr.TextReader(threads=2)
    for session in _sessions(reader):
        options = session.get_session_options()  # type: ignore[attr-defined]
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
        assert options.intra_op_num_threads == 2
        assert session.get_providers() == ["CPUExecutionProvider"]  # type: ignore[attr-defined]


def test_the_sleeping_sessions_read_what_rapidocrs_own_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    card = _card()
    sleeping = ocr.TextReader(threads=2).read(card)
    monkeypatch.setattr(ocr, "_sleeping_threads", lambda engine, threads: None)
    spinning = ocr.TextReader(threads=2).read(card)
    assert [(line.text, line.box, line.chars) for line in sleeping] == \
        [(line.text, line.box, line.chars) for line in spinning]
    assert any("310115198001010016" in line.text.replace(" ", "") for line in sleeping)
