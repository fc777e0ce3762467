"""The screener's weights: the lexicon's hand-set ones, or fitted ones shipped beside it.

``weights.json`` (written by ``scripts/train_listing_weights.py`` from the labeled
development set) overrides the hand-set weights of ``lexicon.toml`` where it has
them; a feature it does not know keeps its hand-set weight.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .signals import lexicon

#: Features that are not lexicon groups.
SENSITIVE_AND_TRADE = "sensitive goods offered for trade"
TWO_SENSITIVE = "several kinds of identity goods"
GRID_FEATURE = "grid of many faces in one picture"
DOCUMENT_FEATURE = "identity document in a picture"
#: Identity numbers written into a listing that count as features (each type once).
NUMBER_ENTITIES = ("CN_RESIDENT_ID", "BANK_CARD", "CN_PASSPORT")


def number_feature(entity: str) -> str:
    return f"{entity} in the listing"


#: The evidence of sensitive goods that is not a lexicon group: (hand weight, category).
OTHER_SENSITIVE: dict[str, tuple[float, str]] = {
    number_feature("CN_RESIDENT_ID"): (2.5, "face_identity_bundle"),
    number_feature("BANK_CARD"): (1.5, "face_identity_bundle"),
    number_feature("CN_PASSPORT"): (2.0, "id_photos"),
    GRID_FEATURE: (2.5, "face_pack"),
    DOCUMENT_FEATURE: (3.0, "id_photos"),
}


@dataclass(frozen=True, slots=True)
class Weights:
    bias: float
    table: dict[str, float]

    def of(self, feature: str) -> float:
        return self.table.get(feature, 0.0)


def hand_weights() -> Weights:
    """The weights written in ``lexicon.toml``."""
    lex = lexicon()
    table = {group.name: group.weight for group in lex.groups}
    table.update({name: weight for name, (weight, _) in OTHER_SENSITIVE.items()})
    table[SENSITIVE_AND_TRADE] = lex.sensitive_and_trade
    table[TWO_SENSITIVE] = lex.two_sensitive
    return Weights(lex.bias, table)


@lru_cache(maxsize=1)
def current_weights() -> Weights:
    """Fitted weights where shipped, else the hand-set ones."""
    base = hand_weights()
    fitted = resources.files("notforsale.listings") / "weights.json"
    if not fitted.is_file():
        return base
    data = json.loads(fitted.read_text(encoding="utf-8"))
    table = dict(base.table)
    table.update({str(k): float(v) for k, v in data["weights"].items()})
    return Weights(float(data["bias"]), table)
