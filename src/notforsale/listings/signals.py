"""Signals: which lexicon groups a listing's text fires, and the words that fired them."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .normalize import View, fold_squeezed, fold_words


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    kind: str  # sensitive | trade | benign
    weight: float
    category: str | None
    squeezed: re.Pattern[str] | None
    words: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class Lexicon:
    bias: float
    sensitive_and_trade: float
    two_sensitive: float
    groups: tuple[Group, ...]


@dataclass(frozen=True, slots=True)
class Signal:
    """A group that fired, with the original text that fired it."""

    group: Group
    matched: str


def _alternation(terms: list[str]) -> str:
    return "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))


def _compile(entry: dict[str, object]) -> Group:
    terms = [str(t) for t in entry.get("terms", [])]  # type: ignore[attr-defined]
    words = [str(w) for w in entry.get("words", [])]  # type: ignore[attr-defined]
    patterns = [str(p) for p in entry.get("patterns", [])]  # type: ignore[attr-defined]
    word_parts = []
    if words:
        word_parts.append(rf"(?<![a-z0-9])(?:{_alternation(words)})(?![a-z0-9])")
    word_parts.extend(f"(?:{p})" for p in patterns)
    return Group(
        name=str(entry["name"]),
        kind=str(entry["kind"]),
        weight=float(entry["weight"]),  # type: ignore[arg-type]
        category=str(entry["category"]) if "category" in entry else None,
        squeezed=re.compile(_alternation(terms)) if terms else None,
        words=re.compile("|".join(word_parts)) if word_parts else None,
    )


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The bundled lexicon (``lexicon.toml``), compiled once."""
    raw = tomllib.loads((resources.files("notforsale.listings") / "lexicon.toml")
                        .read_text(encoding="utf-8"))
    groups = tuple(_compile(entry) for entry in raw["group"])
    names = [g.name for g in groups]
    if len(names) != len(set(names)):
        raise ValueError("lexicon.toml names a group twice")
    return Lexicon(float(raw["bias"]), float(raw["sensitive_and_trade"]),
                   float(raw["two_sensitive"]), groups)


def signals(text: str) -> list[Signal]:
    """Every group the text fires, once each, with the first original text that fired it."""
    squeezed: View = fold_squeezed(text)
    words: View = fold_words(text)
    fired = []
    for group in lexicon().groups:
        match_text = None
        if group.squeezed is not None:
            match = group.squeezed.search(squeezed.text)
            if match:
                match_text = squeezed.original(text, match.start(), match.end())
        if match_text is None and group.words is not None:
            match = group.words.search(words.text)
            if match:
                match_text = words.original(text, match.start(), match.end())
        if match_text is not None:
            fired.append(Signal(group, match_text.strip()))
    return fired
