"""The text engine: normalize, run every detector, weigh context, fingerprint.

One engine for every caller — text files, table cells, OCR output, listing
titles, file names.

>>> [f.type for f in scan_text("身份证号：１１０１０１１９９００３０７１０９Ｘ，手机138-1234-5678")]
['CN_RESIDENT_ID', 'PHONE_NUMBER']
"""

from __future__ import annotations

import bisect

from ..fingerprint import fingerprint, installation_key
from ..model import Explanation, Finding
from . import context
from .candidate import Candidate, Detector
from .digit_runs import DigitRunDetector
from .normalize import normalize
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


def _weigh(candidates: list[Candidate], text: str, hint: str) -> list[Weighed]:
    weighed: list[Weighed] = []
    # Without a hint, a candidate's windows are slices of the text (the hint's " " starts
    # no context word), so a type whose words the text lacks has none near any candidate.
    absent: dict[str, bool] = {}
    lowered = text.lower() if not hint and len(text) <= _WHOLE_TEXT_CONTEXT else None
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
        words = context.words_near(
            cand.type,
            hint + " " + text[max(0, cand.start - context.BEFORE):cand.start],
            text[cand.end:cand.end + context.AFTER],
        )
        if cand.needs_context:
            near = hint + " " + text[max(0, cand.start - context.BEFORE_REQUIRED):cand.start]
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


def scan_text(text: str, *, min_score: float = 0.0, key: bytes | None = None,
              context_hint: str = "") -> list[Finding]:
    """Identity numbers and addresses in ``text``, in text order.

    Spans refer to the original ``text``. Findings carry masked values and
    keyed fingerprints (under ``key``, default: this installation's key).
    ``context_hint`` is text that stands before every number without being part
    of ``text`` — a table's column header, the label beside an OCR line.
    """
    if not isinstance(text, str):
        raise TypeError(f"scan_text() needs a str, not {type(text).__name__}")
    normalized = normalize(text)
    candidates: list[Candidate] = []
    for detector in DETECTORS:
        candidates.extend(detector.find(normalized))
    if not candidates:
        return []
    secret = key if key is not None else installation_key()
    findings = []
    for cand, score, words in _resolve(_weigh(candidates, normalized, normalize(context_hint))):
        if score < min_score:
            continue
        findings.append(Finding(
            type=cand.type, start=cand.start, end=cand.end, score=score, masked=cand.masked,
            fingerprint=fingerprint(cand.type, cand.canonical, secret), detector=cand.detector,
            explanation=Explanation(cand.pattern, cand.checks, words)))
    return findings
