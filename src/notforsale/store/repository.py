"""What the service and console do with the database, one function per operation.

Everything written passes through the masking of :mod:`notforsale.text.mask`
or comes from result objects that hold masked values only. Every change made by
a person or a client is also written to the append-only audit log.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ..listings.screener import Verdict as ScreenVerdict
from ..listings.screener import masked_fields
from ..model import ScanResult
from ..text.mask import mask_text
from . import audit as chain
from .models import ApiToken, AuditEntry, Base, Case, Decision, Listing, Verdict, now

ACTIONS = ("remove", "allow", "escalate")
_STATUS = {"remove": "removed", "allow": "allowed", "escalate": "escalated"}
TOKEN_PREFIX = "nfs_"


class NotFound(LookupError):
    """No such case (or token)."""


class BadListing(ValueError):
    """A listing field too long to store (refused before it joins a batch of writes)."""


#: Longest listing id, platform and price kept (the columns' sizes).
_FIELD_SIZES = {"id": 200, "platform": 100, "price": 50}


def _short_field(listing: Mapping[str, Any], name: str) -> str | None:
    """A short listing field as stored and shown: masked like the text (an id or a price
    can hold a number too), refused when longer than its column."""
    value = listing.get(name)
    if value is None:
        return None
    masked = mask_text(str(value))[0]
    if len(masked) > _FIELD_SIZES[name]:
        raise BadListing(f"listing field {name!r} is longer than {_FIELD_SIZES[name]} "
                         "characters")
    return masked


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def audit(session: Session, actor: str, action: str, subject: str = "",
          detail: Mapping[str, Any] | None = None) -> None:
    """An audit entry, sealed into the chain when the session commits."""
    session.add(AuditEntry(actor=actor, action=action, subject=subject, detail=dict(detail or {})))
    chain.written(session)


# -- tokens ------------------------------------------------------------------------------


def create_token(session: Session, name: str) -> str:
    """A new API token for ``name``; only its hash is stored, the token is shown once."""
    if session.scalar(select(ApiToken).where(ApiToken.name == name)) is not None:
        raise ValueError(f"a token named {name!r} exists already")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=hash_token(token)))
    audit(session, "cli", "token.create", name)
    session.commit()
    return token


#: How long a checked token is trusted without asking the database again (seconds).
TOKEN_CACHE_SECONDS = 10.0
_token_cache: dict[tuple[str, str], tuple[float, str | None]] = {}


def token_owner(sessions: sessionmaker[Session], token: str) -> str | None:
    """The name of a valid, unrevoked token, or None.

    Answers are kept for a few seconds; the database is asked (in a session of its own)
    only when no fresh answer is kept.
    """
    key = (str(getattr(sessions.kw.get("bind"), "url", "")), hash_token(token))
    cached = _token_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < TOKEN_CACHE_SECONDS:
        return cached[1]
    with sessions() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == key[1]))
        owner = None if row is None or row.revoked_at is not None else row.name
    if len(_token_cache) > 10_000:
        _token_cache.clear()
    _token_cache[key] = (time.monotonic(), owner)
    return owner


# -- listings and cases --------------------------------------------------------------------


def _masked(value: object) -> str:
    return mask_text(str(value))[0] if value is not None else ""


# The hot path's statements, built once: parameters are bound per call, so SQLAlchemy's
# compiled-statement cache is hit without computing a cache key over the values. Rows come
# back in the order of the parameters (listing i gets id i), also for many rows at once.
_TABLES = Base.metadata.tables
_INSERT_LISTING = insert(_TABLES[Listing.__tablename__]).returning(
    _TABLES[Listing.__tablename__].c.id, sort_by_parameter_order=True)
_INSERT_VERDICT = insert(_TABLES[Verdict.__tablename__])
_INSERT_CASE = insert(_TABLES[Case.__tablename__]).returning(
    _TABLES[Case.__tablename__].c.id, sort_by_parameter_order=True)
_INSERT_AUDIT = insert(_TABLES[AuditEntry.__tablename__])


def screening_rows(listing: Mapping[str, Any], verdict: ScreenVerdict, actor: str
                   ) -> dict[str, Any]:
    """What storing one screened listing writes: its rows' values, numbers masked."""
    external_id = _short_field(listing, "id")
    platform = _short_field(listing, "platform")
    price = _short_field(listing, "price")
    text = masked_fields(listing, verdict)
    title, description = text["title"], text["description"]
    reasons = [reason.to_dict() for reason in verdict.reasons]
    stamp = now()
    rows: dict[str, Any] = {
        "listing": {
            "external_id": external_id, "platform": platform, "title": title,
            "description": description, "received_at": stamp, "price": price},
        "verdict": {"verdict": verdict.verdict, "score": verdict.score,
                    "categories": list(verdict.categories), "reasons": reasons,
                    "created_at": stamp},
        "case": None,
        "audit": None,
    }
    if verdict.verdict != "allow":
        rows["case"] = {
            "kind": "listing", "verdict": verdict.verdict, "score": verdict.score,
            "category": verdict.categories[0] if verdict.categories else None,
            "title": title[:300], "status": "open", "created_at": stamp, "updated_at": stamp,
            "thumbnail": None,
            "detail": {"reasons": reasons, "categories": list(verdict.categories),
                       "kind": verdict.kind, "talk_score": round(verdict.talk_score, 3),
                       "external_id": external_id, "platform": platform,
                       "description": description[:2000]}}
        rows["audit"] = {"at": stamp, "actor": actor, "action": "case.open",
                         "detail": {"verdict": verdict.verdict,
                                    "score": round(verdict.score, 3)}}
    return rows


def write_screenings(connection: Connection, batch: Sequence[Mapping[str, Any]]
                     ) -> list[int | None]:
    """Insert many screenings' rows (from :func:`screening_rows`) in the caller's
    transaction, a few statements for the whole batch; the case id of each (None: allowed).
    """
    listing_ids = connection.execute(
        _INSERT_LISTING, [rows["listing"] for rows in batch]).scalars().all()
    connection.execute(_INSERT_VERDICT, [{**rows["verdict"], "listing_id": listing_id}
                                         for rows, listing_id in zip(batch, listing_ids,
                                                                     strict=True)])
    flagged = [(index, listing_ids[index]) for index, rows in enumerate(batch)
               if rows["case"] is not None]
    case_ids: list[int | None] = [None] * len(batch)
    if flagged:
        new_ids = connection.execute(_INSERT_CASE, [
            {**batch[index]["case"], "listing_id": listing_id} for index, listing_id in flagged
        ]).scalars().all()
        for (index, _), case_id in zip(flagged, new_ids, strict=True):
            case_ids[index] = case_id
        connection.execute(_INSERT_AUDIT, [
            {**batch[index]["audit"], "subject": f"case {case_ids[index]}"}
            for index, _ in flagged])
    return case_ids


def record_screening(session: Session, listing: Mapping[str, Any], verdict: ScreenVerdict,
                     actor: str) -> int | None:
    """Store a screened listing and its verdict; open a case when it is flagged."""
    case_id = write_screenings(session.connection(),
                               [screening_rows(listing, verdict, actor)])[0]
    chain.written(session)
    session.commit()
    return case_id


def record_scan(session: Session, name: str, result: ScanResult, actor: str) -> int:
    """Store a scanned upload as a case (summary, profiles and a blurred thumbnail)."""
    summary = result.summary()
    # A pack with nothing found but files that could not be checked is not "clean": it
    # goes to review.
    severity = 1.0 if summary["full_kits"] else 0.9 if summary["profiles"] else \
        0.6 if result.findings else 0.5 if (result.errors or result.skipped) else 0.0
    thumbnail = next(iter(result.thumbnails.values()), None)
    case = Case(kind="scan", verdict="block" if severity >= 0.9 else "review" if severity else
                "allow", score=severity, category="pack" if summary["profiles"] else None,
                title=_masked(name)[:300], thumbnail=thumbnail,
                detail={"summary": summary,
                        "profiles": [p.to_dict() for p in result.profiles[:200]],
                        "errors": [e.to_dict() for e in result.errors[:200]],
                        "skipped": [s.to_dict() for s in result.skipped[:200]]})
    session.add(case)
    session.flush()
    audit(session, actor, "scan.upload", f"case {case.id}", {"summary": summary})
    session.commit()
    return case.id


def list_cases(session: Session, *, verdict: str | None = None, category: str | None = None,
               decision: str | None = None, limit: int = 50, offset: int = 0
               ) -> tuple[int, Sequence[Case]]:
    """Cases by score (highest first), filtered; ``decision`` is a status or ``open``."""
    query = select(Case)
    if verdict:
        query = query.where(Case.verdict == verdict)
    if category:
        query = query.where(Case.category == category)
    if decision:
        query = query.where(Case.status == _STATUS.get(decision, decision))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Case.score.desc(), Case.id.desc())
                           .limit(limit).offset(offset)).all()
    return total, rows


def get_case(session: Session, case_id: int) -> Case:
    case = session.scalar(select(Case).where(Case.id == case_id)
                          .options(selectinload(Case.decisions)))
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def decide(session: Session, case_id: int, action: str, note: str, moderator: str) -> Decision:
    """Record a moderator's decision on a case (and in the audit log)."""
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
    case = get_case(session, case_id)
    masked_note = _masked(note)[:2000]
    decision = Decision(case_id=case.id, action=action, note=masked_note, moderator=moderator)
    session.add(decision)
    case.status = _STATUS[action]
    case.updated_at = now()
    audit(session, moderator, f"case.{action}", f"case {case.id}", {"note": masked_note})
    session.commit()
    return decision


def audit_entries(session: Session, limit: int = 100, offset: int = 0) -> Sequence[AuditEntry]:
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())
                           .limit(limit).offset(offset)).all()


def case_dict(case: Case, *, with_decisions: bool = True) -> dict[str, Any]:
    out = {
        "id": case.id, "kind": case.kind, "verdict": case.verdict, "score": round(case.score, 3),
        "category": case.category, "title": case.title, "status": case.status,
        "created_at": case.created_at.isoformat(), "updated_at": case.updated_at.isoformat(),
        "detail": case.detail, "has_thumbnail": case.thumbnail is not None,
    }
    if with_decisions:
        out["decisions"] = [{"action": d.action, "note": d.note, "moderator": d.moderator,
                             "at": d.created_at.isoformat()} for d in case.decisions]
    return out


def audit_dict(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor,
            "action": entry.action, "subject": entry.subject, "detail": entry.detail}
