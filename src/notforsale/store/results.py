"""The results store of one scan: findings, errors and evidence on disk, not in memory.

A scan writes what each member gave here as it comes (SQLite; in memory while the scan is
small, spilled to a file in the data directory once it is not), so a 1 GB table or a
million files keep the scan's memory flat; reports stream from it, and the reduce step
(profiles, :mod:`link.profiles`) queries it. Everything stored is as shown: masked values,
keyed fingerprints, shown paths, keyed prints of raw paths.

The store also remembers which top-level inputs are done: a scan that stops can resume
from it (``notforsale scan --store FILE --resume``) without reading them again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from ..model import (
    Explanation,
    Finding,
    LocatedFinding,
    Location,
    ScanError,
    Skipped,
)

#: Rows kept in memory before the store spills to a file.
SPILL_ROWS = 200_000
DATA_DIR_ENV = "NOTFORSALE_DATA_DIR"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS done (print TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS findings (id INTEGER PRIMARY KEY, path TEXT, page INT, row INT,
    line INT, start INT, type TEXT, fp TEXT, data TEXT);
CREATE TABLE IF NOT EXISTS errors (id INTEGER PRIMARY KEY, path TEXT, message TEXT);
CREATE TABLE IF NOT EXISTS skipped (id INTEGER PRIMARY KEY, path TEXT, format TEXT, reason TEXT);
CREATE TABLE IF NOT EXISTS not_kept (path TEXT PRIMARY KEY, count INT);
CREATE TABLE IF NOT EXISTS thumbnails (path TEXT PRIMARY KEY, data BLOB);
CREATE TABLE IF NOT EXISTS images (id INTEGER PRIMARY KEY, path TEXT, name TEXT, full TEXT,
    folder TEXT, stem TEXT, grp TEXT, parent TEXT, parent_rec INT, faces TEXT, chain TEXT);
CREATE TABLE IF NOT EXISTS records (id INTEGER PRIMARY KEY, reason TEXT, source TEXT,
    gkey TEXT, tie_path TEXT, tie_rec INT);
CREATE TABLE IF NOT EXISTS record_values (record INT, node TEXT);
CREATE TABLE IF NOT EXISTS record_images (record INT, image TEXT);
CREATE TABLE IF NOT EXISTS record_names (record INT, name TEXT, relative TEXT, folder TEXT);
CREATE TABLE IF NOT EXISTS entities (node TEXT PRIMARY KEY, type TEXT, masked TEXT);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INT);
"""

_INDEXES = """
CREATE INDEX IF NOT EXISTS ix_values_node ON record_values(node);
CREATE INDEX IF NOT EXISTS ix_values_record ON record_values(record);
CREATE INDEX IF NOT EXISTS ix_rimages_image ON record_images(image);
CREATE INDEX IF NOT EXISTS ix_rimages_record ON record_images(record);
CREATE INDEX IF NOT EXISTS ix_rnames_name ON record_names(name);
CREATE INDEX IF NOT EXISTS ix_rnames_record ON record_names(record);
CREATE INDEX IF NOT EXISTS ix_records_gkey ON records(gkey);
CREATE INDEX IF NOT EXISTS ix_records_tie ON records(tie_path, tie_rec);
CREATE INDEX IF NOT EXISTS ix_images_name ON images(name);
CREATE INDEX IF NOT EXISTS ix_images_full ON images(full);
CREATE INDEX IF NOT EXISTS ix_findings_order ON findings(path, page, row, line, start, id);
CREATE INDEX IF NOT EXISTS ix_findings_type ON findings(type, fp);
"""


def data_dir() -> Path:
    """Where spilled stores live: ``NOTFORSALE_DATA_DIR``, else the user data directory."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("notforsale"))


def _location_dict(location: Location) -> dict[str, Any]:
    return {name: getattr(location, name) for name in
            ("path", "line", "column", "row", "field", "page", "box", "part", "time")
            if getattr(location, name) is not None}


def _finding_dict(finding: Finding) -> dict[str, Any]:
    return {"type": finding.type, "start": finding.start, "end": finding.end,
            "score": finding.score, "masked": finding.masked,
            "fingerprint": finding.fingerprint, "detector": finding.detector,
            "pattern": finding.explanation.pattern, "checks": list(finding.explanation.checks),
            "context": list(finding.explanation.context), "person": finding.person}


def _located(data: str) -> LocatedFinding:
    raw = json.loads(data)
    where = raw["l"]
    if "box" in where:
        where["box"] = tuple(where["box"])
    if "time" in where:
        where["time"] = tuple(where["time"])
    f = raw["f"]
    return LocatedFinding(Location(**where), Finding(
        f["type"], f["start"], f["end"], f["score"], f["masked"], f["fingerprint"],
        f["detector"], Explanation(f["pattern"], tuple(f["checks"]), tuple(f["context"])),
        f.get("person")))


class ResultsStore:
    """One scan's results (see the module docstring). ``path`` None: in memory, spilling
    to a new file in the data directory when large; a path: that file (kept)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.kept = path is not None
        self.path: Path | None = Path(path) if path is not None else None
        self.rows = 0
        self._record_id: int | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = self._open(str(self.path))
        else:
            self.db = self._open(":memory:")
        self.db.executescript(_SCHEMA)
        self._finalizer = weakref.finalize(self, _remove, self.db, None)

    @staticmethod
    def _open(target: str) -> sqlite3.Connection:
        db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=OFF" if target == ":memory:" else
                   "PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA temp_store=FILE")
        db.execute("PRAGMA cache_size=-16000")  # 16 MB of page cache
        db.execute("BEGIN")
        return db

    @property
    def spilled(self) -> bool:
        return self.path is not None

    def _grow(self, rows: int) -> None:
        self.rows += rows
        if self.path is None and self.rows > SPILL_ROWS:
            folder = data_dir() / "scans"
            folder.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix="scan-", suffix=".sqlite", dir=folder)
            os.close(handle)
            self.db.commit()
            disk = sqlite3.connect(name, check_same_thread=False, isolation_level=None)
            self.db.backup(disk)
            self.db.close()
            self.db = disk
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute("PRAGMA cache_size=-16000")
            self.db.execute("BEGIN")
            self.path = Path(name)
            self._finalizer.detach()
            self._finalizer = weakref.finalize(self, _remove, self.db, name)

    def commit(self) -> None:
        self.db.commit()
        self.db.execute("BEGIN")

    def close(self) -> None:
        """Close; a store made for this scan alone is deleted."""
        self._finalizer.detach()
        _remove(self.db, None if self.kept else (str(self.path) if self.path else None))

    # -- writing ----------------------------------------------------------------------

    def add_findings(self, items: Sequence[LocatedFinding]) -> None:
        if not items:
            return
        self.db.executemany(
            "INSERT INTO findings (path, page, row, line, start, type, fp, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(i.location.path, i.location.page or 0, i.location.row or 0, i.location.line or 0,
              i.finding.start, i.finding.type, i.finding.fingerprint,
              json.dumps({"l": _location_dict(i.location), "f": _finding_dict(i.finding)},
                         ensure_ascii=False)) for i in items])
        self._grow(len(items))

    def add_errors(self, errors: Iterable[ScanError]) -> None:
        rows = [(e.path, e.message) for e in errors]
        if rows:
            self.db.executemany("INSERT INTO errors (path, message) VALUES (?, ?)", rows)
            self._grow(len(rows))

    def add_skipped(self, item: Skipped) -> None:
        self.db.execute("INSERT INTO skipped (path, format, reason) VALUES (?, ?, ?)",
                        (item.path, item.format, item.reason))
        self._grow(1)

    def add_not_kept(self, path: str, count: int) -> None:
        self.db.execute("INSERT INTO not_kept (path, count) VALUES (?, ?) ON CONFLICT(path) "
                        "DO UPDATE SET count = count + excluded.count", (path, count))

    def add_thumbnail(self, path: str, data: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO thumbnails (path, data) VALUES (?, ?)",
                        (path, data))

    def add_image(self, path: str, keys: Any, faces: Sequence[Location], group: str | None,
                  parent: tuple[str, int] | None) -> None:
        """An image (or video) with faces, and the prints it can be named and grouped by."""
        self.db.execute(
            "INSERT INTO images (path, name, full, folder, stem, grp, parent, parent_rec, "
            "faces, chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (path, keys.name if keys else None, keys.full if keys else None,
             keys.chain[-2] if keys and len(keys.chain) > 1 else None,
             keys.stem if keys else None, group, parent[0] if parent else None,
             parent[1] if parent else None,
             json.dumps([_location_dict(face) for face in faces], ensure_ascii=False),
             json.dumps(list(keys.chain)) if keys else "[]"))
        self._grow(1)

    def add_record(self, entities: Sequence[Any], reason: str, source: str,
                   images: Sequence[str] = (), names: Sequence[Any] = (),
                   gkey: str | None = None, tie: tuple[str, int] | None = None) -> None:
        """Identity values that belong together, and what ties them to images."""
        self.add_records([(entities, reason, source, images, names, gkey, tie)])

    def add_records(self, records: Iterable[tuple[Sequence[Any], str, str, Sequence[str],
                                                  Sequence[Any], str | None,
                                                  tuple[str, int] | None]]) -> None:
        """Many records at once, each (entities, reason, source, images, names, gkey, tie)
        as :meth:`add_record` takes them: one statement per table for all of them (a table
        piece gives tens of thousands of rows; one insert per value cost a fifth of a dense
        dump's scan)."""
        rows: list[tuple[Any, ...]] = []
        values: list[tuple[int, str]] = []
        images_: list[tuple[int, str]] = []
        names_: list[tuple[int, str, str | None, str]] = []
        entities: dict[str, tuple[str, str, str]] = {}
        record = self._next_record()
        for owned, reason, source, images, names, gkey, tie in records:
            if not owned and not images and not names:
                continue
            rows.append((record, reason, source, gkey, tie[0] if tie else None,
                         tie[1] if tie else None))
            for entity in owned:
                node = f"{entity.type}\0{entity.fingerprint}"
                values.append((record, node))
                if node not in entities:
                    entities[node] = (node, entity.type, entity.masked)
            images_.extend((record, image) for image in images)
            names_.extend((record, n.name, n.relative, n.folder) for n in names)
            record += 1
        if not rows:
            return
        self._record_id = record  # (before the inserts: a failed one leaves a gap, no clash)
        db = self.db
        db.executemany("INSERT INTO records (id, reason, source, gkey, tie_path, tie_rec) "
                       "VALUES (?, ?, ?, ?, ?, ?)", rows)
        if entities:
            db.executemany("INSERT OR IGNORE INTO entities (node, type, masked) "
                           "VALUES (?, ?, ?)", entities.values())
        if values:
            db.executemany("INSERT INTO record_values (record, node) VALUES (?, ?)", values)
        if images_:
            db.executemany("INSERT INTO record_images (record, image) VALUES (?, ?)", images_)
        if names_:
            db.executemany("INSERT INTO record_names (record, name, relative, folder) "
                           "VALUES (?, ?, ?, ?)", names_)
        self._grow(len(rows) + len(values) + len(images_) + len(names_))

    def add_grouped(self, nodes: Sequence[str], entities: Iterable[tuple[str, str, str]],
                    records: Iterable[tuple[Sequence[int], str, str, Sequence[Any],
                                            str | None, tuple[str, int] | None]]) -> None:
        """Records over one member's values, as :meth:`add_records` but packed: ``nodes``
        is each value's node, ``entities`` its (node, type, masked) row, and each record
        (value indexes, reason, source, names, gkey, tie) names its values by index."""
        db = self.db
        db.executemany("INSERT OR IGNORE INTO entities (node, type, masked) VALUES (?, ?, ?)",
                       entities)
        rows: list[tuple[Any, ...]] = []
        owned: list[tuple[int, Sequence[int]]] = []
        names_: list[tuple[int, str, str | None, str]] = []
        record = self._next_record()
        for indexes, reason, source, names, gkey, tie in records:
            if not indexes and not names:
                continue
            rows.append((record, reason, source, gkey, tie[0] if tie else None,
                         tie[1] if tie else None))
            owned.append((record, indexes))
            names_.extend((record, n.name, n.relative, n.folder) for n in names)
            record += 1
        self._record_id = record
        db.executemany("INSERT INTO records (id, reason, source, gkey, tie_path, tie_rec) "
                       "VALUES (?, ?, ?, ?, ?, ?)", rows)
        values = sum(len(indexes) for _, indexes in owned)
        db.executemany("INSERT INTO record_values (record, node) VALUES (?, ?)",
                       ((record, nodes[i]) for record, indexes in owned for i in indexes))
        if names_:
            db.executemany("INSERT INTO record_names (record, name, relative, folder) "
                           "VALUES (?, ?, ?, ?)", names_)
        self._grow(len(rows) + values + len(names_))

    def _next_record(self) -> int:
        if self._record_id is None:  # a store opened again (a resume) goes on after its last
            self._record_id = int(self.db.execute(
                "SELECT coalesce(max(id), 0) + 1 FROM records").fetchone()[0])
        return self._record_id

    def count(self, name: str, by: int = 1) -> None:
        self.db.execute("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) "
                        "DO UPDATE SET value = value + excluded.value", (name, by))

    def counter(self, name: str) -> int:
        row = self.db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    # -- resume -----------------------------------------------------------------------

    def done(self, member_print: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO done (print) VALUES (?)", (member_print,))

    def is_done(self, member_print: str) -> bool:
        return self.db.execute("SELECT 1 FROM done WHERE print = ?",
                               (member_print,)).fetchone() is not None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    # -- reading ----------------------------------------------------------------------

    def index(self) -> None:
        """Indexes for the reduce step and the reports (made once, at the end)."""
        self.db.executescript(_INDEXES)

    def total(self, table: str) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def findings(self) -> StoredSequence:
        return StoredSequence(self, "SELECT data FROM findings ORDER BY path, page, row, line, "
                              "start, id", "findings", _located)

    def errors(self) -> StoredSequence:
        return StoredSequence(self, "SELECT path, message FROM errors ORDER BY id", "errors",
                              lambda row: ScanError(*row), raw_row=True)

    def skipped(self) -> StoredSequence:
        return StoredSequence(self, "SELECT path, format, reason FROM skipped ORDER BY id",
                              "skipped", lambda row: Skipped(*row), raw_row=True)

    def not_kept(self) -> tuple[tuple[str, int], ...]:
        return tuple((str(p), int(c)) for p, c in self.db.execute(
            "SELECT path, count FROM not_kept ORDER BY path"))

    def thumbnails(self) -> dict[str, bytes]:
        return {str(p): bytes(d) for p, d in self.db.execute(
            "SELECT path, data FROM thumbnails")}

    def face_counts(self) -> tuple[int, int]:
        """(faces, images and videos with faces)."""
        faces, images = self.db.execute(
            "SELECT count(*), count(DISTINCT path) FROM findings WHERE type = 'FACE'").fetchone()
        return int(faces), int(images)

    def entity_counts(self) -> dict[str, int]:
        """Distinct values per type: identity values of every record (kept as findings or
        only counted past the caps), and the other findings (metadata) kept."""
        counts = {str(t): int(n) for t, n in self.db.execute(
            "SELECT type, count(DISTINCT fp) FROM findings WHERE type != 'FACE' GROUP BY type")}
        counts.update({str(t): int(n) for t, n in self.db.execute(
            "SELECT type, count(*) FROM entities GROUP BY type")})
        return counts


def _remove(db: sqlite3.Connection, path: str | None) -> None:
    try:
        db.close()
    except sqlite3.Error:
        pass
    if path:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(path + suffix)
            except OSError:
                pass


class StoredSequence(Sequence[Any]):
    """Rows of the store read as the result objects, in order, a few at a time."""

    def __init__(self, store: ResultsStore, query: str, table: str, make: Any,
                 raw_row: bool = False) -> None:
        self.store, self.query, self.table, self.make, self.raw_row = \
            store, query, table, make, raw_row
        self._length: int | None = None

    def __len__(self) -> int:
        if self._length is None:
            self._length = self.store.total(self.table)
        return self._length

    def __iter__(self) -> Iterator[Any]:
        cursor = self.store.db.execute(self.query)
        while True:
            rows = cursor.fetchmany(1000)
            if not rows:
                return
            for row in rows:
                yield self.make(row if self.raw_row else row[0])

    def __bool__(self) -> bool:
        return len(self) > 0

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return list(self)[index]
            rows = self.store.db.execute(f"{self.query} LIMIT ? OFFSET ?",
                                         (max(0, stop - start), start)).fetchall()
            return [self.make(row if self.raw_row else row[0]) for row in rows]
        if index < 0:
            index += len(self)
        row = self.store.db.execute(f"{self.query} LIMIT 1 OFFSET ?", (index,)).fetchone()
        if row is None:
            raise IndexError(index)
        return self.make(row if self.raw_row else row[0])
