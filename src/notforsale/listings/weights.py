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

NUMBER_FEATURES = {"CN_RESIDENT_ID in the listing": 2.5, "BANK_CARD in the listing": 1.5,
                   "CN_PASSPORT in the listing": 2.0}
IMAGE_FEATURES = {"grid of many faces in one picture": 2.5, "identity document in a picture": 3.0}


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
    table.update(NUMBER_FEATURES)
    table.update(IMAGE_FEATURES)
    table["sensitive goods offered for trade"] = lex.sensitive_and_trade
    table["several kinds of identity goods"] = lex.two_sensitive
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
