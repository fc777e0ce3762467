"""Match a picture against hash lists: which entries, by which signal, how far.

A query holds the eight dihedral variants of the picture's whole-image PDQ
(rotations by 90°, 180°, 270°, mirrors), the anchored windows of the picture
and of its mirror image, and — when it looks like a document — the windows
inside its face regions. An entry matches when its whole-image hash is within the threshold
of any variant, or any of its windows is within it of any query window.

A match is **confirmed** (enough to block) unless

- it rests only on a weak whole-image hash (PDQ quality under 50, either side), or
- the entry or the query is a document (cards of one template hash alike): then a
  window inside a face region of the query must match one of the entry's too.

Unconfirmed matches are still reported, for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from ..vision.faces import Face
from .hashing import (
    as_rgb,
    decode_upright,
    document_faces,
    face_regions,
    pdq_dihedral,
    window_hashes,
)
from .hashlist import HashEntry, HashList
from .index import HashIndex
from .signals import (
    HASH_BYTES,
    PDQ,
    PDQ_FACE,
    PDQ_THRESHOLD,
    PDQ_WINDOW,
    QUALITY_THRESHOLD,
    VPDQ,
    validate_hex,
)
from .video import Shares, VideoQuery, shares

#: pdqhash's order of the dihedral variants.
DIHEDRAL = ("original", "rotated 90°", "rotated 180°", "rotated 270°", "flipped vertically",
            "flipped horizontally", "rotated 90° and flipped vertically",
            "rotated 90° and flipped horizontally")
REASON = "image from a known traded pack"
#: A query looks up its first windows only (strongest corners first), each also mirrored:
#: 16 found as many copies in bench/trace.py as 48 did, with 40 lookups an image, not 104.
QUERY_WINDOWS = 16


@dataclass(frozen=True, slots=True)
class Query:
    """The hashes a picture is looked up by."""

    whole: tuple[bytes, ...]  # dihedral variants, original first
    quality: int | None
    windows: tuple[bytes, ...] = ()
    mirrored_windows: int = 0  # how many of ``windows`` (at the end) are of the mirror image
    faces: tuple[bytes, ...] = ()
    document: bool = False

    @property
    def weak(self) -> bool:
        return self.quality is not None and self.quality < QUALITY_THRESHOLD


def query_image(image: Image.Image | np.ndarray, faces: Sequence[Face] | None = None,
                *, stored: Image.Image | np.ndarray | None = None) -> Query:
    """The query of a decoded picture (faces detected here only for documents)."""
    rgb = as_rgb(image)
    variants, quality = pdq_dihedral(as_rgb(stored) if stored is not None else rgb)
    both = window_hashes(rgb, mirrored=True)[:2 * QUERY_WINDOWS] \
        if min(rgb.shape[:2]) >= 32 else []
    windows, mirrored = [h.hash for h in both[::2]], [h.hash for h in both[1::2]]
    document, found = document_faces(rgb, faces)
    # Windows of each face region and of its mirror image: a mirrored card, a mirrored face.
    face_codes = [item.hash for region in face_regions(rgb, found)
                  for item in window_hashes(region, mirrored=True)] if document else []
    return Query(tuple(variants), quality, tuple(windows + mirrored), len(mirrored),
                 tuple(face_codes), document)


def query_bytes(data: bytes, faces: Sequence[Face] | None = None) -> Query:
    """The query of an image file's bytes (:class:`ImageError` when unreadable); ``faces``
    as for :func:`~notforsale.trace.hashing.hash_bytes`."""
    upright, stored = decode_upright(data)
    return query_image(upright, faces, stored=stored)


def query_hash(value: str) -> Query:
    """A query by one whole-image PDQ hash (hex): no dihedral variants, no windows."""
    return Query((bytes.fromhex(validate_hex(value)),), None)


@dataclass(frozen=True, slots=True)
class Match:
    list: str
    entry: str
    signal: str     # pdq | pdq_window
    distance: int
    variant: str    # which dihedral variant or window of the query matched
    weak: bool
    document: bool
    confirmed: bool

    def reason(self) -> str:
        return f"{REASON} (list {self.list}, distance {self.distance})"

    def to_dict(self) -> dict[str, Any]:
        return {"list": self.list, "entry": self.entry, "signal": self.signal,
                "distance": self.distance, "variant": self.variant, "weak": self.weak,
                "document": self.document, "confirmed": self.confirmed}


class Matcher:
    """Hash lists loaded once into one index per signal type."""

    def __init__(self, lists: Iterable[HashList], threshold: int = PDQ_THRESHOLD) -> None:
        self.threshold = threshold
        self.entries: list[tuple[str, HashEntry]] = []
        codes: dict[str, list[bytes]] = {PDQ.name: [], PDQ_WINDOW.name: [], PDQ_FACE.name: [],
                                         VPDQ.name: []}
        owners: dict[str, list[int]] = {kind: [] for kind in codes}
        #: entry number -> the seconds of its video frames of quality 50 or more, and the
        #: second of each stored frame hash (vPDQ's shares are counted in seconds)
        self._seconds_of: dict[int, int] = {}
        seconds: list[int] = []
        for hash_list in lists:
            for entry in hash_list.entries:
                number = len(self.entries)
                self.entries.append((hash_list.name, entry))
                frames: set[bytes] = set()
                slots: set[int] = set()
                for item in entry.hashes:
                    if item.kind == VPDQ.name:
                        if item.weak or item.hash in frames:
                            continue
                        frames.add(item.hash)
                        slot = int(item.time) if item.time is not None else len(frames)
                        slots.add(slot)
                        seconds.append(slot)
                    codes[item.kind].append(item.hash)
                    owners[item.kind].append(number)
                if slots:
                    self._seconds_of[number] = len(slots)
        self._second = np.asarray(seconds, np.int64)
        self._indexes = {kind: HashIndex(np.frombuffer(b"".join(found), np.uint8)
                                         .reshape(-1, HASH_BYTES))
                         for kind, found in codes.items()}
        self._owners = {kind: np.asarray(found, np.int64) for kind, found in owners.items()}

    def __len__(self) -> int:
        return sum(len(index) for index in self._indexes.values())

    def _nearest(self, kind: str, queries: Sequence[bytes]) -> dict[int, tuple[int, int]]:
        """entry number -> (distance, which query) of the nearest stored hash of a kind."""
        if not queries:
            return {}
        found = self._indexes[kind].search(
            np.frombuffer(b"".join(queries), np.uint8).reshape(-1, HASH_BYTES), self.threshold)
        best: dict[int, tuple[int, int]] = {}
        for number, hits in enumerate(found):
            for row, gap in hits:
                entry = int(self._owners[kind][row])
                if entry not in best or gap < best[entry][0]:
                    best[entry] = (gap, number)
        return best

    def match(self, query: Query | VideoQuery) -> list[Match]:
        """Every matching entry once, confirmed matches first, nearest first."""
        if isinstance(query, VideoQuery):
            return self._match_video(query)
        whole = self._nearest(PDQ.name, query.whole)
        # a still of a listed clip: any of its frames (the sharpest one is ``whole``'s)
        for number, found in self._nearest(VPDQ.name, query.whole).items():
            if number not in whole or found[0] < whole[number][0]:
                whole[number] = found
        windows = self._nearest(PDQ_WINDOW.name, query.windows)
        faces = self._nearest(PDQ_FACE.name, query.faces) if query.faces else {}
        out = []
        for number in set(whole) | set(windows):
            list_name, entry = self.entries[number]
            by_whole, by_window = whole.get(number), windows.get(number)
            if by_whole is not None and (by_window is None or by_whole[0] <= by_window[0]):
                signal, (gap, which) = PDQ.name, by_whole
                variant = DIHEDRAL[which] if len(query.whole) > 1 else "hash"
            else:
                assert by_window is not None
                signal, (gap, which) = PDQ_WINDOW.name, by_window
                mirrored = which >= len(query.windows) - query.mirrored_windows
                variant = "window of the mirror image" if mirrored else "window"
            weak = by_window is None and (entry.whole.weak or query.weak)
            document = entry.document or query.document
            confirmed = not weak and (not document or number in faces)
            out.append(Match(list_name, entry.id, signal, gap, variant, weak, document,
                             confirmed))
        out.sort(key=lambda m: (not m.confirmed, m.distance, m.list, m.entry))
        return out

    def _match_video(self, query: VideoQuery) -> list[Match]:
        """Listed clips by vPDQ (:mod:`.video`), under each turn and mirror; listed
        pictures by any frame of the clip (a clip made from a listed photo)."""
        best: dict[int, tuple[Shares, int]] = {}
        for variant in range(len(query.variants)):
            codes = query.usable(variant)
            if not codes:
                continue
            found = self._indexes[VPDQ.name].search(
                np.frombuffer(b"".join(codes), np.uint8).reshape(-1, HASH_BYTES),
                self.threshold)
            pairs: dict[int, list[tuple[int, int, int]]] = {}
            for number, hits in enumerate(found):
                for row, gap in hits:
                    pairs.setdefault(int(self._owners[VPDQ.name][row]), []).append(
                        (number, int(self._second[row]), gap))
            for owner, found_pairs in pairs.items():
                result = shares(found_pairs, self._seconds_of.get(owner, 0), len(codes))
                known = best.get(owner)
                if known is None or (result.confirmed, result.query, -result.distance) > \
                        (known[0].confirmed, known[0].query, -known[0].distance):
                    best[owner] = (result, variant)
        out = []
        for number, (result, variant) in best.items():
            list_name, entry = self.entries[number]
            out.append(Match(list_name, entry.id, VPDQ.name, result.distance,
                             result.describe() + (f", {DIHEDRAL[variant]}" if variant else ""),
                             False, False, result.confirmed))
        for number, (gap, _) in self._nearest(PDQ.name, query.usable()).items():
            list_name, entry = self.entries[number]
            if entry.video:
                continue  # compared frame by frame above
            weak = entry.whole.weak
            out.append(Match(list_name, entry.id, PDQ.name, gap, "a frame of this clip", weak,
                             entry.document, not weak and not entry.document))
        out.sort(key=lambda m: (not m.confirmed, m.distance, m.list, m.entry))
        return out

    def best(self, query: Query) -> Match | None:
        """The nearest confirmed match, or None."""
        found = self.match(query)
        return found[0] if found and found[0].confirmed else None
