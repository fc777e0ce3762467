"""Hash lists in the project's database, and the matcher rebuilt from them.

Lists are written with bulk inserts (one row per hash); :class:`MatcherCache`
loads every list once into a :class:`~notforsale.trace.matcher.Matcher` and
builds it again when the lists change — checked with one small query at most
every ``ttl`` seconds, and at once after a change made through this module.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from ..store.models import HashListRow, StoredHash
from ..store.repository import audit
from .hashing import ImageHash
from .hashlist import HashEntry, HashList
from .matcher import Matcher
from .signals import VPDQ


class ListExists(ValueError):
    """A list of that name is stored already."""


def save_list(session: Session, hash_list: HashList, actor: str) -> int:
    """Store a list (its name must be new); returns its id."""
    if not hash_list.name:
        raise ValueError("a hash list needs a name")
    if session.scalar(select(HashListRow.id).where(HashListRow.name == hash_list.name)):
        raise ListExists(f"a hash list named {hash_list.name!r} is stored already")
    row = HashListRow(name=hash_list.name, case_label=hash_list.case,
                      list_created=hash_list.created[:40], entries=len(hash_list.entries),
                      created_by=actor)
    session.add(row)
    session.flush()
    rows = [{"list_id": row.id, "entry": entry.id[:100], "ref": entry.ref[:64],
             "kind": item.kind, "hash": item.hash, "quality": item.quality,
             "document": entry.document}
            for entry in hash_list.entries for item in entry.hashes]
    for start in range(0, len(rows), 10_000):
        session.execute(insert(StoredHash), rows[start:start + 10_000])
    audit(session, actor, "hash_list.import", hash_list.name,
          {"entries": len(hash_list.entries), "hashes": len(rows), "case": hash_list.case})
    session.commit()
    return row.id


def delete_list(session: Session, name: str, actor: str) -> bool:
    found = session.scalar(select(HashListRow).where(HashListRow.name == name))
    if found is None:
        return False
    session.execute(delete(StoredHash).where(StoredHash.list_id == found.id))
    session.delete(found)
    audit(session, actor, "hash_list.delete", name, {"entries": found.entries})
    session.commit()
    return True


def list_dict(row: HashListRow) -> dict[str, Any]:
    return {"name": row.name, "case": row.case_label, "entries": row.entries,
            "created": row.list_created, "imported_at": row.created_at.isoformat(),
            "imported_by": row.created_by}


def stored_lists(session: Session) -> list[HashListRow]:
    return list(session.scalars(select(HashListRow).order_by(HashListRow.name)))


def get_list(session: Session, name: str) -> HashListRow | None:
    return session.scalar(select(HashListRow).where(HashListRow.name == name))


def load_lists(session: Session, name: str | None = None) -> list[HashList]:
    """Every stored list (or the one named) with its entries, hashes in stored order."""
    names = {row.id: row for row in stored_lists(session) if name is None or row.name == name}
    grouped: dict[int, dict[str, list[Any]]] = defaultdict(dict)
    query = select(StoredHash.list_id, StoredHash.entry, StoredHash.ref, StoredHash.kind,
                   StoredHash.hash, StoredHash.quality, StoredHash.document
                   ).where(StoredHash.list_id.in_(list(names))).order_by(StoredHash.id)
    for list_id, entry, ref, kind, code, quality, document in session.execute(query):
        slot = grouped[list_id].setdefault(entry, [ref, document, []])
        slot[2].append(ImageHash(kind, bytes(code), quality))
    # A video's entry is told by its frame hashes (their times are not stored: a stored
    # clip's share is counted in frames, see trace.video).
    return [HashList(row.name, tuple(HashEntry(entry, tuple(hashes), document, ref,
                                               any(h.kind == VPDQ.name for h in hashes))
                                     for entry, (ref, document, hashes)
                                     in grouped[list_id].items()),
                     row.case_label, row.list_created)
            for list_id, row in names.items()]


def _stamp(session: Session) -> tuple[Any, ...]:
    return tuple(session.execute(select(func.count(HashListRow.id), func.max(HashListRow.id),
                                        func.max(HashListRow.created_at))).one())


class MatcherCache:
    """The matcher of one database's lists, built once and rebuilt when they change."""

    def __init__(self, sessions: sessionmaker[Session], ttl: float = 2.0) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self._lock = threading.Lock()
        self._matcher: Matcher | None = None
        self._stamp: tuple[Any, ...] | None = None
        self._checked = 0.0

    def invalidate(self) -> None:
        with self._lock:
            self._checked = 0.0

    def get(self) -> Matcher:
        with self._lock:
            now = time.monotonic()
            if self._matcher is not None and now - self._checked < self.ttl:
                return self._matcher
            with self.sessions() as session:
                stamp = _stamp(session)
                if self._matcher is None or stamp != self._stamp:
                    self._matcher = Matcher(load_lists(session))
                    self._stamp = stamp
            self._checked = now
            return self._matcher
