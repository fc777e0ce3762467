"""What the listing screener asks: does this image come from a known traded pack?

The service registers its database's lists with :func:`use` (a
:class:`~notforsale.trace.store.MatcherCache`, or a fixed
:class:`~notforsale.trace.matcher.Matcher`); with nothing registered, or no
list stored, nothing is hashed and the answer is None. Only confirmed matches
count (not weak, and a document's face region matched too).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .matcher import Match, Matcher

log = logging.getLogger(__name__)

#: The screener's feature for an attached image that matches a stored list (the screener
#: blocks such a listing: see ``listings.images.KNOWN_PACK``).
KNOWN_PACK = "known traded pack"


class _Source(Protocol):
    def get(self) -> Matcher: ...


class _Fixed:
    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher

    def get(self) -> Matcher:
        return self.matcher


_lock = threading.Lock()
_source: _Source | None = None


def use(source: _Source | Matcher | None) -> None:
    """Register the lists the screener checks images against (None: none)."""
    from .matcher import Matcher

    global _source
    with _lock:
        _source = _Fixed(source) if isinstance(source, Matcher) else source


def best_match(data: bytes) -> Match | None:
    """The nearest confirmed match of an image's bytes against the registered lists."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..read.images import ImageError
    from .matcher import query_bytes

    with _lock:
        source = _source
    if source is None:
        return None
    try:
        matcher = source.get()
    except SQLAlchemyError as error:
        log.warning("hash lists cannot be read (%s); images not checked against them",
                    type(error).__name__)
        return None
    if not len(matcher):
        return None
    try:
        return matcher.best(query_bytes(data))
    except ImageError:
        return None


def known_pack_reason(data: bytes) -> str | None:
    """``image from a known traded pack (list X, distance d)``, or None."""
    found = best_match(data)
    return found.reason() if found else None
