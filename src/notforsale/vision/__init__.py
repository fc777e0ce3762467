"""Models that look at images: faces (CenterFace) and text (PP-OCR through rapidocr)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def flat(rgb: np.ndarray) -> bool:
    """Whether every pixel of an image has the same colour (a blank page, an empty scan): no
    face and no text can be in it, and no model need look."""
    return rgb.size == 0 or not (rgb != rgb.reshape(-1, rgb.shape[-1])[0]).any()


def loaded_once(factory: Callable[[], T]) -> Callable[[], T]:
    """A getter that builds a model on first use, once per process, whatever the threads."""
    lock = threading.Lock()
    built: list[T] = []

    def get() -> T:
        with lock:
            if not built:
                built.append(factory())
            return built[0]

    return get
