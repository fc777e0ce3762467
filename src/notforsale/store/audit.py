"""The audit log's chain: every entry sealed with a hash of the one sealed before it.

The database refuses to change or delete an entry (triggers; and on PostgreSQL a
TRUNCATE), and refuses an insert that would replace one (``INSERT OR REPLACE``,
``REPLACE INTO``). Someone with the database file in hand can drop those triggers; the
chain makes what they then rewrite, delete or insert visible: each entry holds its place
in the chain (``seq``) and ``chain`` = SHA-256 of the previous entry's chain and of the
entry's own content (id, time, actor, action, subject, detail). ``verify`` walks it.

Entries are written unsealed and sealed in the same transaction, just before it commits,
while the transaction holds the database's write lock (SQLite) or an advisory lock
(PostgreSQL): entries are chained in the order their transactions commit. The one change
the triggers allow is an entry's first seal.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.orm import Session

#: The advisory lock PostgreSQL transactions take to seal, one at a time.
PG_LOCK = 0x6E6673  # "nfs"


def _at(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    return str(value)


def _detail(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def link(previous: str, row: Any) -> str:
    """The chain value of ``row`` (id, at, actor, action, subject, detail) after
    ``previous``."""
    content = json.dumps([row.id, _at(row.at), row.actor, row.action, row.subject,
                          _detail(row.detail)], ensure_ascii=False, sort_keys=True,
                         separators=(",", ":"), default=str)
    return hashlib.sha256((previous + "\n" + content).encode("utf-8")).hexdigest()


def seal(connection: Connection) -> int:
    """Seal every unsealed entry this transaction can see, in id order; how many."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK})
    rows = connection.execute(text(
        "SELECT id, at, actor, action, subject, detail FROM audit_log WHERE chain IS NULL "
        "ORDER BY id")).all()
    if not rows:
        return 0
    head = connection.execute(text(
        "SELECT seq, chain FROM audit_log WHERE chain IS NOT NULL ORDER BY seq DESC "
        "LIMIT 1")).first()
    seq, previous = (head[0], head[1]) if head is not None else (0, "")
    for row in rows:
        seq += 1
        previous = link(previous, row)
        connection.execute(text("UPDATE audit_log SET seq = :seq, chain = :chain "
                                "WHERE id = :id AND chain IS NULL"),
                           {"seq": seq, "chain": previous, "id": row.id})
    return len(rows)


def written(session: Session) -> None:
    """Mark a session as having written audit entries: it seals them before it commits."""
    session.info["audit"] = True


@event.listens_for(Session, "before_commit")
def _seal_on_commit(session: Session) -> None:
    if session.info.pop("audit", False):
        session.flush()
        seal(session.connection())


@dataclass(frozen=True, slots=True)
class Verification:
    entries: int
    problems: tuple[str, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(connection: Connection) -> Verification:
    """Walk the chain: every entry sealed, places 1..N in order, each link recomputed."""
    problems: list[str] = []
    previous, expected = "", 1
    count = 0
    for row in _rows(connection):
        count += 1
        if row.chain is None:
            problems.append(f"entry {row.id} is not sealed")
            continue
        if row.seq != expected:
            problems.append(f"entry {row.id} holds place {row.seq} where {expected} was "
                            "expected (an entry before it is missing)")
            expected = row.seq
        if link(previous, row) != row.chain:
            problems.append(f"entry {row.id} (place {row.seq}) does not match its seal: "
                            "changed, or the entry before it was")
        previous, expected = row.chain, expected + 1
        if len(problems) >= 20:
            problems.append("... (stopped after 20 problems)")
            break
    return Verification(count, tuple(problems))


def _rows(connection: Connection) -> Iterator[Any]:
    yield from connection.execute(text(
        "SELECT id, at, actor, action, subject, detail, seq, chain FROM audit_log "
        "ORDER BY seq IS NULL, seq, id"))
