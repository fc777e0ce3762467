"""Face identity in the scan: a descriptor per detected face, persons at the end.

The per-member step calls :func:`identify` on an image's faces: each face gets a
:class:`FaceIdentity` — its location and either its descriptor (128 float32, 512
bytes) or the reason it was not embedded (too small, too blurred, cut by the
frame, a profile; see :mod:`notforsale.vision.embeddings`). The reduce step gives
them to :class:`FaceBook`, which keeps the descriptors **in memory only** (never in
the results store, which may spill to disk) and, at the end, clusters them into
persons (:func:`notforsale.link.persons.cluster`, complete linkage at dlib's 0.6).

Persons are numbered ``P1``, ``P2``, … by size (most faces first), then by their
first face's location, so the numbering is stable for a given pack. Nothing of a
descriptor leaves this module: a :class:`Person` holds locations only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..model import Location, Person, UnassignedFace
from .persons import DEFAULT_THRESHOLD, cluster

log = logging.getLogger(__name__)



@dataclass(frozen=True, slots=True, repr=False)
class FaceIdentity:
    """A face of a member: its location, and its descriptor or why it has none.

    The descriptor is biometric data: kept out of ``repr``; no ``to_dict``."""

    location: Location
    vector: np.ndarray | None = field(default=None, compare=False)
    reason: str = ""

    def __repr__(self) -> str:
        state = "vector=<withheld>" if self.vector is not None else f"reason={self.reason!r}"
        return f"FaceIdentity({self.location}, {state})"


def location_key(location: Location) -> tuple[object, ...]:
    """What identifies one face of a scan: its member, box and (videos) time."""
    return (location.path, location.box, location.time)


def identify(path: str, data: bytes, faces: Sequence[object]) -> tuple[FaceIdentity, ...]:
    """A :class:`FaceIdentity` per face of an image (``faces``: the detector's
    :class:`~notforsale.vision.faces.Face` objects, boxes in the original's pixels).

    A failure of the embedding step makes every face of the image unassigned, with the
    reason; it never fails the member.
    """
    from ..vision.embeddings import embed_image
    from ..vision.faces import Face

    chosen = [face for face in faces if isinstance(face, Face)]
    if not chosen:
        return ()
    return _identities([Location(path, box=face.box) for face in chosen],
                       lambda: embed_image(data, chosen))


def identify_tracks(locations: Sequence[Location], looks: Any, tracks: Sequence[Any]
                    ) -> tuple[FaceIdentity, ...]:
    """A :class:`FaceIdentity` per face track of a video (``locations`` in the tracks'
    order), from the best looks kept while it was scanned
    (:class:`~notforsale.vision.track_faces.BestLooks`); a failure leaves them unassigned."""
    return _identities(locations, lambda: looks.embed(tracks))


def _identities(locations: Sequence[Location], embed: Callable[[], Sequence[Any]]
                ) -> tuple[FaceIdentity, ...]:
    """``embed()``'s results (an Embedding or a Skipped per location) as identities; a
    failure of the embedding step makes every face unassigned, with the reason."""
    from ..vision.embeddings import Embedding

    try:
        results = embed()
    except Exception as error:  # noqa: BLE001 - the faces stay, unassigned, with why
        log.debug("embedding failed: %s", type(error).__name__)
        return tuple(FaceIdentity(location, None,
                                  f"could not be embedded ({type(error).__name__})")
                     for location in locations)
    return tuple(FaceIdentity(location, np.asarray(result.vector, np.float32))
                 if isinstance(result, Embedding) else
                 FaceIdentity(location, None, result.reason)
                 for location, result in zip(locations, results, strict=True))


class FaceBook:
    """Every face of a scan: descriptors in memory (float32, 512 bytes a face), the
    faces without one and their reasons; :meth:`persons` clusters them."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self._locations: list[Location] = []
        self._vectors: list[np.ndarray] = []
        self.unassigned: list[UnassignedFace] = []

    def add(self, faces: Sequence[FaceIdentity]) -> None:
        for face in faces:
            if face.vector is not None:
                self._locations.append(face.location)
                self._vectors.append(np.asarray(face.vector, np.float32).reshape(-1))
            else:
                self.unassigned.append(UnassignedFace(face.location, face.reason))

    def __len__(self) -> int:
        return len(self._locations)

    def persons(self) -> list[list[Location]]:
        """Faces per person, numbered order: most faces first, then first location."""
        if not self._vectors:
            return []
        labels = cluster(np.stack(self._vectors), self.threshold)
        groups: dict[int, list[Location]] = {}
        for location, label in zip(self._locations, labels.tolist(), strict=True):
            groups.setdefault(label, []).append(location)
        ordered = [sorted(group, key=_order) for group in groups.values()]
        ordered.sort(key=lambda group: (-len(group), _order(group[0])))
        return ordered

    def forget(self) -> None:
        """Drop the descriptors (the reduce step is done with them)."""
        self._vectors = []


def _order(location: Location) -> tuple[object, ...]:
    return (location.path, location.box or (0, 0, 0, 0), location.time or (0.0, 0.0))


def make_person(index: int, faces: list[Location], profiles: Sequence[str],
                types: frozenset[str], full_kit: bool) -> Person:
    return Person(f"P{index}", tuple(faces), len({face.path for face in faces}),
                  tuple(profiles), tuple(sorted(types)), full_kit)
