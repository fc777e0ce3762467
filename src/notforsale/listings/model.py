"""The learned part of the screener: two linear heads over named signals and character n-grams.

A listing is described by

- *named features*: the lexicon groups it fires, the identity numbers written in it, the
  image signals of its pictures, whether a price is given, and a few interactions (sensitive
  goods together with an offer, several kinds of sensitive goods, sensitive goods in talk);
- *n-grams* of its folded text (see :func:`ngrams`): character 1- to 3-grams of Chinese
  text with spaces and symbols dropped, word unigrams and bigrams and in-word character 3- and
  4-grams of Latin text, every run of
  digits read as ``0`` — so an unseen spelling of known jargon still shares n-grams with
  the spellings seen in training, and no n-gram ever holds an identity number.
  Each n-gram present counts ``1 / sqrt(number of distinct n-grams)``, so a long news
  paragraph does not outvote a short ad by length alone.

Two logistic heads score them: *illicit* (an offer or request to trade sensitive goods) and
*talk* (text about the trade: news, court, police, warnings, tutorials, regulation). Each
head's log-odds is its bias plus the sum of the weights of what fired, so every part of a
score can be named with its weight. Weights are fitted by
``scripts/train_listing_weights.py`` (or ``notforsale screener fit``) and shipped as
``weights.json``; a file elsewhere can be used through ``NOTFORSALE_LISTING_WEIGHTS`` or
:func:`load_model`.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import repeat
from pathlib import Path
from typing import Any

#: Environment variable naming a weights file to use instead of the shipped one.
WEIGHTS_ENV = "NOTFORSALE_LISTING_WEIGHTS"
HEADS = ("illicit", "talk")
#: The illicit head's hand-set bias (the fallback model without fitted weights).
HAND_BIAS = -3.2
#: Text beyond this many squeezed characters adds no n-grams (a bound on the work).
NGRAM_TEXT_LIMIT = 4000


_DIGITS = re.compile(r"[0-9]+")
_LATIN = re.compile(r"[a-z]+")
_TOKEN = re.compile(r"[a-z0-9]+")


def ngrams(squeezed: str, words: str) -> set[str]:
    """The distinct n-grams of a listing, from its squeezed and word views.

    Chinese (and any non-Latin) text: character 1-, 2- and 3-grams of the squeezed view, Latin
    letters cut out (they are words, not characters). Latin text: word unigrams and bigrams
    of the word view (a bigram holds a space, so it never collides with a character n-gram),
    and character 3- and 4-grams inside each word, its ends marked ``<`` ``>`` (so ``fu11z``,
    ``fullz`` and ``fulls`` share some).
    Every run of digits reads as ``0`` in both, so no n-gram ever holds an identity number.
    """
    grams: set[str] = set()
    text = _DIGITS.sub("0", squeezed[:NGRAM_TEXT_LIMIT])
    for run in _LATIN.split(text):
        length = len(run)
        grams.update(run)
        for n in (2, 3):
            grams.update(run[i:i + n] for i in range(length - n + 1))
    tokens = [_DIGITS.sub("0", t) for t in _TOKEN.findall(words[:NGRAM_TEXT_LIMIT])]
    grams.update(t for t in tokens if len(t) > 1)
    grams.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    for token in tokens:
        if len(token) > 2:
            marked = f"<{token}>"
            for n in (3, 4):
                grams.update(marked[i:i + n] for i in range(len(marked) - n + 1))
    return grams


def ngram_scale(count: int) -> float:
    return 1.0 / math.sqrt(count) if count else 0.0


@dataclass(frozen=True, slots=True)
class Head:
    bias: float
    features: dict[str, float]
    ngrams: dict[str, float]


@dataclass(frozen=True, slots=True)
class Contribution:
    """One named feature or n-gram and what it adds to a head's log-odds."""

    name: str
    weight: float
    is_ngram: bool


@dataclass(frozen=True, slots=True)
class Model:
    heads: dict[str, Head]
    source: str
    meta: dict[str, Any]

    def logit(self, head: str, named: Iterable[str], grams: set[str]) -> float:
        """A head's log-odds for a listing's features."""
        h = self.heads[head]
        get = h.features.get
        z = h.bias + sum(get(name, 0.0) for name in named)
        return z + sum(map(h.ngrams.get, grams, repeat(0.0))) * ngram_scale(len(grams))

    def contributions(self, head: str, named: Iterable[str], grams: set[str]
                      ) -> tuple[float, list[Contribution], list[tuple[str, float]]]:
        """(log-odds, named contributions, (n-gram, weight) pairs) of one head."""
        h = self.heads[head]
        z = h.bias
        out = []
        for name in named:
            weight = h.features.get(name, 0.0)
            if weight:
                out.append(Contribution(name, weight, False))
                z += weight
        scale = ngram_scale(len(grams))
        table = h.ngrams
        # one look-up per n-gram; the sum is the same as over every n-gram (the others are 0)
        raw = [(gram, w) for gram in grams if (w := table.get(gram))]
        hits = [(gram, w * scale) for gram, w in raw]
        return z + sum([w for _, w in raw]) * scale, out, hits


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def model_from_dict(data: Mapping[str, Any], source: str) -> Model:
    if data.get("format") != 2:
        raise ValueError(f"{source}: not a listing-screener weights file (format 2)")
    heads = {}
    for name in HEADS:
        raw = data["heads"][name]
        heads[name] = Head(float(raw["bias"]),
                           {str(k): float(v) for k, v in raw["features"].items()},
                           {str(k): float(v) for k, v in raw["ngrams"].items()})
    # Image signals no training listing carries (a picture from a known traded pack) keep
    # their hand weight when a weights file does not name them.
    from .images import IMAGE_FEATURES

    for feature, spec in IMAGE_FEATURES.items():
        heads["illicit"].features.setdefault(feature, spec.weight)
    meta = {k: v for k, v in data.items() if k != "heads"}
    return Model(heads, source, meta)


def hand_model() -> Model:
    """The hand-set weights of ``lexicon.toml`` (no n-grams): the fallback and the prior."""
    from .features import OTHER_FEATURES
    from .signals import lexicon

    lex = lexicon()
    features = {g.name: g.weight for g in lex.groups if g.kind != "talk"}
    features.update({name: spec.weight for name, spec in OTHER_FEATURES.items()})
    talk = {g.name: 2.0 for g in lex.groups if g.kind == "talk"}
    return Model({"illicit": Head(HAND_BIAS, features, {}), "talk": Head(-3.0, talk, {})},
                 "lexicon.toml (hand-set)", {})


def load_model(path: str | Path | None = None) -> Model:
    """The weights at ``path``; else ``NOTFORSALE_LISTING_WEIGHTS``; else the shipped file."""
    if path is None:
        path = os.environ.get(WEIGHTS_ENV) or None
    if path is not None:
        file = Path(path)
        return model_from_dict(json.loads(file.read_text(encoding="utf-8")), str(file))
    shipped = resources.files("notforsale.listings") / "weights.json"
    if not shipped.is_file():
        return hand_model()
    return model_from_dict(json.loads(shipped.read_text(encoding="utf-8")), "weights.json")


@lru_cache(maxsize=1)
def current_model() -> Model:
    """The model the screener uses by default (loaded once per process)."""
    return load_model()


def shipped_weights_path() -> Path:
    """Where the shipped weights live in this installation."""
    return Path(str(resources.files("notforsale.listings") / "weights.json"))
