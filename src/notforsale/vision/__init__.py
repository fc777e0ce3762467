"""Models that look at images: faces (CenterFace) and text (PP-OCR through rapidocr)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


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
