"""Link faces and identity values into profiles: one profile, one exposed person.

Evidence comes from every member of a scan as *records*: identity values that
belong together (a table row, a JSON record, a database row, a line of text, a
paragraph, an image's own OCR text and file name), optionally tied to images —
the image a row names (by file name or by relative path, matched by keyed print,
never by raw name), the image in the same Word paragraph or table row, the photo
in a database row, the image the text was read from. Files that share a stem in
one folder, and an e-mail with its attachments, are one group. Records are joined
by union-find:

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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model import FACE, Location, Profile, ProfileEntity

if TYPE_CHECKING:
    from ..scan import MemberResult

_SEVERITY_ORDER = {"full kit": 0, "face + ID": 1, "face + contact": 2}
_NOT_IDENTITY = frozenset({FACE, "EXIF_GPS", "EXIF_SERIAL", "EXIF_DATETIME"})


@dataclass(frozen=True, slots=True)
class NameRef:
    """An image named in a file (a table cell): prints of its name and of the path it
    names from the file's folder, and the print of that folder."""

    name: str
    relative: str | None
    folder: str


@dataclass(frozen=True, slots=True)
class RecordEvidence:
    """Values that belong together and the images they are tied to."""

    entities: tuple[ProfileEntity, ...]
    images: tuple[str, ...]
    names: tuple[NameRef, ...]
    reason: str
    source: str
    #: (container path, record number): images of the container tied to this record.
    key: tuple[str, int] | None = None


@dataclass(frozen=True, slots=True)
class ImageEvidence:
    path: str
    faces: tuple[Location, ...]


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
    """Union-find over identity values and images; :meth:`profiles` reads the groups."""

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
            if entity.type in _NOT_IDENTITY:
                continue
            node = f"id\0{entity.type}\0{entity.fingerprint}"
            self._entities[node] = entity
            nodes.append(node)
        tied = [f"img\0{image}" for image in dict.fromkeys(images) if image in self._faces]
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


@dataclass
class _Group:
    entities: list[ProfileEntity] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    members: int = 0


class Reducer:
    """Collects every member's evidence during a scan; :meth:`profiles` links it."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.linker = Linker()
        self.records: list[RecordEvidence] = []
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.by_full: dict[str, str] = {}
        self.chains: dict[str, tuple[str, ...]] = {}
        self.stems: dict[str, _Group] = defaultdict(_Group)
        self.groups: dict[str, _Group] = defaultdict(_Group)
        self.ties: dict[tuple[str, int], list[str]] = defaultdict(list)
        #: Folders named by a number: their values, and the images directly inside them.
        self.folders: dict[str, tuple[str, list[ProfileEntity]]] = {}
        self.in_folder: dict[str, list[str]] = defaultdict(list)

    def add_folder(self, folder_print: str, shown: str, entities: list[ProfileEntity]) -> None:
        """A folder whose name holds identity values (one folder per person, named by ID)."""
        if entities:
            self.folders[folder_print] = (shown, entities)

    def add(self, result: MemberResult) -> None:
        keys = result.keys
        if result.image_evidence is not None:
            image = result.image_evidence
            self.linker.add_faces(image.path, image.faces)
            if keys is not None:
                self.by_name[keys.name].append(image.path)
                self.by_full[keys.full] = image.path
                self.chains[image.path] = keys.chain
                if len(keys.chain) > 1:
                    self.in_folder[keys.chain[-2]].append(image.path)
                self.stems[keys.stem].images.append(image.path)
            if result.group:
                self.groups[result.group].images.append(image.path)
                self.groups[result.group].members += 1
            if result.parent_record is not None:
                self.ties[result.parent_record].append(image.path)
        elif keys is not None:
            stem = self.stems[keys.stem]
            stem.entities.extend(result.entities)
            stem.files.append(result.path)
            own = self.groups[result.path]
            own.entities.extend(result.entities)
            own.files.append(result.path)
            if result.group:
                group = self.groups[result.group]
                group.entities.extend(result.entities)
                group.files.append(result.path)
                group.members += 1
        self.records.extend(result.records)

    def _resolve(self, ref: NameRef) -> list[str]:
        """Images a cell names: by file name, then by the path it names, then nearest."""
        candidates = self.by_name.get(ref.name, [])
        if len(candidates) <= 1:
            return list(candidates)
        if ref.relative is not None and ref.relative in self.by_full:
            return [self.by_full[ref.relative]]
        near = [c for c in candidates if ref.folder and ref.folder in self.chains.get(c, ())]
        return near[:1]

    def profiles(self) -> tuple[Profile, ...]:
        for record in self.records:
            images = list(record.images)
            for ref in record.names:
                images.extend(self._resolve(ref))
            if record.key is not None:
                images.extend(self.ties.get(record.key, ()))
            self.linker.add_record(record.entities, images, record.reason, [record.source])
        for stem in self.stems.values():
            if stem.images and stem.entities:
                self.linker.add_record(stem.entities, stem.images, "same file stem",
                                       stem.images + stem.files)
        for path, group in self.groups.items():
            if group.members and (group.images or group.entities):
                self.linker.add_record(group.entities, group.images,
                                       "same e-mail or container", [path, *group.files])
        for folder_print, (shown, entities) in self.folders.items():
            self.linker.add_record(entities, self.in_folder.get(folder_print, []),
                                   "number in the folder's name", [shown])
        return self.linker.profiles()
