"""The text engine: normalize, run every detector, weigh context, fingerprint.

One engine for every caller — text files, table cells, OCR output, listing
titles, file names.

>>> [f.type for f in scan_text("身份证号：１１０１０１１９９００３０７１０９Ｘ，手机138-1234-5678")]
['CN_RESIDENT_ID', 'PHONE_NUMBER']
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from itertools import accumulate
from typing import NamedTuple

from ..fingerprint import fingerprint, installation_key
from ..model import Explanation, Finding
from . import context
from .candidate import Candidate, Detector
from .digit_runs import DigitRunDetector
from .normalize import digit_count, labelled_parts, normalize, shown_order
from .simple_detectors import EmailDetector, PassportDetector

#: How much a context word adds to a finding's score.
CONTEXT_BOOST = 0.3


def _registry(*detectors: Detector) -> tuple[Detector, ...]:
    names = [d.name for d in detectors]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"detectors registered twice: {sorted(duplicates)}")
    return detectors


DETECTORS: tuple[Detector, ...] = _registry(DigitRunDetector(), EmailDetector(), PassportDetector())


# A candidate, its score after context, and the context words seen.
Weighed = tuple[Candidate, float, tuple[str, ...]]


#: Texts up to this long (a table row, a cell, an OCR line) are first searched whole for
#: each type's context words: where there are none, no window around a number has one.
_WHOLE_TEXT_CONTEXT = 4096


def _weigh(candidates: list[Candidate], text: str, hint: str, lo: int = 0,
           hi: int | None = None) -> list[Weighed]:
    """Candidates scored by the context words around them, in ``text[lo:hi]`` (one text of
    several joined: no window reaches past its bounds)."""
    hi = len(text) if hi is None else hi
    weighed: list[Weighed] = []
    # Without a hint, a candidate's windows are slices of the text (the hint's " " starts
    # no context word), so a type whose words the text lacks has none near any candidate.
    absent: dict[str, bool] = {}
    lowered = text[lo:hi].lower() if not hint and hi - lo <= _WHOLE_TEXT_CONTEXT else None
    if lowered is not None and not context.any_mentioned(lowered):
        # no context word at all (most table rows): scores stand, weak shapes are dropped
        return [(cand, cand.score, ()) for cand in candidates if not cand.needs_context]
    for cand in candidates:
        if lowered is not None:
            lacks = absent.get(cand.type)
            if lacks is None:
                lacks = absent[cand.type] = not context.mentioned(cand.type, lowered)
            if lacks:
                if not cand.needs_context:  # (one that needs a word is dropped)
                    weighed.append((cand, cand.score, ()))
                continue
        before = text[max(lo, cand.start - context.BEFORE):cand.start]
        after = text[cand.end:min(hi, cand.end + context.AFTER)]
        if (not before or before.isdigit()) and (not after or after.isdigit()):
            words = context.words_in_hint(cand.type, hint)  # a cell of its number alone
        else:
            words = context.words_near(cand.type, hint + " " + before, after)
        if cand.needs_context:
            near = hint + " " + text[max(lo, cand.start - context.BEFORE_REQUIRED):cand.start]
            if not context.label_is_own(cand.type, near):
                continue
        score = min(1.0, cand.score + CONTEXT_BOOST) if words else cand.score
        weighed.append((cand, score, words))
    return weighed


def _resolve(weighed: list[Weighed]) -> list[Weighed]:
    """Keep the best reading where candidates overlap (longer, then higher score).

    Candidates are swept in text order into clusters of overlapping ones; only
    within a cluster (a handful at most) are they compared.
    """
    weighed.sort(key=_start)
    end = -1
    for item in weighed:
        if item[0].start < end:
            break
        end = item[0].end
    else:
        return weighed  # no two overlap (the common case)
    kept: list[Weighed] = []
    cluster: list[Weighed] = []
    cluster_end = -1
    for item in weighed:
        if item[0].start >= cluster_end and cluster:
            kept.extend(_best_of(cluster))
            cluster = []
        cluster.append(item)
        cluster_end = max(cluster_end, item[0].end) if len(cluster) > 1 else item[0].end
    kept.extend(_best_of(cluster))
    return kept


def _start(item: Weighed) -> int:
    return item[0].start


def _best_of(cluster: list[Weighed]) -> list[Weighed]:
    if len(cluster) == 1:
        return cluster
    ranked = sorted(cluster, key=lambda item: (-(item[0].end - item[0].start), -item[1]))
    # The chosen spans never overlap: kept sorted by start, a candidate is checked against
    # its two neighbours only (a chain of overlapping addresses, a@b.ca@b.ca@…, made one
    # cluster of thousands, compared each with all: quadratic).
    starts: list[int] = []
    chosen: list[Weighed] = []
    for item in ranked:
        cand = item[0]
        at = bisect.bisect_left(starts, cand.start)
        if at < len(chosen) and chosen[at][0].start < cand.end:
            continue
        if at > 0 and chosen[at - 1][0].end > cand.start:
            continue
        starts.insert(at, cand.start)
        chosen.insert(at, item)
    return chosen


#: Characters that fold to an at sign (:mod:`normalize`): an e-mail address needs one.
_AT_SIGNS = frozenset("@\uff20\ufe6b")


def finds_nothing(text: str) -> bool:
    """True when :func:`scan_text` surely finds nothing in ``text``, told without running
    the detectors: fewer than ten digits (every run of digits weighed has ten; Unicode
    digits count, as they fold to ASCII ones), no at sign, no passport context word (the
    only shape with fewer digits). A file name such as ``f0000001.txt`` is told here."""
    if _AT_SIGNS.intersection(text) or digit_count(text) >= 10:
        return False
    return not context.occurrences("CN_PASSPORT", normalize(text))


class Hit(NamedTuple):
    """A finding before its objects are made (a dense table gives hundreds of thousands,
    most of them past the member's cap: only counted and linked, never shown)."""

    type: str
    start: int
    end: int
    score: float
    masked: str
    fingerprint: str
    detector: str
    pattern: str
    checks: tuple[str, ...]
    context: tuple[str, ...]

    def __repr__(self) -> str:  # (no canonical value here, but keep the form short)
        return f"Hit({self.type}, {self.start}-{self.end}, {self.masked}, {self.score})"

    def finding(self) -> Finding:
        return Finding(self.type, self.start, self.end, self.score, self.masked,
                       self.fingerprint, self.detector,
                       Explanation(self.pattern, self.checks, self.context))


_new_hit = tuple.__new__


def scan_text(text: str, *, min_score: float = 0.0, key: bytes | None = None,
              context_hint: str = "") -> list[Finding]:
    """Identity numbers and addresses in ``text``, in text order.

    Spans refer to the original ``text``. Findings carry masked values and
    keyed fingerprints (under ``key``, default: this installation's key).
    ``context_hint`` is text that stands before every number without being part
    of ``text`` — a table's column header, the label beside an OCR line.
    """
    return [hit.finding() for hit in _scan_one(text, min_score, key, context_hint)]


def _scan_one(text: str, min_score: float, key: bytes | None, context_hint: str) -> list[Hit]:
    if not isinstance(text, str):
        raise TypeError(f"scan_text() needs a str, not {type(text).__name__}")
    normalized = normalize(text)
    candidates: list[Candidate] = []
    for detector in DETECTORS:
        candidates.extend(detector.find(normalized))
    for start, end, digits in labelled_parts(normalized):  # 前三位138，中间四位0013…
        candidates.extend(cand._replace(start=start, end=end,
                                        pattern=f"{cand.pattern} in labelled parts")
                          for cand in _DIGIT_RUNS.find(digits)
                          if cand.start == 0 and cand.end == len(digits))
    shown: list[Candidate] = []
    if "\u202e" in text:  # also as shown: a number stored reversed after an override
        reversed_view = normalize(shown_order(text))
        for detector in DETECTORS:
            shown.extend(c for c in detector.find(reversed_view)
                         if not any(c.start < o.end and o.start < c.end for o in candidates))
    if not candidates and not shown:
        return []
    secret = key if key is not None else installation_key()
    hint = normalize(context_hint) if context_hint else ""
    weighed = _weigh(candidates, normalized, hint)
    if shown:
        weighed += _weigh(shown, reversed_view, hint)
    return _hits(_resolve(weighed), min_score, secret, 0)


def _hits(weighed: list[Weighed], min_score: float, secret: bytes, offset: int) -> list[Hit]:
    return [_new_hit(Hit, (cand.type, cand.start - offset, cand.end - offset, score,
                           cand.masked, fingerprint(cand.type, cand.canonical, secret),
                           cand.detector, cand.pattern, cand.checks, words))
            for cand, score, words in weighed if score >= min_score]


#: Texts joined for one pass of the detectors (table cells): "\n" ends every shape the
#: detectors find (no run of digits, e-mail address or context word holds one, and what a
#: detector looks at beside a number stops at it as at a text's end), so each text's
#: candidates are exactly those it gives alone.
_JOIN = "\n"
#: Texts longer than this are scanned alone (joining them would copy them for nothing).
_JOIN_MAX = 4096
_DIGIT_RUNS = DETECTORS[0]
_EMAIL = DETECTORS[1]
_PASSPORT = DETECTORS[2]
_NONE: tuple[Hit, ...] = ()


def _read_alone(text: str) -> bool:
    """Whether ``text`` needs a view of its own (read as shown after an override, or a
    number in labelled parts): :func:`_scan_one` makes it; the joined pass does not."""
    return "\u202e" in text or (("位" in text or "尾" in text)
                                 and bool(labelled_parts(normalize(text))))


def scan_many(texts: Sequence[str], hints: Sequence[str], *, min_score: float = 0.0,
              key: bytes | None = None) -> list[list[Finding]]:
    """``[scan_text(t, min_score=…, key=…, context_hint=h) for t, h in zip(texts, hints)]``,
    the same findings, with one pass of the detectors over the short texts joined (a table
    piece's cells: most hold no number, and a call per cell cost more than its scan)."""
    return [[hit.finding() for hit in hits]
            for hits in scan_hits(texts, hints, min_score=min_score, key=key)]


def scan_hits(texts: Sequence[str], hints: Sequence[str], *, min_score: float = 0.0,
              key: bytes | None = None) -> list[Sequence[Hit]]:
    """:func:`scan_many`'s findings as hits (:meth:`Hit.finding` makes each one)."""
    if not all(isinstance(text, str) for text in texts) or \
            tuple(d.name for d in DETECTORS) != ("digit_runs", "email", "cn_passport"):
        return [_scan_one(t, min_score, key, h) for t, h in zip(texts, hints, strict=True)]
    out: list[Sequence[Hit]] = [_NONE] * len(texts)
    joined = _JOIN.join(texts)
    fits = joined.count(_JOIN) == len(texts) - 1 and \
        max(map(len, texts), default=0) <= _JOIN_MAX
    normalized = normalize(joined) if fits else ""  # (once: the pass below reads it too)
    if fits and "\u202e" not in joined and not labelled_parts(normalized):
        short: Sequence[int] = range(len(texts))  # (the common case: every text joins)
    else:
        short = [i for i, text in enumerate(texts)  # an override, labelled parts: alone
                 if len(text) <= _JOIN_MAX and _JOIN not in text and not _read_alone(text)]
        for i in sorted(set(range(len(texts))) - set(short)):
            out[i] = _scan_one(texts[i], min_score, key, hints[i])
        if not short:
            return out
        normalized = normalize(_JOIN.join(texts[i] for i in short))
    joined = normalized
    starts = list(accumulate((len(texts[i]) + 1 for i in short[:-1]), initial=0))
    per_text: dict[int, list[Candidate]] = {}
    n, following, last = 0, starts[1] if len(starts) > 1 else len(joined) + 1, len(starts) - 1
    for cand in _DIGIT_RUNS.find(joined):  # (in text order: the text's index moves on)
        if cand.start >= following or cand.start < starts[n]:
            n = bisect.bisect_right(starts, cand.start) - 1
            following = starts[n + 1] if n < last else len(joined) + 1
        found = per_text.get(n)
        if found is None:
            per_text[n] = [cand]
        else:
            found.append(cand)
    if "@" in joined:
        for cand in _EMAIL.find(joined):
            per_text.setdefault(bisect.bisect_right(starts, cand.start) - 1, []).append(cand)
    worded = {bisect.bisect_right(starts, position - 1) - 1
              for position in context.occurrences("CN_PASSPORT", joined)}
    for n in sorted(worded):
        # (rare in tables) the detector looks past its context word: run it on the text
        lo = starts[n]
        hi = lo + len(texts[short[n]])
        found = [cand._replace(start=cand.start + lo, end=cand.end + lo)
                 for cand in _PASSPORT.find(joined[lo:hi])]
        if found:
            per_text.setdefault(n, []).extend(found)
    if not per_text:
        return out
    secret = key if key is not None else installation_key()
    normalized_hints: dict[str, str] = {"": ""}
    for n in sorted(per_text):
        i = short[n]
        lo = starts[n]
        hint = normalized_hints.get(hints[i])
        if hint is None:
            hint = normalized_hints[hints[i]] = normalize(hints[i])
        weighed = _weigh(per_text[n], joined, hint, lo, lo + len(texts[i]))
        out[i] = _hits(_resolve(weighed), min_score, secret, lo)
    return out
