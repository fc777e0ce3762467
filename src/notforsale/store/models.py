"""Tables. Masked values and keyed fingerprints only: no column ever holds a raw number.

Listing text is stored with its identity numbers masked (the same masking as
redaction), verdict reasons quote masked text, scans keep their summary and
profiles (masked), thumbnails are the blurred ones of the HTML report.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    revoked_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))


class Listing(Base):
    __tablename__ = "listing"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), index=True)
    platform: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text, default="")        # numbers masked
    description: Mapped[str] = mapped_column(Text, default="")  # numbers masked
    price: Mapped[str | None] = mapped_column(String(50))
    received_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    verdicts: Mapped[list[Verdict]] = relationship(back_populates="listing")


class Verdict(Base):
    __tablename__ = "verdict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(10))
    score: Mapped[float] = mapped_column(Float)
    categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    listing: Mapped[Listing] = relationship(back_populates="verdicts")


class Case(Base):
    """Something a moderator must look at: a flagged listing or a scanned upload."""

    __tablename__ = "case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # listing | scan
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listing.id"))
    verdict: Mapped[str] = mapped_column(String(10))
    score: Mapped[float] = mapped_column(Float, index=True)
    category: Mapped[str | None] = mapped_column(String(50), index=True)
    title: Mapped[str] = mapped_column(Text, default="")  # masked
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # masked reasons / summary
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary)  # blurred
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    decisions: Mapped[list[Decision]] = relationship(back_populates="case",
                                                     order_by="Decision.id")


class Decision(Base):
    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # remove | allow | escalate
    note: Mapped[str] = mapped_column(Text, default="")
    moderator: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    case: Mapped[Case] = relationship(back_populates="decisions")


class AuditEntry(Base):
    """Who did what, when. Append-only: the migration adds triggers refusing UPDATE/DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now,
                                                  index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The entry's place in the hash chain, and its seal (see ``store.audit``).
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    chain: Mapped[str | None] = mapped_column(String(64), nullable=True)


class HashListRow(Base):
    """A shared hash list (see ``trace/hashlist.py``): its name and case label, masked."""

    __tablename__ = "hash_list"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    case_label: Mapped[str] = mapped_column(String(200), default="")
    list_created: Mapped[str] = mapped_column(String(40), default="")  # as the file says
    entries: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)


class StoredHash(Base):
    """One PDQ hash of one entry of a list: 32 bytes, PDQ's quality. No pixels, no path."""

    __tablename__ = "hash_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("hash_list.id", ondelete="CASCADE"),
                                         index=True)
    entry: Mapped[str] = mapped_column(String(100))
    ref: Mapped[str] = mapped_column(String(64), default="")  # keyed fingerprint of a path
    kind: Mapped[str] = mapped_column(String(20))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    quality: Mapped[int | None] = mapped_column(Integer)
    document: Mapped[bool] = mapped_column(Boolean, default=False)
