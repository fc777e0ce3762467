"""Screen listings line by line (JSON lines), turning bad lines into error records."""

from __future__ import annotations

import json
from typing import Any

from .screener import ListingError, screen_listing


def screen_line(line: str, number: int, block_at: float, review_at: float) -> dict[str, Any]:
    """The verdict for one JSON line, or an error record naming the line."""
    try:
        listing = json.loads(line)
    except json.JSONDecodeError as error:
        return {"line": number, "error": f"not JSON ({error.msg})"}
    try:
        verdict = screen_listing(listing, block_at=block_at, review_at=review_at)
    except ListingError as error:
        listing_id = listing.get("id") if isinstance(listing, dict) else None
        return {"line": number, "id": listing_id, "error": str(error)}
    return {"line": number, **verdict.to_dict()}
