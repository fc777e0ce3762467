"""Signals: which lexicon groups a listing's text fires, and the words that fired them.

Terms are found in one pass over the squeezed view with an Aho-Corasick automaton
(``pyahocorasick``); patterns run on the word view. A term that begins or ends with a
Latin letter or digit counts only where the original has a word boundary there
(see ``lexicon.toml``), and a match inside one of the lexicon's exclusions does not count.

>>> [s.group.name for s in signals("60 Hz monitor with power bank, and mouse")]
['electronics']
>>> sorted({s.group.name: s.matched for s in signals("收 咔 t.me/abcde")}.items())[:2]
[('bank cards and accounts', '收 咔'), ('buying or collecting', '收 咔')]
>>> {s.group.name: s.matched for s in signals("收 咔 t.me/abcde")}["private contact"]
't.me/abcde'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from .lexicon_data import raw_lexicon
from .normalize import View, fold, fold_squeezed, fold_words

KINDS = ("sensitive", "trade", "trade_weak", "talk", "benign")


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    kind: str  # one of KINDS
    weight: float  # hand-set log-odds (used when no fitted weights are shipped)
    category: str | None
    words: re.Pattern[str] | None  # patterns on the word view


@dataclass(frozen=True, slots=True)
class Lexicon:
    groups: tuple[Group, ...]
    automaton: ahocorasick.Automaton
    #: Category names in the lexicon's order.
    categories: tuple[str, ...]
    #: Every (group, term as squeezed) pair the automaton can report.
    terms: tuple[tuple[Group, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Signal:
    """A group that fired, with the original text that fired it."""

    group: Group
    matched: str


@dataclass(frozen=True, slots=True)
class Analysis:
    """The two folded views of a text and the signals they fire."""

    squeezed: View
    words: View
    signals: tuple[Signal, ...]
    #: Every lexicon term found (once each): (group, the term as squeezed, original text).
    terms: tuple[tuple[Group, str, str], ...] = ()


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def squeeze(term: str) -> str:
    """A lexicon term as it reads in the squeezed view."""
    return "".join(ch for ch in fold(term) if ch.isalnum())


def _compile_group(entry: dict[str, object]) -> Group:
    kind = str(entry["kind"])
    if kind not in KINDS:
        raise ValueError(f"lexicon.toml: group {entry['name']!r} has unknown kind {kind!r}")
    patterns = [str(p) for p in entry.get("patterns", [])]  # type: ignore[attr-defined]
    return Group(
        name=str(entry["name"]), kind=kind, weight=float(entry["weight"]),  # type: ignore[arg-type]
        category=str(entry["category"]) if "category" in entry else None,
        words=re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The bundled lexicon (``lexicon.toml``), compiled once."""
    raw = raw_lexicon()
    entries = raw["group"]
    groups = tuple(_compile_group(entry) for entry in entries)
    names = [g.name for g in groups]
    if len(names) != len(set(names)):
        raise ValueError("lexicon.toml names a group twice")
    keys: dict[str, set[int]] = {}
    for index, entry in enumerate(entries):
        for term in entry.get("terms", []):
            key = squeeze(str(term))
            if not key:
                raise ValueError(f"lexicon.toml: term {term!r} has no letter or digit")
            keys.setdefault(key, set()).add(index)
            if len(key) >= 4 and key.isascii() and key[-1].isalpha() and key[-1] != "s":
                keys.setdefault(key + "s", set()).add(index)
    exclusions = {squeeze(str(term)) for term in raw.get("exclude", {}).get("terms", [])}
    automaton = ahocorasick.Automaton()
    for key in keys.keys() | exclusions:
        automaton.add_word(key, (len(key), _is_latin(key[0]), _is_latin(key[-1]),
                                 tuple(sorted(keys.get(key, ()))), key in exclusions))
    automaton.make_automaton()
    categories = tuple(dict.fromkeys(g.category for g in groups if g.category))
    group_terms = tuple((groups[index], key) for key, indexes in sorted(keys.items())
                        for index in sorted(indexes))
    return Lexicon(groups, automaton, categories, group_terms)


def _boundary(text: str, breaks: frozenset[int], index: int) -> bool:
    """Whether a Latin term may begin or end at ``index`` of the squeezed text."""
    if index <= 0 or index >= len(text) or index in breaks:
        return True
    before, after = text[index - 1], text[index]
    if not (_is_latin(before) and _is_latin(after)):
        return True
    return before.isdigit() != after.isdigit()  # "60hz", "vx123": a letter-digit change


def analyze(text: str) -> Analysis:
    """Both views of ``text`` and every group it fires, once each, with the first original
    text that fired it."""
    lex = lexicon()
    squeezed: View = fold_squeezed(text)
    words: View = fold_words(text)
    s = squeezed.text
    hits: list[tuple[int, int, tuple[int, ...]]] = []
    excluded: list[tuple[int, int]] = []
    for last, (length, latin_start, latin_end, indexes, exclusion) in lex.automaton.iter(s):
        start, end = last + 1 - length, last + 1
        if exclusion:
            excluded.append((start, end))
        if not indexes:
            continue
        if latin_start and not _boundary(s, squeezed.breaks, start):
            continue
        if latin_end and not _boundary(s, squeezed.breaks, end):
            continue
        hits.append((start, end, indexes))
    first: dict[int, tuple[int, int]] = {}
    terms: dict[tuple[int, str], tuple[int, int]] = {}
    for start, end, indexes in hits:
        if excluded and any(a <= start and end <= b and end - start < b - a
                            for a, b in excluded):
            continue
        for index in indexes:
            if index not in first:
                first[index] = (start, end)
            terms.setdefault((index, s[start:end]), (start, end))
    fired = []
    for index, group in enumerate(lex.groups):
        span = first.get(index)
        if span is not None:
            fired.append(Signal(group, squeezed.original(text, *span).strip()))
        elif group.words is not None:
            match = group.words.search(words.text)
            if match:
                fired.append(Signal(group, words.original(text, match.start(),
                                                          match.end()).strip()))
    found = tuple((lex.groups[index], key, squeezed.original(text, *span).strip())
                  for (index, key), span in terms.items())
    return Analysis(squeezed, words, tuple(fired), found)


def signals(text: str) -> list[Signal]:
    """Every group the text fires (see :func:`analyze`)."""
    return list(analyze(text).signals)
