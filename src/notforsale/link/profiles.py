"""Link faces and identity values into profiles: one profile, one exposed person.

Evidence comes as *records*: identity values that belong together (a table
row, a JSON record, a line of text, an image's own OCR text and file name),
optionally tied to images (the image a row names, the image with the same
stem, the image the text was read from). Records are joined by union-find:

- values of one record are one person;
- a record tied to an image gives that person the image's faces;
- records sharing a value (equal fingerprints) are the same person.

A profile is a connected group holding at least one face and at least one
identity value. A *full kit* is a profile with a face, a resident ID, a bank
card and a phone number — the bundle sold for a few yuan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..model import Location, Profile, ProfileEntity

_SEVERITY_ORDER = {"full kit": 0, "face + ID": 1, "face + contact": 2}


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def add(self, node: str) -> None:
        self.parent.setdefault(node, node)

    def find(self, node: str) -> str:
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:  # path compression
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: str, b: str) -> None:
        self.add(a)
        self.add(b)
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


class Linker:
    """Collects evidence during a scan; :meth:`profiles` links it at the end."""

    def __init__(self) -> None:
        self._sets = _UnionFind()
        self._faces: dict[str, list[Location]] = defaultdict(list)
        self._entities: dict[str, ProfileEntity] = {}
        self._reasons: dict[str, set[str]] = defaultdict(set)
        self._files: dict[str, set[str]] = defaultdict(set)

    def add_faces(self, image: str, faces: Iterable[Location]) -> None:
        """Faces found in an image (an image without faces adds nothing)."""
        faces = list(faces)
        if faces:
            self._faces[image].extend(faces)
            self._sets.add("img\0" + image)
            self._files["img\0" + image].add(image)

    def add_record(self, entities: Iterable[ProfileEntity], images: Iterable[str],
                   reason: str, files: Iterable[str]) -> None:
        """Values that belong together, and the images they are tied to."""
        nodes = []
        for entity in entities:
            node = f"id\0{entity.type}\0{entity.fingerprint}"
            self._entities[node] = entity
            nodes.append(node)
        tied = [f"img\0{image}" for image in images if image in self._faces]
        if not nodes:
            return
        for node in nodes:
            self._sets.add(node)
            self._files[node].update(files)
        for node in nodes[1:] + tied:
            self._sets.union(nodes[0], node)
        if tied:
            for node in nodes + tied:
                self._reasons[node].add(reason)

    def profiles(self) -> tuple[Profile, ...]:
        groups: dict[str, list[str]] = defaultdict(list)
        for node in self._sets.parent:
            groups[self._sets.find(node)].append(node)
        found = []
        for members in groups.values():
            images = sorted(n.split("\0", 1)[1] for n in members if n.startswith("img\0"))
            values = sorted((n for n in members if n.startswith("id\0")),
                            key=lambda n: (self._entities[n].type, self._entities[n].masked))
            if not images or not values:
                continue
            faces = tuple(face for image in images for face in self._faces[image])
            reasons = sorted({r for n in members for r in self._reasons[n]})
            files = sorted({f for n in members for f in self._files[n]})
            found.append((faces, tuple(self._entities[n] for n in values), tuple(reasons),
                          tuple(files)))
        found.sort(key=lambda p: (p[0][0].path, p[0][0].box or (0, 0, 0, 0)))
        profiles = [Profile(f"P{index:05d}", *parts) for index, parts in enumerate(found, 1)]
        profiles.sort(key=lambda p: (_SEVERITY_ORDER[p.severity], p.id))
        return tuple(profiles)
