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

Faces are also clustered into **persons** by their descriptors
(:mod:`link.identity`). A profile whose embedded faces are all one person belongs to
that person, and the profiles of one person merge into one (an ID card in one photo and
a bank card in a row naming another photo of the same face: one full kit) — unless
they hold different resident IDs (or passports) of the same type: one face sold under
several identities stays several profiles, each marked with the same person. A profile
whose faces show several persons (a group photo named by one row) belongs to none and
merges with none.
"""

from __future__ import annotations

import json
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..model import FACE, Location, Person, Profile, ProfileEntity, UnassignedFace
from .identity import FaceBook, FaceIdentity, location_key, make_person

if TYPE_CHECKING:
    from ..scan import MemberResult
    from ..store.results import ResultsStore

_SEVERITY_ORDER = {"full kit": 0, "face + ID": 1, "face + contact": 2}
_NOT_IDENTITY = frozenset({FACE, "EXIF_GPS", "EXIF_SERIAL", "EXIF_DATETIME"})
#: Types a person holds one value of: two values on one face are two identities.
_ONE_PER_PERSON = ("CN_RESIDENT_ID", "CN_PASSPORT")
_Group = tuple[tuple[Location, ...], tuple[ProfileEntity, ...], tuple[str, ...], tuple[str, ...]]


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


#: The kinds of record a member's values are grouped in: a table row (or database row,
#: JSON record, message), a line of text.
ROW, LINE = 0, 1
_NO_RECORD = 255


class _Value(Protocol):
    """What a value is packed from (a finding, an engine's hit, a profile's entity)."""

    @property
    def type(self) -> str: ...
    @property
    def masked(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...


class Values:
    """A member's identity values and the records they form, packed in flat buffers.

    A table piece of 8 MiB holds ~300,000 values: as objects (a ProfileEntity each, with a
    record and lists per row) its result held ~10 times the piece's bytes in memory, and a
    scan keeps several pieces in flight. Here a value costs its characters and a few bytes;
    the objects are made again, one member at a time, when the driver stores them.

    Values are added in order with their record (kind and number); the records are the
    runs of equal ones, in the order they first appear (values of one record that do not
    stand together are grouped when the records are read).
    """

    __slots__ = ("_types", "_codes", "_prints", "_print_ends", "_masks", "_mask_ends",
                 "_kinds", "_numbers", "_starts", "_monotone", "_last", "names", "offset")

    def __init__(self) -> None:
        self._types: list[str] = []
        self._codes = bytearray()
        self._prints = bytearray()
        self._print_ends = array("q")
        self._masks = bytearray()
        self._mask_ends = array("q")
        #: Records: kind, number and first value of each run of values of one record.
        self._kinds = bytearray()
        self._numbers = array("q")
        self._starts = array("q")
        self._monotone = True
        self._last: tuple[int, int] | None = None
        #: Images rows name, by row number (rare: kept as objects).
        self.names: dict[int, list[NameRef]] = {}
        #: Added to row numbers when they are read (a later piece of a table).
        self.offset = 0

    def __len__(self) -> int:
        return len(self._codes)

    def add(self, value: _Value, kind: int | None = None, number: int = 0) -> None:
        """One value (a finding's); with ``kind``, a value of that record (else of the
        member only)."""
        try:
            code = self._types.index(value.type)
        except ValueError:
            code = len(self._types)
            self._types.append(value.type)
        self._codes.append(code)
        self._prints += value.fingerprint.encode()
        self._print_ends.append(len(self._prints))
        self._masks += value.masked.encode()
        self._mask_ends.append(len(self._masks))
        if kind is None:
            kind, number = _NO_RECORD, 0
        if self._kinds and self._kinds[-1] == kind and self._numbers[-1] == number:
            return
        if kind != _NO_RECORD:
            if self._last is not None and self._last >= (kind, number):
                self._monotone = False  # a record may come back: grouped when read
            self._last = (kind, number)
        self._kinds.append(kind)
        self._numbers.append(number)
        self._starts.append(len(self._codes) - 1)

    def entity(self, index: int) -> ProfileEntity:
        return ProfileEntity(self._types[self._codes[index]], self._text(self._masks,
                             self._mask_ends, index), self._text(self._prints,
                                                                 self._print_ends, index))

    @staticmethod
    def _text(buffer: bytearray, ends: array[int], index: int) -> str:
        return buffer[ends[index - 1] if index else 0:ends[index]].decode()

    def entities(self) -> list[ProfileEntity]:
        return [self.entity(index) for index in range(len(self))]

    def nodes(self) -> list[str]:
        """Each value's node in the results store (type and fingerprint)."""
        types, codes, prints, ends = self._types, self._codes, self._prints, self._print_ends
        return [f"{types[codes[i]]}\0{prints[ends[i - 1] if i else 0:ends[i]].decode()}"
                for i in range(len(codes))]

    def rows(self, nodes: list[str], indexes: Iterable[int] | None = None
             ) -> Iterator[tuple[str, str, str]]:
        """(node, type, masked) of each value (or of those at ``indexes``), in order."""
        types, codes = self._types, self._codes
        for i in range(len(nodes)) if indexes is None else indexes:
            yield nodes[i], types[codes[i]], self._text(self._masks, self._mask_ends, i)

    def records(self) -> Iterator[tuple[int, int, Sequence[int]]]:
        """(kind, number, value indexes) of each record, in the order they first appear
        (row numbers as the member's reader gave them: without :attr:`offset`)."""
        runs = self._runs()
        if self._monotone:
            yield from runs
            return
        grouped: dict[tuple[int, int], list[int]] = {}
        for kind, number, indexes in runs:
            grouped.setdefault((kind, number), []).extend(indexes)
        for (kind, number), grouped_indexes in grouped.items():
            yield kind, number, grouped_indexes

    def _runs(self) -> Iterator[tuple[int, int, range]]:
        starts, size = self._starts, len(self)
        for run, kind in enumerate(self._kinds):
            if kind != _NO_RECORD:
                end = starts[run + 1] if run + 1 < len(starts) else size
                yield kind, self._numbers[run], range(starts[run], end)


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

    def profiles(self, person_of: dict[tuple[object, ...], str] | None = None
                 ) -> tuple[Profile, ...]:
        """The profiles; with ``person_of`` (a face's location key -> its person), each
        marked with its person and the profiles of one person merged."""
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
        person_of = person_of or {}
        marked = _merge_by_person(found, person_of)
        marked.sort(key=lambda p: (p[0][0][0].path, p[0][0][0].box or (0, 0, 0, 0)))
        profiles = [Profile(f"P{index:05d}", *parts, person=person)
                    for index, (parts, person) in enumerate(marked, 1)]
        profiles.sort(key=lambda p: (_SEVERITY_ORDER[p.severity], p.id))
        return tuple(profiles)


def _persons_of(group: _Group, person_of: dict[tuple[object, ...], str]) -> set[str]:
    return {person_of[key] for key in map(location_key, group[0]) if key in person_of}


def _merge_by_person(found: list[_Group], person_of: dict[tuple[object, ...], str]
                     ) -> list[tuple[_Group, str | None]]:
    """Groups marked with their person; the groups of one person merged (see the module
    docstring), unless two of them hold different values of a one-per-person type."""
    by_person: dict[str, list[_Group]] = defaultdict(list)
    out: list[tuple[_Group, str | None]] = []
    for group in found:
        persons = _persons_of(group, person_of)
        if len(persons) == 1:
            by_person[persons.pop()].append(group)
        else:
            out.append((group, None))
    for person, groups in by_person.items():
        values: dict[str, set[str]] = defaultdict(set)
        for group in groups:
            for entity in group[1]:
                if entity.type in _ONE_PER_PERSON:
                    values[entity.type].add(entity.fingerprint)
        if len(groups) == 1 or any(len(prints) > 1 for prints in values.values()):
            out.extend((group, person) for group in groups)
            continue
        faces = tuple(sorted((face for group in groups for face in group[0]),
                             key=lambda f: (f.path, f.box or (0, 0, 0, 0), f.time or (0, 0))))
        entities = tuple(sorted({(e.type, e.fingerprint): e for group in groups
                                 for e in group[1]}.values(), key=lambda e: (e.type, e.masked)))
        reasons = tuple(sorted({r for group in groups for r in group[2]}
                               | {f"same face (person {person})"}))
        files = tuple(sorted({f for group in groups for f in group[3]}))
        out.append(((faces, entities, reasons, files), person))
    return out


class Linked(tuple[Profile, ...]):
    """The reduce step's profiles, carrying the scan's persons and unassigned faces
    (a :class:`~notforsale.model.ScanResult` built from them takes both)."""

    persons: tuple[Person, ...]
    faces_unassigned: tuple[UnassignedFace, ...]

    def __new__(cls, profiles: Iterable[Profile], persons: Iterable[Person] = (),
                unassigned: Iterable[UnassignedFace] = ()) -> Linked:
        linked = super().__new__(cls, profiles)
        linked.persons = tuple(persons)
        linked.faces_unassigned = tuple(unassigned)
        return linked


class Reducer:
    """The reduce step: every member's evidence goes to the scan's results store as it
    comes (:mod:`store.results`); :meth:`profiles` links it at the end.

    Only what can reach a face matters to a profile: linking starts from the images with
    faces and follows, through the store's indexes, the records tied to them and the
    records sharing a value with those — so a table of millions of rows with no photo costs
    the reduce nothing, and memory holds the people found, not the rows read.
    """

    def __init__(self, key: bytes, store: ResultsStore) -> None:
        self.key = key
        self.store = store
        #: The scan's face descriptors: in memory only, never in the store.
        self.faces = FaceBook()

    def add_folder(self, folder_print: str, shown: str, entities: list[ProfileEntity]) -> None:
        """A folder whose name holds identity values (one folder per person, named by ID)."""
        if entities:
            self.store.add_record(entities, "number in the folder's name", shown,
                                  gkey="folder:" + folder_print)

    def resumed(self) -> None:
        """Faces of the scan this one resumes: their descriptors were never stored, so they
        are in no person — each is counted unassigned, with that reason."""
        for (faces,) in self.store.db.execute("SELECT faces FROM images"):
            self.faces.add([FaceIdentity(_location(face), None, "read before the scan was "
                                         "resumed (descriptors are never stored)")
                            for face in json.loads(faces)])

    def add(self, result: MemberResult) -> None:
        keys = result.keys
        store = self.store
        image = result.image_evidence
        if image is not None and image.faces:
            # every face ends in a person or with the reason it has none
            given = {location_key(face.location) for face in result.faces_identity or ()}
            self.faces.add([*(result.faces_identity or ()), *(
                FaceIdentity(face, None, "no descriptor was computed for this face")
                for face in image.faces if location_key(face) not in given)])
            store.add_image(image.path, keys, image.faces, result.group, result.parent_record)
        if result.values is not None:
            self._add_values(result, result.values)
        records: list[Any] = []
        if image is None and keys is not None and result.entities:
            records.append((result.entities, "same file stem", result.path, (), (),
                            "stem:" + keys.stem, None))
            if result.group:
                records.append((result.entities, "same e-mail or container", result.path, (),
                                (), "group:" + result.group, None))
            if result.owns_group:
                records.append((result.entities, "same e-mail or container", result.path, (),
                                (), "group:" + result.path, None))
        records.extend((record.entities, record.reason, record.source, record.images,
                        record.names, None, record.key) for record in result.records)
        store.add_records(records)

    def _add_values(self, result: MemberResult, values: Values) -> None:
        """A document's packed values: the records of its file stem and groups (all of its
        values), then one per row or line (see :meth:`add`, which these records precede)."""
        if not len(values):
            return
        every = range(len(values))
        records: list[tuple[Sequence[int], str, str, tuple[NameRef, ...], str | None,
                            tuple[str, int] | None]] = []
        if result.keys is not None:
            records.append((every, "same file stem", result.path, (),
                            "stem:" + result.keys.stem, None))
            if result.group:
                records.append((every, "same e-mail or container", result.path, (),
                                "group:" + result.group, None))
            if result.owns_group:
                records.append((every, "same e-mail or container", result.path, (),
                                "group:" + result.path, None))
        names = dict(values.names)
        for kind, number, indexes in values.records():
            if kind == ROW:
                named = tuple(names.pop(number, ()))
                records.append((indexes, "table row names the image" if named else
                                "same record", result.path, named, None,
                                (result.path, number + values.offset)))
            else:
                records.append((indexes, "same line", result.path, (), None, None))
        for number, refs in names.items():  # rows that name an image but hold no number
            records.append(((), "table row names the image", result.path, tuple(refs), None,
                            (result.path, number + values.offset)))
        nodes = values.nodes()
        entities = values.rows(nodes) if result.keys is not None else \
            values.rows(nodes, [i for indexes, *_ in records for i in indexes])
        self.store.add_grouped(nodes, entities, records)

    def profiles(self) -> Linked:
        """Profiles and persons (the faces clustered), and every face finding in the store
        marked with its person."""
        groups = self.faces.persons()
        self.faces.forget()
        person_of = {location_key(face): f"P{index}"
                     for index, faces in enumerate(groups, 1) for face in faces}
        profiles = self._link(person_of)
        persons = []
        for index, faces in enumerate(groups, 1):
            pid = f"P{index}"
            own = [p for p in profiles if p.person == pid]
            holding = [p.id for p in profiles
                       if pid in {person_of.get(location_key(f)) for f in p.faces}]
            persons.append(make_person(index, faces, holding,
                                       frozenset(t for p in own for t in p.types),
                                       any(p.full_kit for p in own)))
        unassigned = sorted(self.faces.unassigned, key=lambda u: (
            u.location.path, u.location.box or (0, 0, 0, 0), u.location.time or (0, 0)))
        self._mark_faces(person_of, {location_key(u.location): u.reason for u in unassigned})
        return Linked(profiles, persons, unassigned)

    def _mark_faces(self, person_of: dict[tuple[object, ...], str],
                    reasons: dict[tuple[object, ...], str]) -> None:
        """Face findings in the store get their person, or the reason they have none."""
        updates = []
        for row_id, data in self.store.db.execute(
                "SELECT id, data FROM findings WHERE type = ?", (FACE,)).fetchall():
            raw = json.loads(data)
            where = raw["l"]
            key = (where["path"], tuple(where["box"]) if "box" in where else None,
                   tuple(where["time"]) if "time" in where else None)
            if key in person_of:
                raw["f"]["person"] = person_of[key]
            elif key in reasons:
                raw["f"]["checks"] = [*raw["f"]["checks"], f"no person: {reasons[key]}"]
            else:
                continue
            updates.append((json.dumps(raw, ensure_ascii=False), row_id))
        self.store.db.executemany("UPDATE findings SET data = ? WHERE id = ?", updates)

    def _link(self, person_of: dict[tuple[object, ...], str]) -> tuple[Profile, ...]:
        store = self.store
        store.index()
        db = store.db
        images: dict[str, dict[str, Any]] = {}
        for path, name, full, folder, stem, grp, parent, parent_rec, faces, chain in db.execute(
                "SELECT path, name, full, folder, stem, grp, parent, parent_rec, faces, chain "
                "FROM images"):
            images[path] = {"name": name, "full": full, "folder": folder, "stem": stem,
                            "grp": grp, "parent": parent, "parent_rec": parent_rec,
                            "faces": [_location(face) for face in json.loads(faces)],
                            "chain": tuple(json.loads(chain))}
        if not images:
            return ()
        tied: dict[int, set[str]] = defaultdict(set)  # record -> images
        for record, image in db.execute(
                "SELECT ri.record, ri.image FROM record_images ri JOIN images i "
                "ON i.path = ri.image"):
            tied[record].add(image)
        for record, image in db.execute(
                "SELECT r.id, i.path FROM records r JOIN images i ON r.tie_path = i.parent "
                "AND r.tie_rec = i.parent_rec"):
            tied[record].add(image)
        by_name: dict[str, list[str]] = defaultdict(list)
        by_full: dict[str, str] = {}
        for path, info in images.items():
            by_name[info["name"]].append(path)
            by_full[info["full"]] = path
        for record, name, relative, folder in db.execute(
                "SELECT record, name, relative, folder FROM record_names WHERE name IN "
                "(SELECT name FROM images)"):
            for image in _resolve(by_name, by_full, images, NameRef(name, relative, folder)):
                tied[record].add(image)
        # Group keys: an image belongs to its stem, its e-mail (or container), its folder.
        group_images: dict[str, set[str]] = defaultdict(set)
        for path, info in images.items():
            for gkey in (f"stem:{info['stem']}", f"group:{info['grp']}" if info["grp"] else "",
                         f"folder:{info['folder']}" if info["folder"] else ""):
                if gkey:
                    group_images[gkey].add(path)
        # Walk from the images: records tied to them, records of their groups, records that
        # share a value with those, and so on.
        records: set[int] = set()
        gkeys: set[str] = set()
        nodes: set[str] = set()
        queue: list[int] = list(tied)
        group_queue: list[str] = list(group_images)
        while queue or group_queue:
            while group_queue:
                gkey = group_queue.pop()
                if gkey in gkeys:
                    continue
                gkeys.add(gkey)
                queue.extend(r for (r,) in db.execute(
                    "SELECT id FROM records WHERE gkey = ?", (gkey,)))
            if not queue:
                break
            record = queue.pop()
            if record in records:
                continue
            records.add(record)
            row = db.execute("SELECT gkey FROM records WHERE id = ?", (record,)).fetchone()
            if row and row[0] and row[0] not in gkeys:
                group_queue.append(row[0])
            for (node,) in db.execute("SELECT node FROM record_values WHERE record = ?",
                                      (record,)):
                if node in nodes:
                    continue
                nodes.add(node)
                # A group's values tie its files to its images; a group without an image
                # (a table's stem) ties nothing, and is not walked into.
                queue.extend(r for r, gkey in db.execute(
                    "SELECT rv.record, r.gkey FROM record_values rv JOIN records r "
                    "ON r.id = rv.record WHERE rv.node = ?", (node,))
                    if not gkey or gkey in group_images)
        entity_of = {node: ProfileEntity(kind, masked, node.split("\0", 1)[1])
                     for node, kind, masked in _in(db, "SELECT node, type, masked FROM entities "
                                                   "WHERE node IN", sorted(nodes))}
        linker = Linker()
        for path, info in images.items():
            linker.add_faces(path, info["faces"])
        group_values: dict[str, list[ProfileEntity]] = defaultdict(list)
        group_files: dict[str, list[str]] = defaultdict(list)
        group_reason: dict[str, str] = {}
        values_of: dict[int, list[ProfileEntity]] = defaultdict(list)
        for record, node in _in(db, "SELECT record, node FROM record_values WHERE record IN",
                                sorted(records)):
            if node in entity_of:
                values_of[record].append(entity_of[node])
        for record, reason, source, gkey in _in(
                db, "SELECT id, reason, source, gkey FROM records WHERE id IN", sorted(records)):
            if gkey:
                group_values[gkey].extend(values_of.get(record, ()))
                group_files[gkey].append(source)
                group_reason[gkey] = reason
                continue
            linker.add_record(values_of.get(record, ()), sorted(tied.get(record, ())), reason,
                              [source])
        for gkey in sorted(gkeys):
            if gkey in group_values and group_images.get(gkey):
                members = sorted(group_images.get(gkey, ()))
                linker.add_record(group_values[gkey], members, group_reason[gkey],
                                  members + group_files[gkey])
        return linker.profiles(person_of)


def _in(db: Any, query: str, values: list[Any]) -> Iterator[Any]:
    """``query`` ending in ``IN`` run over ``values`` in chunks (SQLite's variable limit)."""
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        yield from db.execute(f"{query} ({','.join('?' * len(chunk))})", chunk)


def _location(data: dict[str, Any]) -> Location:
    if "box" in data:
        data["box"] = tuple(data["box"])
    if "time" in data:
        data["time"] = tuple(data["time"])
    return Location(**data)


def _resolve(by_name: dict[str, list[str]], by_full: dict[str, str],
             images: dict[str, dict[str, Any]], ref: NameRef) -> list[str]:
    """Images a cell names: by file name, then by the path it names, then nearest."""
    candidates = by_name.get(ref.name, [])
    if len(candidates) <= 1:
        return list(candidates)
    if ref.relative is not None and ref.relative in by_full:
        return [by_full[ref.relative]]
    near = [c for c in candidates if ref.folder and ref.folder in images[c]["chain"]]
    return near[:1]
