"""What the screener sees in a listing: named features (with the text that fired them),
character n-grams, and whether there is evidence of an offer and of sensitive goods.

Named features are the lexicon's groups plus those of :data:`OTHER_FEATURES` — identity
numbers written in the listing (found by the text engine, quoted masked), a phone number or
e-mail address, a price, the image signals of :mod:`.images`, and three interactions:
sensitive goods together with an offer, several kinds of sensitive goods, sensitive goods in
text that reads as talk about the trade.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import NotForSaleError
from ..model import Finding
from ..text.engine import scan_text
from .images import IMAGE_FEATURES, FeatureSpec, image_signals
from .model import ngrams
from .signals import analyze, lexicon

TEXT_FIELDS = ("title", "description")
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str, int), "title": (str,), "description": (str,), "price": (int, float, str),
    "currency": (str,), "platform": (str,), "lang": (str,), "images": (list, tuple),
}


class ListingError(NotForSaleError):
    """A listing is not a mapping, or one of its fields has the wrong type."""


#: Identity numbers written into a listing that count as evidence of sensitive goods.
NUMBER_ENTITIES = {"CN_RESIDENT_ID": "face_identity_bundle", "BANK_CARD": "bank_cards",
                   "CN_PASSPORT": "id_photos"}
CONTACT_ENTITIES = ("PHONE_NUMBER", "EMAIL_ADDRESS")


def number_feature(entity: str) -> str:
    return f"{entity} in the listing"


PRICE_FEATURE = "price given"
CONTACT_FEATURE = "phone number or e-mail address in the listing"
SENSITIVE_AND_TRADE = "sensitive goods offered for trade"
TWO_SENSITIVE = "several kinds of sensitive goods"
SENSITIVE_TALK = "sensitive goods named in talk"

#: Named features that are not lexicon groups: hand weight, kind, category.
OTHER_FEATURES: dict[str, FeatureSpec] = {
    number_feature("CN_RESIDENT_ID"): FeatureSpec(2.5, "sensitive", "face_identity_bundle"),
    number_feature("BANK_CARD"): FeatureSpec(1.5, "sensitive", "bank_cards"),
    number_feature("CN_PASSPORT"): FeatureSpec(3.0, "sensitive", "id_photos"),
    **IMAGE_FEATURES,
    PRICE_FEATURE: FeatureSpec(0.3, "trade"),
    CONTACT_FEATURE: FeatureSpec(0.5, "trade"),
    SENSITIVE_AND_TRADE: FeatureSpec(2.2, "trade"),
    TWO_SENSITIVE: FeatureSpec(1.0, "sensitive"),
    SENSITIVE_TALK: FeatureSpec(0.0, "talk"),
}


def term_feature(group: str, term: str) -> str:
    """The named feature of one lexicon term (the group's feature is shared by its terms;
    this one lets a fit tell a group's strong terms from its ambiguous ones)."""
    return f"{group}: {term}"


@lru_cache(maxsize=1)
def term_features() -> frozenset[str]:
    """The names of every lexicon term's own feature."""
    return frozenset(term_feature(group.name, term) for group, term in lexicon().terms)


@lru_cache(maxsize=1)
def feature_kinds() -> dict[str, FeatureSpec]:
    """Every named feature the model knows: kind and category (lexicon groups and their
    terms included). Term features have no hand weight."""
    lex = lexicon()
    out = {g.name: FeatureSpec(g.weight, g.kind, g.category) for g in lex.groups}
    out.update(OTHER_FEATURES)
    for group, term in lex.terms:
        out.setdefault(term_feature(group.name, term), FeatureSpec(0.0, group.kind,
                                                                   group.category))
    return out


@dataclass(frozen=True, slots=True)
class ListingFeatures:
    #: Named feature -> the text that fired it (numbers masked).
    named: dict[str, str]
    #: Character n-grams of the folded text.
    grams: set[str]
    #: Sensitive categories seen, strongest evidence first is decided by the screener.
    categories: tuple[str, ...]
    findings: tuple[Finding, ...]
    #: Evidence of an offer or request to trade (a trade group, a price, a contact number).
    offer: bool
    #: Evidence of sensitive goods (a sensitive group, an identity number, an image signal).
    sensitive: bool


def check(listing: object) -> Mapping[str, Any]:
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
_DIGIT = re.compile(r"\d")


def safe(matched: str) -> str:
    """Matched text for a reason: long digit runs masked, never quoted whole."""
    return _LONG_DIGITS.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 3), matched)


def listing_text(listing: Mapping[str, Any]) -> str:
    """The text the screener reads: the title and the description, one line apart.

    :attr:`Verdict.findings` are spans of this text.
    """
    return "\n".join(str(listing[name]) for name in TEXT_FIELDS if listing.get(name))


def listing_features(listing: Mapping[str, Any], *, images: bool = True) -> ListingFeatures:
    """The features of one listing (``images=False`` skips its pictures)."""
    fields = check(listing)
    text = listing_text(fields)
    analysis = analyze(text)
    named: dict[str, str] = {}
    kinds: set[str] = set()
    categories: dict[str, None] = {}
    for group, term, matched in analysis.terms:
        named[term_feature(group.name, term)] = safe(matched)
    for signal in analysis.signals:
        named[signal.group.name] = safe(signal.matched)
        kinds.add(signal.group.kind)
        if signal.group.kind == "sensitive" and signal.group.category:
            categories[signal.group.category] = None
    # Every identity number needs a digit, except an e-mail address.
    findings = tuple(scan_text(text)) if "@" in text or _DIGIT.search(text) else ()
    for entity, category in NUMBER_ENTITIES.items():
        hit = next((f for f in findings if f.type == entity), None)
        if hit is not None:
            named[number_feature(entity)] = hit.masked
            kinds.add("sensitive")
            categories[category] = None
    contact = next((f for f in findings if f.type in CONTACT_ENTITIES), None)
    if contact is not None:
        named[CONTACT_FEATURE] = contact.masked
        kinds.add("trade")
    if images:
        for name, matched in image_signals(fields.get("images") or ()):
            named[name] = matched
            kinds.add("sensitive")
            image_category = IMAGE_FEATURES[name].category
            if image_category:
                categories[image_category] = None
    if fields.get("price") not in (None, ""):
        named[PRICE_FEATURE] = safe(str(fields.get("price")))
        kinds.add("trade")
    sensitive = "sensitive" in kinds
    offer = "trade" in kinds
    listed = ", ".join(categories)
    if sensitive and offer:
        named[SENSITIVE_AND_TRADE] = listed
    if len(categories) >= 2:
        named[TWO_SENSITIVE] = listed
    if sensitive and "talk" in kinds:
        named[SENSITIVE_TALK] = listed
    grams = ngrams(analysis.squeezed.text, analysis.words.text)
    return ListingFeatures(named, grams, tuple(categories), findings, offer, sensitive)
