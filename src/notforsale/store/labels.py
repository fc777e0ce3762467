"""Moderators' decisions on listing cases as labeled listings (masked text only).

A case's latest decision is its label: ``remove`` -> ``illicit``; ``allow`` -> ``talk`` when
the screener had read the listing as talk, else ``benign``; ``escalate`` gives no label (the
question is still open), nor does a case nobody has decided.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..text.mask import mask_text
from .models import Case, Listing

LABEL_OF = {"remove": "illicit", "allow": "benign"}


def moderator_labels(session: Session) -> tuple[list[dict[str, Any]], Counter[str]]:
    """(labeled listings, counts of what was exported and what was skipped and why)."""
    counts: Counter[str] = Counter()
    rows = []
    cases = session.scalars(select(Case).where(Case.kind == "listing")
                            .options(selectinload(Case.decisions)).order_by(Case.id)).all()
    listings = {row.id: row for row in session.scalars(
        select(Listing).where(Listing.id.in_([c.listing_id for c in cases if c.listing_id])))}
    for case in cases:
        if not case.decisions:
            counts["skipped: not decided"] += 1
            continue
        decision = case.decisions[-1]
        if decision.action not in LABEL_OF:
            counts[f"skipped: last decision {decision.action}"] += 1
            continue
        listing = listings.get(case.listing_id) if case.listing_id else None
        if listing is None:
            counts["skipped: listing not stored"] += 1
            continue
        label = LABEL_OF[decision.action]
        if label == "benign" and (case.detail or {}).get("kind") == "talk":
            label = "talk"
        counts[f"{decision.action} -> {label}"] += 1
        rows.append({
            "id": f"case-{case.id}",
            "title": mask_text(listing.title or "")[0],
            "description": mask_text(listing.description or "")[0],
            "price": listing.price, "platform": listing.platform,
            "label": label, "decision": decision.action,
            "screener_verdict": case.verdict, "screener_score": round(case.score, 3),
            "decided_at": decision.created_at.isoformat(), "source": "moderators",
        })
    return rows, counts
