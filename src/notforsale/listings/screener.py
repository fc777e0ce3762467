"""Screen one listing: an offer detector with explained weights, a score, a verdict.

Two learned heads (see :mod:`.model`) score a listing from its named signals and character
n-grams: *illicit* — an offer or request to trade faces, identity documents or data,
accounts or cards held in someone's name — and *talk* — text about that trade (news, court
and police narrative, warnings, tutorials, regulation). The verdict:

- ``block`` needs the illicit score at ``block_at`` or more **and** evidence of an offer
  (selling, buying or renting words, a price, a quantity, private contact) **and** evidence
  of sensitive goods, and the text must not read more as talk than as an offer;
- ``review`` for an illicit score at ``review_at`` or more otherwise (one sensitive word
  without an offer goes at most here), unless the text reads more as talk than as an offer;
- ``allow`` for the rest. :attr:`Verdict.kind` says what the listing reads as —
  ``illicit``, ``talk`` (allowed by default, shown as such) or ``benign``.

Every reason names a feature or an n-gram with its weight on the illicit log-odds; the
weights of the reasons and the bias add up to the score's log-odds.

>>> screen_listing({"title": "人脸素材 5000张 表情全 10元"}).verdict
'block'
>>> screen_listing({"title": "补水保湿面膜 10片装 29元"}).verdict
'allow'
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..model import Finding
from ..text.mask import mask_findings, mask_text
from . import BLOCK_AT, REVIEW_AT
from .features import (
    OTHER_FEATURES,
    TEXT_FIELDS,
    ListingError,
    listing_features,
    listing_text,
)
from .images import DOCUMENT_FEATURE, GRID_FEATURE, KNOWN_PACK
from .model import Contribution, Model, current_model, sigmoid
from .signals import lexicon

__all__ = ["DOCUMENT_FEATURE", "GRID_FEATURE", "ListingError", "Reason", "Verdict",
           "listing_text", "masked_fields", "screen_listing"]

#: How many n-grams a verdict names one by one; the rest are summed in one reason.
NGRAM_REASONS = 5
NGRAM_SIGNAL = "n-gram"
OTHER_NGRAMS = "other n-grams"
#: A listing reads as talk when the talk head gives at least this.
TALK_AT = 0.5


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
    score: float  # the illicit head's probability
    reasons: tuple[Reason, ...] = ()
    categories: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = field(default=(), repr=False)
    #: What the listing reads as: illicit | talk | benign.
    kind: str = "benign"
    #: The talk head's probability.
    talk_score: float = 0.0
    #: Evidence of an offer or request to trade; of sensitive goods.
    offer: bool = False
    sensitive: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": self.verdict,
            "kind": self.kind,
            "score": round(self.score, 3),
            "talk_score": round(self.talk_score, 3),
            "offer": self.offer,
            "sensitive_goods": self.sensitive,
            "categories": list(self.categories),
            "reasons": [str(reason) for reason in self.reasons],
            "signals": [reason.to_dict() for reason in self.reasons],
        }


def _categories() -> dict[str, str]:
    out = {g.name: g.category for g in lexicon().groups if g.kind == "sensitive" and g.category}
    out.update({name: spec.category for name, spec in OTHER_FEATURES.items()
                if spec.kind == "sensitive" and spec.category})
    return out


#: The illicit category each sensitive feature points to.
_FEATURE_CATEGORY = _categories()
#: Every category a verdict can name, in the lexicon's order.
CATEGORY_ORDER = tuple(dict.fromkeys(_FEATURE_CATEGORY.values()))


def masked_fields(listing: Mapping[str, Any], verdict: Verdict) -> dict[str, str]:
    """The title and description with every identity number masked (``""`` when absent).

    Uses the screener's own findings, so the text is not scanned a second time.
    """
    out = {name: "" for name in TEXT_FIELDS}
    start = 0
    for name in TEXT_FIELDS:
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


def _up(gram: tuple[str, float]) -> tuple[float, str]:
    return gram[1], gram[0]


def _strength(gram: tuple[str, float]) -> tuple[float, str]:
    return -abs(gram[1]), gram[0]


def _reasons(contributions: list[Contribution], grams: list[tuple[str, float]],
             named: Mapping[str, str]) -> list[Reason]:
    reasons = [Reason(c.name, c.weight, named[c.name]) for c in contributions]
    # ties broken by the n-gram itself, so the reasons do not depend on set order
    strongest = heapq.nlargest(NGRAM_REASONS, grams, key=_up) + \
        heapq.nsmallest(NGRAM_REASONS, grams, key=_up)
    top = sorted(set(strongest), key=_strength)[:NGRAM_REASONS]
    reasons.extend(Reason(NGRAM_SIGNAL, weight, gram) for gram, weight in top)
    if len(grams) > len(top):
        rest = sum(weight for _, weight in grams) - sum(weight for _, weight in top)
        reasons.append(Reason(OTHER_NGRAMS, rest, f"{len(grams) - len(top)} more"))
    reasons.sort(key=lambda r: (-abs(r.weight), r.signal, r.matched))
    return reasons


def screen_listing(listing: Mapping[str, Any], *, block_at: float = BLOCK_AT,
                   review_at: float = REVIEW_AT, model: Model | None = None) -> Verdict:
    """Screen one listing (a mapping with title, description, price, ...)."""
    features = listing_features(listing)
    model = model or current_model()
    z, contributions, grams = model.contributions("illicit", features.named, features.grams)
    talk_z = model.logit("talk", features.named, features.grams)
    score, talk = sigmoid(z), sigmoid(talk_z)
    reads_as_talk = talk >= TALK_AT and talk > score
    if KNOWN_PACK in features.named:
        # A picture from a seized pack (a confirmed perceptual-hash match) is the trade
        # itself, whatever the text says.
        verdict, reads_as_talk = "block", False
    elif score >= block_at and features.offer and features.sensitive and not reads_as_talk:
        verdict = "block"
    elif score >= review_at and not reads_as_talk:
        verdict = "review"
    else:
        verdict = "allow"
    kind = "talk" if reads_as_talk else "illicit" if score >= review_at else "benign"
    reasons = _reasons(contributions, grams, features.named)
    # The strongest sensitive evidence names the listing's main category.
    strongest = [_FEATURE_CATEGORY[r.signal] for r in reasons if r.weight > 0
                 and r.signal in _FEATURE_CATEGORY]
    categories = tuple(dict.fromkeys(strongest + list(features.categories)))
    listing_id = listing.get("id")
    return Verdict(None if listing_id is None else str(listing_id), verdict, score,
                   tuple(reasons), categories, features.findings, kind, talk,
                   features.offer, features.sensitive)
