"""A gallery: enrolled faces, saved encrypted, and a pack's faces matched against it.

``build_gallery(folder)`` enrolls the largest face of every image under a folder;
a face's person is its first sub-folder (``users/u123/a.jpg`` → ``u123``) or, for an
image straight in the folder, its file stem. ``Gallery.save`` writes one file:

    b"NFSGAL1\\n" | 12-byte nonce | AES-256-GCM(key, nonce, payload, aad=magic)

with the key derived by HKDF-SHA256 from the installation key
(:func:`notforsale.fingerprint.installation_key`): the file is useless without it,
and any change to it fails authentication (:class:`GalleryError`). The payload
holds the persons' labels, the masked source paths and the float32 descriptors;
nothing of it is ever written in clear.

Searching is exact: one matrix product of the queries against every enrolled
face (100,000 faces in a few milliseconds per query, bench/persons.py).
"""

from __future__ import annotations

import json
import os
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import NotForSaleError
from ..fingerprint import installation_key
from ..read.images import ImageError, looks_like_image
from ..read.walk import SEP, Member, MemberError, Walker
from ..text.mask import mask_path
from ..vision.embeddings import Embedding, Skipped, embed_image
from .persons import DEFAULT_THRESHOLD

MAGIC = b"NFSGAL1\n"
_INFO = b"notforsale gallery v1"
DIMENSIONS = 128


class GalleryError(NotForSaleError):
    """A gallery file that cannot be read: not a gallery, another key, or altered."""


def gallery_key(key: bytes | None = None) -> bytes:
    """The AES-256 key for galleries, derived from the installation key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    secret = installation_key() if key is None else key
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)


@dataclass(frozen=True, slots=True)
class Problem:
    """An input that gave no enrolled face (or no searched face), and why."""

    path: str  # masked
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


@dataclass
class Gallery:
    """Enrolled faces: a person label and a masked source per descriptor."""

    persons: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, DIMENSIONS), np.float32))
    problems: list[Problem] = field(default_factory=list)
    _norms: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return f"Gallery({len(self.persons)} faces of {len(set(self.persons))} persons)"

    def add(self, person: str, source: str, vector: np.ndarray) -> None:
        self.persons.append(person)
        self.sources.append(source)
        self.vectors = np.vstack([self.vectors, np.asarray(vector, np.float32)[None]])
        self._norms = None

    def save(self, path: str | Path, key: bytes | None = None) -> None:
        """Write the gallery encrypted (a new file; mode 0600)."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        header = json.dumps({"persons": self.persons, "sources": self.sources},
                            ensure_ascii=False).encode("utf-8")
        vectors = np.ascontiguousarray(self.vectors, "<f4").tobytes()
        payload = struct.pack("<II", len(header), len(self.persons)) + header + vectors
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(gallery_key(key)).encrypt(nonce, payload, MAGIC)
        target = Path(path)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(MAGIC + nonce + sealed)

    @classmethod
    def load(cls, path: str | Path, key: bytes | None = None) -> Gallery:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            raise GalleryError(f"cannot read the gallery: {error.strerror}") from None
        if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + 12 + 16:
            raise GalleryError("not a notforsale gallery file")
        nonce, sealed = raw[len(MAGIC):len(MAGIC) + 12], raw[len(MAGIC) + 12:]
        try:
            payload = AESGCM(gallery_key(key)).decrypt(nonce, sealed, MAGIC)
        except InvalidTag:
            raise GalleryError("the gallery does not open with this installation's key "
                               "(another key, or the file was altered)") from None
        size, count = struct.unpack_from("<II", payload)
        header = json.loads(payload[8:8 + size].decode("utf-8"))
        vectors = np.frombuffer(payload, "<f4", count * DIMENSIONS, 8 + size)
        return cls(header["persons"], header["sources"],
                   vectors.reshape(count, DIMENSIONS).astype(np.float32))

    def search(self, queries: np.ndarray, threshold: float = DEFAULT_THRESHOLD
               ) -> list[list[tuple[str, float, str]]]:
        """For each query: (person, distance, masked source of the closest enrolled face),
        one per gallery person within ``threshold``, closest first."""
        queries = np.atleast_2d(np.asarray(queries, np.float32))
        if not len(self.persons) or not len(queries):
            return [[] for _ in queries]
        if self._norms is None or len(self._norms) != len(self.vectors):
            self._norms = (self.vectors ** 2).sum(1)
        gallery_norms = self._norms
        out = []
        for start in range(0, len(queries), 256):
            block = queries[start:start + 256]
            squared = (block ** 2).sum(1)[:, None] + gallery_norms[None] \
                - 2 * block @ self.vectors.T
            for row in squared:
                hits: dict[str, tuple[float, str]] = {}
                for index in np.nonzero(row <= threshold ** 2)[0].tolist():
                    distance = float(np.sqrt(max(row[index], 0.0)))
                    person = self.persons[index]
                    if person not in hits or distance < hits[person][0]:
                        hits[person] = (distance, self.sources[index])
                out.append(sorted(((p, d, s) for p, (d, s) in hits.items()),
                                  key=lambda hit: hit[1]))
        return out


def _images(path: str | Path) -> Iterator[Member | MemberError]:
    for item in Walker().walk(path):
        if isinstance(item, MemberError) or (isinstance(item, Member)
                                             and looks_like_image(item.data[:16])):
            yield item


def _enrolled(folder: Path) -> Iterator[tuple[str | None, Member | MemberError]]:
    """(person label, image) for every image under ``folder``.

    The label is the raw name of the person's folder (or of a loose image's stem) — the
    app's own user id, kept only inside the encrypted gallery and shown masked — read
    here, where the folder is listed; the walker hands on shown paths only. An archive
    given instead of a folder labels persons by their shown folder names.
    """
    if not folder.is_dir():
        for item in _images(folder):
            yield None, item
        return
    for entry in sorted(folder.iterdir()):
        label = entry.name if entry.is_dir() else Path(entry.name).stem
        for item in _images(entry):
            yield label, item


def _person_of(root: str, member_path: str) -> str:
    relative = member_path[len(root):].lstrip("/") if member_path.startswith(root) \
        else member_path
    first = relative.split(SEP)[0]
    parts = first.split("/")
    if len(parts) > 1:
        return parts[0]
    return Path(parts[0]).stem


def build_gallery(folder: str | Path) -> Gallery:
    """Enroll the largest face of each image under ``folder`` (folders, archives)."""
    gallery = Gallery()
    root = mask_path(str(Path(folder)))
    for label, item in _enrolled(Path(folder)):
        shown = item.path
        if isinstance(item, MemberError):
            gallery.problems.append(Problem(shown, item.message))
            continue
        try:
            results = embed_image(item.data)
        except ImageError as error:
            gallery.problems.append(Problem(shown, str(error)))
            continue
        if not results:
            gallery.problems.append(Problem(shown, "no face found"))
            continue
        best = max(results, key=lambda r: r.face.box[2] - r.face.box[0])
        if isinstance(best, Skipped):
            gallery.problems.append(Problem(shown, best.reason))
            continue
        gallery.add(label if label is not None else _person_of(root, item.path), shown,
                    best.vector)
    return gallery


@dataclass(frozen=True, slots=True)
class Sighting:
    """A pack face that matches a gallery person."""

    person: str      # the gallery person's label, masked
    distance: float
    path: str        # the pack image, masked
    box: tuple[int, int, int, int]
    enrolled: str    # the closest enrolled image, masked

    def to_dict(self) -> dict[str, object]:
        return {"person": self.person, "distance": round(self.distance, 3), "path": self.path,
                "box": list(self.box), "enrolled": self.enrolled}


@dataclass
class MatchResult:
    """Which gallery persons a pack shows. No descriptor is kept here."""

    sightings: list[Sighting] = field(default_factory=list)
    images: int = 0
    faces: int = 0
    faces_embedded: int = 0
    skipped: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    def persons(self) -> list[dict[str, object]]:
        best: dict[str, list[Sighting]] = {}
        for sighting in self.sightings:
            best.setdefault(sighting.person, []).append(sighting)
        return [{"person": person, "distance": round(min(s.distance for s in seen), 3),
                 "photos": len({s.path for s in seen}),
                 "sightings": [s.to_dict() for s in sorted(seen, key=lambda s: s.distance)]}
                for person, seen in sorted(best.items(),
                                           key=lambda kv: min(s.distance for s in kv[1]))]

    def to_dict(self) -> dict[str, object]:
        return {"summary": {"images": self.images, "faces": self.faces,
                            "faces_embedded": self.faces_embedded,
                            "faces_skipped": len(self.skipped),
                            "gallery_persons_found": len({s.person for s in self.sightings}),
                            "errors": len(self.errors)},
                "persons": self.persons(),
                "skipped": [p.to_dict() for p in self.skipped],
                "errors": [p.to_dict() for p in self.errors]}


def match_pack(pack: str | Path, gallery: Gallery,
               threshold: float = DEFAULT_THRESHOLD) -> MatchResult:
    """Every face of the pack's images searched in the gallery."""
    result = MatchResult()
    for item in _images(pack):
        shown = item.path  # the walker shows paths masked
        if isinstance(item, MemberError):
            result.errors.append(Problem(shown, item.message))
            continue
        try:
            faces = embed_image(item.data)
        except ImageError as error:
            result.errors.append(Problem(shown, str(error)))
            continue
        result.images += 1
        result.faces += len(faces)
        embedded = [r for r in faces if isinstance(r, Embedding)]
        result.skipped.extend(Problem(shown, r.reason) for r in faces
                              if isinstance(r, Skipped))
        result.faces_embedded += len(embedded)
        if not embedded:
            continue
        hits = gallery.search(np.stack([e.vector for e in embedded]), threshold)
        for embedding, found in zip(embedded, hits, strict=True):
            for person, distance, source in found:
                result.sightings.append(Sighting(mask_path(person), distance, shown,
                                                 embedding.face.box, source))
    return result
