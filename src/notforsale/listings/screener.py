"""Screen one listing: explained signals and weights, a score, a verdict.

The score is a logistic function of the weights of the lexicon groups a
listing fires (see ``lexicon.toml``), plus two interaction terms: goods that
are sensitive *and* signs of trade; two different sensitive kinds together.
Identity numbers in the listing (found by the text engine) are strong signals
of their own. Every reason names the signal, its weight and the matched text
(numbers masked), so a moderator can see why.

>>> screen_listing({"title": "人脸素材 5000张 表情全 10元"}).verdict
'block'
>>> screen_listing({"title": "补水保湿面膜 10片装 29元"}).verdict
'allow'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import NotForSaleError
from ..model import Finding
from ..text.engine import scan_text
from ..text.mask import mask_findings, mask_text
from ..trace.hook import KNOWN_PACK, known_pack_weight
from . import BLOCK_AT, REVIEW_AT
from .signals import Signal, lexicon, signals
from .weights import (
    DOCUMENT_FEATURE,
    GRID_FEATURE,
    NUMBER_ENTITIES,
    OTHER_SENSITIVE,
    SENSITIVE_AND_TRADE,
    TWO_SENSITIVE,
    Weights,
    current_weights,
    number_feature,
)

_TEXT_FIELDS = ("title", "description")
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str, int), "title": (str,), "description": (str,), "price": (int, float, str),
    "currency": (str,), "platform": (str,), "lang": (str,), "images": (list, tuple),
}


class ListingError(NotForSaleError):
    """A listing is not a mapping, or one of its fields has the wrong type."""


@dataclass(frozen=True, slots=True)
class Reason:
    signal: str
    weight: float
    matched: str

    def __str__(self) -> str:
        return f"{self.signal} ({self.weight:+.1f}): {self.matched}"

    def to_dict(self) -> dict[str, Any]:
        return {"signal": self.signal, "weight": round(self.weight, 2), "matched": self.matched}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The screener's answer for one listing."""

    id: str | None
    verdict: str  # block | review | allow
    score: float
    reasons: tuple[Reason, ...] = ()
    categories: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": self.verdict,
            "score": round(self.score, 3),
            "categories": list(self.categories),
            "reasons": [str(reason) for reason in self.reasons],
            "signals": [reason.to_dict() for reason in self.reasons],
        }


def _check(listing: object) -> Mapping[str, Any]:
    if not isinstance(listing, Mapping):
        raise ListingError(f"a listing is a JSON object, not {type(listing).__name__}")
    for name, types in _FIELD_TYPES.items():
        value = listing.get(name)
        if value is not None and (not isinstance(value, types) or isinstance(value, bool)):
            wanted = " or ".join(t.__name__ for t in types)
            raise ListingError(f"listing field {name!r} must be {wanted}, "
                               f"not {type(value).__name__}")
    return listing


_LONG_DIGITS = re.compile(r"\d{7,}")


def _safe(matched: str) -> str:
    """Matched text for a reason: long digit runs masked, never quoted whole."""
    return _LONG_DIGITS.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 3), matched)


#: Lexicon groups (and number features) that are evidence of sensitive goods.
SENSITIVE_GROUPS = frozenset(
    [g.name for g in lexicon().groups if g.kind == "sensitive"]
    + list(OTHER_SENSITIVE))
#: The illicit category each sensitive feature points to.
_FEATURE_CATEGORY = {g.name: g.category for g in lexicon().groups
                     if g.kind == "sensitive" and g.category}
_FEATURE_CATEGORY.update({name: category for name, (_, category) in OTHER_SENSITIVE.items()})
#: Every category a verdict can name, in the lexicon's order.
CATEGORY_ORDER = tuple(dict.fromkeys(_FEATURE_CATEGORY.values()))


def listing_text(listing: Mapping[str, Any]) -> str:
    """The text the screener reads: the title and the description, one line apart.

    :attr:`Verdict.findings` are spans of this text.
    """
    return "\n".join(str(listing[name]) for name in _TEXT_FIELDS if listing.get(name))


def masked_fields(listing: Mapping[str, Any], verdict: Verdict) -> dict[str, str]:
    """The title and description with every identity number masked (``""`` when absent).

    Uses the screener's own findings, so the text is not scanned a second time.
    """
    out = {name: "" for name in _TEXT_FIELDS}
    start = 0
    for name in _TEXT_FIELDS:
        if not listing.get(name):
            continue
        value = str(listing[name])
        end = start + len(value)
        inside = [f for f in verdict.findings if f.start < end and f.end > start]
        if any(f.start < start or f.end > end for f in inside):
            out[name] = mask_text(value)[0]  # a span across fields: scan this one alone
        else:
            out[name] = mask_findings(value, [replace(f, start=f.start - start,
                                                      end=f.end - start) for f in inside])
        start = end + 1
    return out


def features(listing: Mapping[str, Any]) -> tuple[dict[str, str], tuple[Finding, ...]]:
    """The features a listing fires, each with the text that fired it (numbers masked)."""
    fields = _check(listing)
    text = listing_text(fields)
    fired: list[Signal] = signals(text)
    found = {s.group.name: _safe(s.matched) for s in fired}
    sensitive = {s.group.category for s in fired if s.group.kind == "sensitive"}
    benign = any(s.group.kind == "benign" for s in fired)
    # Every identity number needs a digit, except an e-mail address.
    findings = tuple(scan_text(text)) if "@" in text or any(ch.isdigit() for ch in text) \
        else ()
    for entity in NUMBER_ENTITIES:
        hit = next((f for f in findings if f.type == entity), None)
        if hit is not None:
            found[number_feature(entity)] = hit.masked
            sensitive.add("id_photos" if entity == "CN_PASSPORT" else "face_identity_bundle")
    for name, matched, category in image_signals(fields.get("images") or ()):
        found[name] = matched
        sensitive.add(category)
    trade = any(s.group.kind == "trade" for s in fired) or fields.get("price") is not None
    # Legitimate contexts (skincare, warnings, lost and found, ...) quote the same words;
    # there the combination of goods and trade is not evidence of the trade.
    if sensitive and trade and not benign:
        found[SENSITIVE_AND_TRADE] = ", ".join(sorted(c for c in sensitive if c))
    if len(sensitive) >= 2 and not benign:
        found[TWO_SENSITIVE] = ", ".join(sorted(c for c in sensitive if c))
    found["_categories"] = ",".join(sorted(c for c in sensitive if c))
    return found, findings


#: A picture holding at least this many faces is a grid of faces (a pack's preview).
GRID_FACES = 6


def image_signals(paths: Sequence[str]) -> list[tuple[str, str, str]]:
    """(feature, what fired it, category) for the images attached to a listing."""
    from ..read.images import ImageError
    from ..trace.hook import known_pack_reason
    from ..vision.analyze import ImageOptions, analyze

    fired: dict[str, tuple[str, str, str]] = {}
    for path in paths:
        name = str(path).rsplit("/", 1)[-1]
        try:
            data = Path(path).read_bytes()
            report = analyze(str(path), data, ImageOptions(ocr="auto"))
        except (OSError, ImageError):
            continue  # an unreadable image adds nothing; the text still counts
        known = known_pack_reason(data)
        if known:
            fired.setdefault(KNOWN_PACK, (KNOWN_PACK, known, "face_pack"))
        if len(report.faces) >= GRID_FACES:
            fired.setdefault(GRID_FEATURE, (GRID_FEATURE, f"{name}: {len(report.faces)} faces",
                                            "face_pack"))
        numbers = [hit.finding for hit in report.text_hits
                   if hit.finding.type in ("CN_RESIDENT_ID", "CN_PASSPORT", "BANK_CARD")]
        if numbers:
            fired.setdefault(DOCUMENT_FEATURE, (DOCUMENT_FEATURE,
                                                f"{name}: {numbers[0].type} {numbers[0].masked}",
                                                "id_photos"))
    return list(fired.values())


def feature_values(found: Mapping[str, str], weights: Weights) -> dict[str, float]:
    """How much of its weight each fired feature counts.

    Sensitive signals have diminishing returns: the strongest counts fully, the next
    half, the next a quarter — a warning post that quotes every piece of jargon does
    not outweigh its own context, and a seller is not caught twice for one word.
    """
    sensitive = sorted((name for name in found if name in SENSITIVE_GROUPS),
                       key=lambda name: -weights.of(name))
    values = {name: 1.0 for name in found}
    for rank, name in enumerate(sensitive):
        values[name] = 0.5 ** rank
    return values


def screen_listing(listing: Mapping[str, Any], *, block_at: float = BLOCK_AT,
                   review_at: float = REVIEW_AT) -> Verdict:
    """Screen one listing (a mapping with title, description, price, ...)."""
    found, findings = features(listing)
    categories = tuple(c for c in found.pop("_categories").split(",") if c)
    weights = current_weights()
    z = weights.bias
    reasons = []
    for name, factor in feature_values(found, weights).items():
        weight = (known_pack_weight(weights) if name == KNOWN_PACK else weights.of(name)) * factor
        z += weight
        reasons.append(Reason(name, weight, found[name]))
    score = 1.0 / (1.0 + math.exp(-z))
    verdict = "block" if score >= block_at else "review" if score >= review_at else "allow"
    reasons.sort(key=lambda r: -abs(r.weight))
    # The strongest evidence names the listing's main category.
    strongest = [_FEATURE_CATEGORY[r.signal] for r in reasons if r.signal in _FEATURE_CATEGORY]
    categories = tuple(dict.fromkeys(strongest + [c for c in categories if c not in strongest]))
    listing_id = listing.get("id")
    return Verdict(None if listing_id is None else str(listing_id), verdict, score,
                   tuple(reasons), categories, findings)
