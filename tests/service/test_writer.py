"""Group commit: many screenings in one transaction, each request gets its own case id."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from notforsale.listings.screener import screen_listing
from notforsale.store import repository
from notforsale.store.db import open_database
from notforsale.store.models import Case, Listing, Verdict
from notforsale.store.writer import GroupWriter

DEV = Path(__file__).resolve().parents[1] / "data" / "listings_dev.jsonl"


def _listings(count: int) -> list[dict]:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    keep = ("id", "title", "description", "price", "platform")
    return [{k: row[k] for k in keep if k in row} for row in rows[:count]]


def test_concurrent_requests_share_transactions_and_get_their_own_case(db_url: str) -> None:
    """60 requests at once: fewer transactions than requests (reason: group commit), and
    every case id points at a case whose listing is the request's own listing (reason:
    multi-row inserts must hand ids back in the order of the rows)."""
    sessions = open_database(db_url)
    writer = GroupWriter(sessions.kw["bind"])
    listings = _listings(60)
    verdicts = [screen_listing(listing) for listing in listings]

    async def run() -> list[int | None]:
        return await asyncio.gather(*(
            writer.record(repository.screening_rows(listing, verdict, "t"))
            for listing, verdict in zip(listings, verdicts, strict=True)))

    case_ids = asyncio.run(run())
    assert writer.batches < len(listings)
    assert sum(v.verdict != "allow" for v in verdicts) > 10  # the check below means something
    with sessions() as session:
        assert session.scalar(select(Listing.id).order_by(Listing.id.desc())) is not None
        assert len(session.scalars(select(Verdict)).all()) == len(listings)
        for listing, verdict, case_id in zip(listings, verdicts, case_ids, strict=True):
            if verdict.verdict == "allow":
                assert case_id is None
                continue
            case = session.get(Case, case_id)
            assert case is not None and case.score == pytest.approx(verdict.score)
            stored = session.get(Listing, case.listing_id)
            assert stored is not None and stored.external_id == str(listing["id"])
            assert case.detail["external_id"] == str(listing["id"])


def test_a_bad_request_fails_alone_and_the_good_ones_in_its_batch_are_kept(db_url: str
                                                                           ) -> None:
    """One listing that the database refuses used to fail every request batched with it
    (21-31 of 31 on PostgreSQL); the batch is now retried one by one."""
    sessions = open_database(db_url)
    writer = GroupWriter(sessions.kw["bind"])
    listings = _listings(5)
    rows = [repository.screening_rows(listing, screen_listing(listing), "t")
            for listing in listings]
    rows[3]["listing"]["title"] = None  # NOT NULL column: this one cannot be written

    async def run() -> list[object]:
        return await asyncio.gather(*(writer.record(r) for r in rows), return_exceptions=True)

    results = asyncio.run(run())
    assert [isinstance(result, Exception) for result in results] == [False] * 3 + [True, False]
    with sessions() as session:
        assert len(session.scalars(select(Listing)).all()) == 4
