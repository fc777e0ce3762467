"""Throughput and accuracy of ``notforsale.scan_text`` against Microsoft Presidio.

Run from the repository root::

    .venv/bin/python bench/text_throughput.py                 # 5 M chars, seed 0
    .venv/bin/python bench/text_throughput.py --size 1000000 --presidio-chars 200000
    .venv/bin/python bench/text_throughput.py --json > result.json

What it does
------------
1. Builds a deterministic labeled corpus with ``bench/text_corpus.py``
   (Chinese/English prose, sparse identity numbers, evasion forms and decoys;
   see that module's docstring for the label conventions).
2. Times ``notforsale.scan_text`` on the whole corpus (one call per run, best
   of ``--repeat`` runs, after a warm-up call on the first 20 000 chars).
3. Times Presidio on the same text, fed paragraph-aligned chunks of at most
   ``--presidio-chunk`` characters (10 000 by default; offsets are shifted
   back into the corpus), after a warm-up on the first chunk.  By default
   Presidio sees the whole corpus (about 15-30 s for 5 M chars on this 2-core
   machine).  ``--presidio-chars N`` limits Presidio to the first N characters,
   cut back to a paragraph boundary; notforsale is then also timed on exactly
   that slice, and the ratio compares the two **on the same slice**, while
   notforsale's accuracy is still reported for the whole corpus too.
4. Scores both engines (span level, type aware) and prints precision, recall,
   F1 overall and per type, then notforsale's misses and false positives by
   category with a few examples.  Examples show only masked context: every
   digit becomes ``#`` (an ``X`` check character next to digits too) and the
   letters of e-mail addresses become ``*``.  No raw number is ever printed.

Matching rule
-------------
A prediction matches a label when the types are equal and the character spans
overlap (``p.start < l.end and l.start < p.end``).  Each label is matched by at
most one prediction and each prediction matches at most one label (labels are
taken in text order; among the free overlapping predictions of the same type
the one with the largest overlap wins).  Matched pairs are true positives,
unmatched predictions false positives (including a second finding on an
already matched label, and a finding of the wrong type), unmatched labels false
negatives.  The rule is lenient on prefixes such as ``+86``/``0086`` and on
glued text (a prediction that swallows neighbouring characters still counts);
the number of true positives whose span is not exactly the label's is reported
as ``inexact spans``.  A single prediction spanning two adjacent labels matches
only one of them.

Presidio configuration (offline, as fair as it allows)
------------------------------------------------------
* NLP engine: ``SpacyNlpEngine`` whose ``nlp`` is ``spacy.blank(lang)``
  (no model download); no NER recognizer is registered, so the NLP pass only
  feeds Presidio's context enhancer.  ``--presidio-lang`` defaults to ``en``:
  with a zero score threshold the findings are identical for ``zh`` and
  ``en``, and ``en`` tokenizes faster (``zh`` segments every Chinese character
  into a token), so ``en`` is the configuration most favourable to Presidio.
  Chunks of 5-20 KB were measured as equally fast; much larger chunks are
  slower (Presidio's context enhancer scales badly with chunk length).
* ``CreditCardRecognizer`` (built-in, Luhn) -> ``BANK_CARD``; its stock regex
  covers 13-17 digits, so one extra pattern in the same style is added for
  19-digit UnionPay (62...) cards.
* ``PhoneRecognizer`` (built-in, python-phonenumbers, leniency 1) with
  ``supported_regions`` ``CN, US, GB`` -> ``PHONE_NUMBER``.
* ``EmailRecognizer`` (built-in); its ``tldextract`` check is pointed at the
  suffix list bundled with tldextract (no network fetch).
* ``CN_RESIDENT_ID``: a PatternRecognizer for 18 characters (17 digits + digit
  or X, optional space/dash between the 6/4/4/4 groups) validated with
  python-stdnum's ISO 7064 check digit and a real calendar date; plus 15-digit
  legacy IDs only after 身份证/身份证号 (regex look-behind), date-checked.
* ``CN_PASSPORT``: ``[EG]\\d{8}`` or ``E[A-HJ-NP-Z]\\d{7}`` only within a few
  characters after 护照/passport (regex look-behind).
* ``default_score_threshold`` 0: every validated match is kept (the
  best-recall setting; validation already drops checksum failures).
"""

from __future__ import annotations

import argparse
import bisect
import collections
import json
import logging
import os
import platform
import re
import sys
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from text_corpus import (  # noqa: E402
    DENSE_FORMATS,
    ENTITY_TYPES,
    Corpus,
    DenseRows,
    Label,
    audit,
    build_corpus_annotated,
    build_dense_rows,
)

TARGET_RATIO = 30.0
TARGET_F1 = 0.99
#: Issue 16: dense leaked rows, one call per row, CPU time on one core.
DENSE_TARGET_RATIO = 15.0
DENSE_TARGET_CHARS_PER_S = 3_000_000


class Pred(NamedTuple):
    start: int
    end: int
    type: str


# --------------------------------------------------------------------------
# engines
# --------------------------------------------------------------------------


def load_notforsale() -> Callable[[str], list[Pred]] | None:
    try:
        from notforsale import scan_text  # type: ignore
    except ImportError:
        src = ROOT / "src"
        if str(src) not in sys.path:
            sys.path.insert(0, str(src))
        try:
            from notforsale import scan_text  # type: ignore
        except ImportError:
            return None

    def run(text: str) -> list[Pred]:
        return [Pred(f.start, f.end, f.type) for f in scan_text(text)]

    return run


def standin_scan(text: str) -> list[Pred]:
    """A deliberately trivial regex detector, used only with ``--engine standin``."""
    from stdnum import luhn
    from stdnum.cn import ric

    out: list[Pred] = []
    for m in re.finditer(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])", text):
        s = unicodedata.normalize("NFKC", m.group()).upper()
        if ric.calc_check_digit(s) == s[-1]:
            out.append(Pred(m.start(), m.end(), "CN_RESIDENT_ID"))
    for m in re.finditer(r"(?<!\d)(?:62|4|5[1-5]|3[47])\d{13,17}(?!\d)", text):
        if luhn.is_valid(unicodedata.normalize("NFKC", m.group())):
            out.append(Pred(m.start(), m.end(), "BANK_CARD"))
    for m in re.finditer(r"(?<!\d)1[3-9]\d{9}(?!\d)", text):
        out.append(Pred(m.start(), m.end(), "PHONE_NUMBER"))
    for m in re.finditer(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", text):
        out.append(Pred(m.start(), m.end(), "EMAIL_ADDRESS"))
    for m in re.finditer(r"护照[^\d\n]{0,4}((?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7}))", text):
        out.append(Pred(m.start(1), m.end(1), "CN_PASSPORT"))
    return out


PRESIDIO_TO_OURS = {
    "CREDIT_CARD": "BANK_CARD",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "CN_RESIDENT_ID": "CN_RESIDENT_ID",
    "CN_PASSPORT": "CN_PASSPORT",
}


def build_presidio(lang: str, regions: tuple[str, ...]) -> Any:
    """An AnalyzerEngine that needs no network (see the module docstring)."""
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="presidio_analyzer")
    import spacy
    import tldextract
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        PhoneRecognizer,
    )
    from stdnum.cn import ric

    # EmailRecognizer calls tldextract.extract(); use the bundled suffix snapshot.
    tldextract.extract = tldextract.TLDExtract(
        cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True
    )

    nlp_engine = SpacyNlpEngine(models=[{"lang_code": lang, "model_name": f"blank:{lang}"}])
    nlp_engine.nlp = {lang: spacy.blank(lang)}  # loaded: AnalyzerEngine will not download

    def _norm(s: str) -> str:
        return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", s)).upper()

    class CnResidentIdRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            s = _norm(pattern_text)
            try:
                if len(s) == 18:
                    if ric.calc_check_digit(s) != s[-1]:
                        return False
                    ric.get_birth_date(s)  # raises on an impossible date
                    return True
                if len(s) == 15 and s.isdigit():
                    ric.get_birth_date(s[:6] + "19" + s[6:12] + "0000")
                    return True
            except Exception:
                return False
            return False

    d = r"[0-9０-９]"
    cn_id = CnResidentIdRecognizer(
        supported_entity="CN_RESIDENT_ID",
        supported_language=lang,
        patterns=[
            Pattern(
                "cn_ric_18",
                rf"(?<!{d}){d}{{6}}[ -]?{d}{{4}}[ -]?{d}{{4}}[ -]?{d}{{3}}[0-9０-９XxＸｘ](?![0-9０-９])",
                0.5,
            ),
            Pattern(
                "cn_ric_15_with_context",
                rf"(?<=身份证[号码]*[^0-9０-９\n]{{0,4}})(?<!{d}){d}{{15}}(?!{d})",
                0.5,
            ),
        ],
        context=["身份证", "身份证号", "证件号", "id"],
    )
    passport = PatternRecognizer(
        supported_entity="CN_PASSPORT",
        supported_language=lang,
        patterns=[
            Pattern(
                "cn_passport_with_context",
                r"(?<=(?:护照|passport)[^\n]{0,16})(?<![A-Za-z0-9])"
                r"(?:[EG][0-9０-９]{8}|E[A-HJ-NP-Z][0-9０-９]{7})(?![0-9０-９])",
                0.6,
            )
        ],
        context=["护照", "passport"],
    )
    cards = CreditCardRecognizer(
        supported_language=lang,
        patterns=list(CreditCardRecognizer.PATTERNS)
        + [
            Pattern(
                "UnionPay 19 (added)",
                r"\b62\d{2}[- ]?\d{4}[- ]?\d{4}[- ]?\d{4}[- ]?\d{3}\b",
                0.3,
            )
        ],
    )
    phone = PhoneRecognizer(supported_language=lang, supported_regions=regions)
    email = EmailRecognizer(supported_language=lang)
    registry = RecognizerRegistry(
        recognizers=[cn_id, passport, cards, phone, email], supported_languages=[lang]
    )
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=[lang],
        default_score_threshold=0,
    )


def paragraph_chunks(text: str, limit: int) -> list[tuple[int, str]]:
    """Split at blank lines and pack whole paragraphs into chunks of <= limit chars."""
    chunks: list[tuple[int, str]] = []
    start = 0
    pos = 0
    n = len(text)
    while pos < n:
        nxt = text.find("\n\n", pos)
        nxt = n if nxt < 0 else nxt + 2
        if nxt - start > limit and pos > start:
            chunks.append((start, text[start:pos]))
            start = pos
        pos = nxt
    if start < n:
        chunks.append((start, text[start:]))
    return chunks


def run_presidio(analyzer: Any, chunks: list[tuple[int, str]], lang: str) -> list[Pred]:
    out: list[Pred] = []
    for off, chunk in chunks:
        for r in analyzer.analyze(text=chunk, language=lang):
            t = PRESIDIO_TO_OURS.get(r.entity_type)
            if t is not None:
                out.append(Pred(off + r.start, off + r.end, t))
    return out


# --------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------


class Match(NamedTuple):
    pairs: list[tuple[int, int]]  # (label index, prediction index)
    fn: list[int]  # label indexes
    fp: list[int]  # prediction indexes


def match(labels: list[Label], preds: list[Pred]) -> Match:
    """Type-aware overlap matching, see the module docstring."""
    order = sorted(range(len(preds)), key=lambda i: (preds[i].start, preds[i].end))
    starts = [preds[i].start for i in order]
    maxlen = max((p.end - p.start for p in preds), default=0)
    used = [False] * len(preds)
    pairs: list[tuple[int, int]] = []
    fn: list[int] = []
    for li in sorted(range(len(labels)), key=lambda i: labels[i].start):
        lab = labels[li]
        lo = bisect.bisect_left(starts, lab.start - maxlen)
        hi = bisect.bisect_left(starts, lab.end)
        best, best_ov = -1, 0
        for k in range(lo, hi):
            pi = order[k]
            p = preds[pi]
            if used[pi] or p.type != lab.type or p.end <= lab.start:
                continue
            ov = min(p.end, lab.end) - max(p.start, lab.start)
            if ov > best_ov:
                best, best_ov = pi, ov
        if best >= 0:
            used[best] = True
            pairs.append((li, best))
        else:
            fn.append(li)
    fp = [i for i in range(len(preds)) if not used[i]]
    return Match(pairs, fn, fp)


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def score(labels: list[Label], preds: list[Pred]) -> tuple[dict[str, Any], Match]:
    m = match(labels, preds)
    res: dict[str, Any] = prf(len(m.pairs), len(m.fp), len(m.fn))
    res["inexact_spans"] = sum(
        1 for li, pi in m.pairs if (labels[li].start, labels[li].end) != preds[pi][:2]
    )
    per: dict[str, Any] = {}
    for t in ENTITY_TYPES:
        tp = sum(1 for li, _ in m.pairs if labels[li].type == t)
        fp = sum(1 for pi in m.fp if preds[pi].type == t)
        fn = sum(1 for li in m.fn if labels[li].type == t)
        per[t] = prf(tp, fp, fn)
    res["per_type"] = per
    return res, m


# --------------------------------------------------------------------------
# error categories with masked examples
# --------------------------------------------------------------------------

_EMAILISH = re.compile(r"[A-Za-z0-9._%+-]*@[A-Za-z0-9.-]*")


def mask(s: str) -> str:
    """Mask every digit (and X next to a digit) as '#', e-mail letters as '*'."""
    s = _EMAILISH.sub(lambda m: re.sub(r"[^@.]", "*", m.group()), s)
    s = "".join("#" if unicodedata.category(c) == "Nd" else c for c in s)
    s = re.sub(r"(?<=#)[XxＸｘ]|[XxＸｘ](?=#)", "#", s)
    return s


def masked_context(text: str, start: int, end: int, width: int = 22) -> str:
    a = max(0, start - width)
    b = min(len(text), end + width)
    # mask a wider window so that e-mails cut by the edges are masked too
    wa = max(0, a - 80)
    wide = mask(text[wa : b + 80])
    window = wide[a - wa : b - wa]
    out = window[: start - a] + "⟦" + window[start - a : end - a] + "⟧" + window[end - a :]
    return out.replace("\r", " ").replace("\n", "⏎").replace("\t", "⇥")


def _overlapping(spans: list, starts: list[int], maxlen: int, s: int, e: int) -> list[int]:
    lo = bisect.bisect_left(starts, s - maxlen)
    hi = bisect.bisect_left(starts, e)
    return [i for i in range(lo, hi) if spans[i][1] > s]


def categorize(
    corpus: Corpus, preds: list[Pred], m: Match, examples: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    text, labels = corpus.text, corpus.labels
    lab_starts = [lab.start for lab in labels]
    lab_max = max((lab.end - lab.start for lab in labels), default=0)
    dec = sorted(corpus.decoys)
    dec_starts = [d.start for d in dec]
    dec_max = max((d.end - d.start for d in dec), default=0)
    pred_order = sorted(range(len(preds)), key=lambda i: preds[i].start)
    sorted_preds = [preds[i] for i in pred_order]
    pred_starts = [p.start for p in sorted_preds]
    pred_max = max((p.end - p.start for p in preds), default=0)
    matched_labels = {li for li, _ in m.pairs}

    def add(groups: dict, cat: str, ex: str) -> None:
        g = groups.setdefault(cat, {"category": cat, "count": 0, "examples": []})
        g["count"] += 1
        if len(g["examples"]) < examples:
            g["examples"].append(ex)

    misses: dict[str, Any] = {}
    for li in m.fn:
        lab = labels[li]
        got = sorted(
            {sorted_preds[k].type for k in _overlapping(sorted_preds, pred_starts, pred_max, lab.start, lab.end)}
        )
        note = f"  (found as {', '.join(got)})" if got else ""
        add(misses, f"{lab.type} [{corpus.forms[li]}]", masked_context(text, lab.start, lab.end) + note)

    fps: dict[str, Any] = {}
    for pi in m.fp:
        p = preds[pi]
        hits = _overlapping(labels, lab_starts, lab_max, p.start, p.end)
        if hits:
            lab = labels[hits[0]]
            if lab.type != p.type:
                cat = f"{p.type} on a {lab.type} label (wrong type)"
            elif hits[0] in matched_labels:
                cat = f"{p.type}: extra finding on an already matched label"
            else:  # pragma: no cover - would have matched
                cat = f"{p.type} on {lab.type}"
        else:
            dh = _overlapping(dec, dec_starts, dec_max, p.start, p.end)
            if dh:
                kinds = sorted({dec[i].kind for i in dh})
                cat = f"{p.type} on decoy: {'/'.join(kinds)}"
            else:
                cat = f"{p.type} on other unlabeled text"
        add(fps, cat, masked_context(text, p.start, p.end))

    def ordered(groups: dict) -> list[dict[str, Any]]:
        return sorted(groups.values(), key=lambda g: (-g["count"], g["category"]))

    return ordered(misses), ordered(fps)


def inexact_categories(
    corpus: Corpus, preds: list[Pred], m: Match, examples: int
) -> list[dict[str, Any]]:
    """True positives whose span differs from the label, by form and offset difference."""
    groups: dict[str, Any] = {}
    for li, pi in m.pairs:
        lab, p = corpus.labels[li], preds[pi]
        if (lab.start, lab.end) == (p.start, p.end):
            continue
        form = corpus.forms[li].split("+")[0]
        cat = f"{lab.type} [{form}] start {p.start - lab.start:+d} end {p.end - lab.end:+d}"
        g = groups.setdefault(cat, {"category": cat, "count": 0, "examples": []})
        g["count"] += 1
        if len(g["examples"]) < examples:
            g["examples"].append(masked_context(corpus.text, p.start, p.end) + "  (predicted span)")
    return sorted(groups.values(), key=lambda g: (-g["count"], g["category"]))


def tag_summary(corpus: Corpus, idx: Iterable[int]) -> list[tuple[str, int]]:
    """Misses counted per single form tag (a label can carry several tags)."""
    c: collections.Counter[str] = collections.Counter()
    for li in idx:
        for tag in corpus.forms[li].split("+"):
            c[f"{corpus.labels[li].type}/{tag}"] += 1
    return c.most_common()


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def slice_corpus(c: Corpus, n: int) -> Corpus:
    if n >= len(c.text):
        return c
    cut = c.text.rfind("\n\n", 0, n)
    cut = n if cut < 0 else cut + 2
    keep = [i for i, lab in enumerate(c.labels) if lab.end <= cut]
    return Corpus(
        text=c.text[:cut],
        labels=[c.labels[i] for i in keep],
        forms=[c.forms[i] for i in keep],
        decoys=[d for d in c.decoys if d.end <= cut],
    )


def timed(fn: Callable[[], Any], repeat: int,
          cpu: list[float] | None = None) -> tuple[list[float], Any]:
    """Run ``fn`` ``repeat`` times; return every wall time and the last result. The CPU
    time of this process (``time.process_time``) of each run is appended to ``cpu``."""
    times: list[float] = []
    result = None
    for _ in range(max(1, repeat)):
        c0 = time.process_time()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        if cpu is not None:
            cpu.append(time.process_time() - c0)
    return times, result


# --------------------------------------------------------------------------
# dense leaked rows
# --------------------------------------------------------------------------


def dense_corpus(dense: DenseRows, rows: int | None = None) -> tuple[Corpus, list[int]]:
    """The first ``rows`` rows joined by newlines (for scoring), with each row's offset."""
    n = len(dense.rows) if rows is None else rows
    offsets, labels, forms, at = [], [], [], 0
    for row, row_labels, fmt in zip(dense.rows[:n], dense.labels[:n], dense.formats[:n], strict=True):
        offsets.append(at)
        for lab in row_labels:
            labels.append(Label(lab.start + at, lab.end + at, lab.type))
            forms.append(fmt)
        at += len(row) + 1
    return Corpus(text="\n".join(dense.rows[:n]), labels=labels, forms=forms), offsets


def per_row(scan_row: Callable[[str], list[Pred]], rows: list[str]) -> list[list[Pred]]:
    return [scan_row(row) for row in rows]


def placed(found: list[list[Pred]], offsets: list[int]) -> list[Pred]:
    return [Pred(p.start + off, p.end + off, p.type) for preds, off in zip(found, offsets, strict=True)
            for p in preds]


def run_dense(args: argparse.Namespace, scan: Callable[[str], list[Pred]], analyzer: Any,
              say: Callable[..., None]) -> dict[str, Any]:
    """Dense rows, one call per row (as a table reader calls the engine), both engines."""
    dense = build_dense_rows(args.dense_rows, args.seed)
    rows = dense.rows
    corpus, offsets = dense_corpus(dense)
    chars = dense.chars
    say(f"dense: {len(rows):,} leaked rows ({', '.join(DENSE_FORMATS)}), {chars:,} chars, "
        f"{len(corpus.labels):,} labels")
    per_row(scan, rows[:500])  # warm-up
    cpu: list[float] = []
    times, found = timed(lambda: per_row(scan, rows), args.repeat, cpu)
    nfs_score, nfs_m = score(corpus.labels, placed(found, offsets))
    res: dict[str, Any] = {
        "rows": len(rows), "chars": chars, "labels": len(corpus.labels),
        "formats": list(DENSE_FORMATS),
        "notforsale": {"seconds": min(times), "all_seconds": times,
                       "chars_per_s": chars / min(times), "cpu_seconds": min(cpu),
                       "cpu_chars_per_s": chars / min(cpu), **nfs_score},
    }
    joined_cpu: list[float] = []
    joined_times, _ = timed(lambda: scan(corpus.text), args.repeat, joined_cpu)
    res["notforsale_joined"] = {"seconds": min(joined_times), "cpu_seconds": min(joined_cpu),
                                "chars_per_s": len(corpus.text) / min(joined_times),
                                "cpu_chars_per_s": len(corpus.text) / min(joined_cpu)}
    misses, fps = categorize(corpus, placed(found, offsets), nfs_m, args.examples)
    res["notforsale"]["misses"] = misses
    res["notforsale"]["false_positives"] = fps
    if analyzer is not None:
        n = len(rows) if args.dense_presidio_rows <= 0 else min(len(rows), args.dense_presidio_rows)
        sub, sub_offsets = dense_corpus(dense, n)
        sub_chars = sum(len(row) for row in rows[:n])
        lang = args.presidio_lang

        def presidio_row(row: str) -> list[Pred]:
            return [Pred(r.start, r.end, PRESIDIO_TO_OURS[r.entity_type])
                    for r in analyzer.analyze(text=row, language=lang)
                    if r.entity_type in PRESIDIO_TO_OURS]

        say(f"presidio: {n:,} dense rows, one analyze() call each ...")
        per_row(presidio_row, rows[:20])  # warm-up
        p_cpu: list[float] = []
        p_times, p_found = timed(lambda: per_row(presidio_row, rows[:n]), args.presidio_repeat, p_cpu)
        p_score, _ = score(sub.labels, placed(p_found, sub_offsets))
        s_cpu: list[float] = []
        s_times, s_found = timed(lambda: per_row(scan, rows[:n]), max(3, args.repeat), s_cpu)
        s_score, _ = score(sub.labels, placed(s_found, sub_offsets))
        res["slice"] = {"rows": n, "chars": sub_chars, "labels": len(sub.labels)}
        res["notforsale_slice"] = {"seconds": min(s_times), "cpu_seconds": min(s_cpu),
                                   "chars_per_s": sub_chars / min(s_times),
                                   "cpu_chars_per_s": sub_chars / min(s_cpu), **s_score}
        res["presidio"] = {"seconds": min(p_times), "cpu_seconds": min(p_cpu),
                           "chars_per_s": sub_chars / min(p_times),
                           "cpu_chars_per_s": sub_chars / min(p_cpu), **p_score}
        res["ratio"] = res["notforsale_slice"]["chars_per_s"] / res["presidio"]["chars_per_s"]
        res["ratio_cpu"] = (res["notforsale_slice"]["cpu_chars_per_s"]
                            / res["presidio"]["cpu_chars_per_s"])
    ratio = res.get("ratio_cpu")
    res["target"] = {
        "ratio_min": DENSE_TARGET_RATIO, "chars_per_s_min": DENSE_TARGET_CHARS_PER_S,
        "ratio_met": ratio is not None and min(ratio, res["ratio"]) >= DENSE_TARGET_RATIO,
        "chars_per_s_met": res["notforsale"]["cpu_chars_per_s"] >= DENSE_TARGET_CHARS_PER_S,
    }
    return res


def print_dense(res: dict[str, Any], engine_name: str) -> None:
    nfs = res["notforsale"]
    print()
    print(f"== dense leaked rows: {res['rows']:,} rows ({', '.join(res['formats'])}), "
          f"{res['chars']:,} chars, {res['labels']:,} labels; one scan_text call per row")
    print(f"  {engine_name:<11} {nfs['seconds']:8.3f} s  {nfs['chars_per_s']:14,.0f} chars/s"
          f"   CPU {nfs['cpu_seconds']:7.3f} s {nfs['cpu_chars_per_s']:14,.0f} chars/s"
          f"   (best of {len(nfs['all_seconds'])}; target >= "
          f"{DENSE_TARGET_CHARS_PER_S / 1e6:g} M chars/s CPU: "
          f"{'met' if res['target']['chars_per_s_met'] else 'NOT met'})")
    joined = res["notforsale_joined"]
    print(f"  {engine_name} on the rows joined into one text: {joined['chars_per_s']:,.0f} chars/s, "
          f"CPU {joined['cpu_chars_per_s']:,.0f} chars/s")
    if "presidio" in res:
        sl, ns, pr = res["slice"], res["notforsale_slice"], res["presidio"]
        print(f"  on the first {sl['rows']:,} rows ({sl['chars']:,} chars), one call per row:")
        print(f"    {engine_name:<11} {ns['seconds']:8.3f} s  {ns['chars_per_s']:14,.0f} chars/s"
              f"   CPU {ns['cpu_seconds']:7.3f} s {ns['cpu_chars_per_s']:14,.0f} chars/s")
        print(f"    {'presidio':<11} {pr['seconds']:8.3f} s  {pr['chars_per_s']:14,.0f} chars/s"
              f"   CPU {pr['cpu_seconds']:7.3f} s {pr['cpu_chars_per_s']:14,.0f} chars/s")
        print(f"  ratio notforsale/presidio per row: {res['ratio']:.1f}x wall, "
              f"{res['ratio_cpu']:.1f}x CPU   (target >= {DENSE_TARGET_RATIO:g}x: "
              f"{'met' if res['target']['ratio_met'] else 'NOT met'})")
    print("  accuracy (span overlap + same type)")
    print(f"    {engine_name + ', all rows':<30} {fmt_prf(nfs)}  inexact spans {nfs['inexact_spans']}")
    if "presidio" in res:
        print(f"    {'presidio, first rows':<30} {fmt_prf(res['presidio'])}")
        print(f"    {engine_name + ', same rows':<30} {fmt_prf(res['notforsale_slice'])}")
    print("  per type P / R / F1:  " + "   ".join(
        f"{t} {nfs['per_type'][t]['precision']:.3f}/{nfs['per_type'][t]['recall']:.3f}/"
        f"{nfs['per_type'][t]['f1']:.3f}" for t in ENTITY_TYPES if nfs['per_type'][t]['tp']
        or nfs['per_type'][t]['fn'] or nfs['per_type'][t]['fp']))
    for name, groups in (("misses", nfs["misses"]), ("false positives", nfs["false_positives"])):
        print(f"  {engine_name} {name}: {sum(g['count'] for g in groups)}")
        for g in groups[:8]:
            print(f"    {g['count']:6d}  {g['category']}")
            for ex in g["examples"]:
                print(f"              {ex}")


def fmt_prf(r: dict[str, Any]) -> str:
    return (
        f"P {r['precision']:.4f}  R {r['recall']:.4f}  F1 {r['f1']:.4f}"
        f"   (tp {r['tp']}, fp {r['fp']}, fn {r['fn']})"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=5_000_000, help="corpus characters")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--presidio-chars", type=int, default=0,
        help="Presidio (and the ratio) use the first N characters; 0 = whole corpus",
    )
    ap.add_argument("--presidio-chunk", type=int, default=10_000, help="max chars per analyze() call")
    ap.add_argument("--presidio-lang", default="en",
                    help="spacy.blank language for Presidio (en: same findings as zh, faster)")
    ap.add_argument("--presidio-regions", default="CN,US,GB", help="PhoneRecognizer regions")
    ap.add_argument("--repeat", type=int, default=5, help="notforsale timing runs (best kept)")
    ap.add_argument("--presidio-repeat", type=int, default=1, help="Presidio timing runs (best kept)")
    ap.add_argument("--examples", type=int, default=3, help="masked examples per error category")
    ap.add_argument("--engine", choices=("notforsale", "standin"), default="notforsale",
                    help="'standin' = trivial regex detector inside this script (development only)")
    ap.add_argument("--no-presidio", action="store_true", help="skip Presidio")
    ap.add_argument("--dense-rows", type=int, default=2_500,
                    help="dense leaked rows per format (csv, tsv, dash4, sql)")
    ap.add_argument("--dense-presidio-rows", type=int, default=2_000,
                    help="Presidio (and the dense ratio) use the first N dense rows; 0 = all")
    ap.add_argument("--no-dense", action="store_true", help="skip the dense rows")
    ap.add_argument("--json", action="store_true", help="print machine-readable results only")
    ap.add_argument("--check", action="store_true",
                    help=f"exit 1 unless ratio >= {TARGET_RATIO:g} and notforsale F1 >= {TARGET_F1}")
    args = ap.parse_args(argv)

    def say(*a: Any) -> None:
        if not args.json:
            print(*a, flush=True)

    out: dict[str, Any] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
    }

    t0 = time.perf_counter()
    corpus = build_corpus_annotated(args.size, args.seed)
    build_s = time.perf_counter() - t0
    problems = audit(corpus)
    by_type = collections.Counter(lab.type for lab in corpus.labels)
    out["corpus"] = {
        "chars": len(corpus.text), "seed": args.seed, "labels": len(corpus.labels),
        "labels_by_type": dict(by_type), "decoy_and_filler_spans": len(corpus.decoys),
        "build_seconds": round(build_s, 2), "audit_problems": problems[:20],
    }
    say(f"corpus: {len(corpus.text):,} chars, seed {args.seed}, {len(corpus.labels):,} labels "
        f"({', '.join(f'{t} {by_type[t]}' for t in ENTITY_TYPES)}), "
        f"{len(corpus.decoys):,} decoy/filler number spans; built in {build_s:.1f} s; "
        f"audit {'OK' if not problems else 'PROBLEMS: ' + '; '.join(problems[:3])}")

    if args.engine == "standin":
        scan = standin_scan
        engine_name = "standin (NOT notforsale)"
    else:
        scan = load_notforsale()
        engine_name = "notforsale"
        if scan is None:
            print("error: cannot import notforsale.scan_text (use --engine standin to test the "
                  "harness without it)", file=sys.stderr)
            return 2
    out["engine"] = engine_name

    sl = slice_corpus(corpus, args.presidio_chars) if args.presidio_chars else corpus
    whole = sl is corpus
    out["slice"] = {"chars": len(sl.text), "labels": len(sl.labels), "whole_corpus": whole}

    # ---- notforsale ---------------------------------------------------
    scan(corpus.text[:20_000])  # warm-up (imports, compiled patterns)
    nfs_full_cpu: list[float] = []
    nfs_full_times, nfs_full_preds = timed(lambda: scan(corpus.text), args.repeat, nfs_full_cpu)
    if whole:
        nfs_slice_times, nfs_slice_preds, nfs_slice_cpu = nfs_full_times, nfs_full_preds, nfs_full_cpu
    else:
        nfs_slice_cpu: list[float] = []
        nfs_slice_times, nfs_slice_preds = timed(lambda: scan(sl.text), max(3, args.repeat),
                                                 nfs_slice_cpu)
    nfs_full_s, nfs_slice_s = min(nfs_full_times), min(nfs_slice_times)
    nfs_full, nfs_m = score(corpus.labels, nfs_full_preds)
    nfs_slice, _ = score(sl.labels, nfs_slice_preds)
    out["notforsale"] = {
        "full": {"seconds": nfs_full_s, "all_seconds": nfs_full_times,
                 "chars_per_s": len(corpus.text) / nfs_full_s,
                 "cpu_seconds": min(nfs_full_cpu), "cpu_chars_per_s": len(corpus.text) / min(nfs_full_cpu),
                 **nfs_full},
        "slice": {"seconds": nfs_slice_s, "all_seconds": nfs_slice_times,
                  "chars_per_s": len(sl.text) / nfs_slice_s,
                  "cpu_seconds": min(nfs_slice_cpu), "cpu_chars_per_s": len(sl.text) / min(nfs_slice_cpu),
                  **nfs_slice},
    }

    # ---- presidio -----------------------------------------------------
    pres: dict[str, Any] | None = None
    pres_preds: list[Pred] = []
    analyzer = None
    if not args.no_presidio:
        regions = tuple(r.strip() for r in args.presidio_regions.split(",") if r.strip())
        t0 = time.perf_counter()
        analyzer = build_presidio(args.presidio_lang, regions)
        setup_s = time.perf_counter() - t0
        chunks = paragraph_chunks(sl.text, args.presidio_chunk)
        run_presidio(analyzer, chunks[:1], args.presidio_lang)  # warm-up
        say(f"presidio: running on {len(sl.text):,} chars in {len(chunks)} chunks "
            f"(<= {args.presidio_chunk:,} chars, paragraph-aligned) ...")
        p_cpu: list[float] = []
        p_times, pres_preds = timed(
            lambda: run_presidio(analyzer, chunks, args.presidio_lang), args.presidio_repeat, p_cpu
        )
        p_s = min(p_times)
        p_score, p_m = score(sl.labels, pres_preds)
        pres = {
            "seconds": p_s, "all_seconds": p_times, "chars_per_s": len(sl.text) / p_s,
            "cpu_seconds": min(p_cpu), "cpu_chars_per_s": len(sl.text) / min(p_cpu),
            "setup_seconds": setup_s,
            "chunks": len(chunks), "chunk_limit": args.presidio_chunk, "lang": args.presidio_lang,
            "regions": list(regions), **p_score,
        }
        p_miss, p_fps = categorize(sl, pres_preds, p_m, 0)
        pres["miss_categories"] = [(g["category"], g["count"]) for g in p_miss]
        pres["fp_categories"] = [(g["category"], g["count"]) for g in p_fps]
        out["presidio"] = pres
        out["ratio"] = out["notforsale"]["slice"]["chars_per_s"] / pres["chars_per_s"]
        out["ratio_cpu"] = out["notforsale"]["slice"]["cpu_chars_per_s"] / pres["cpu_chars_per_s"]

    dense = None if args.no_dense else run_dense(args, scan, analyzer, say)
    if dense is not None:
        out["dense"] = dense

    misses, fps = categorize(corpus, nfs_full_preds, nfs_m, args.examples)
    out["notforsale"]["misses"] = misses
    out["notforsale"]["false_positives"] = fps
    out["notforsale"]["miss_tags"] = tag_summary(corpus, nfs_m.fn)
    out["notforsale"]["inexact_spans"] = inexact_categories(corpus, nfs_full_preds, nfs_m, 1)
    out["loadavg_end"] = os.getloadavg()
    ratio = out.get("ratio")
    f1 = nfs_full["f1"]
    out["target"] = {
        "ratio_min": TARGET_RATIO, "f1_min": TARGET_F1,
        "ratio_met": ratio is not None and ratio >= TARGET_RATIO, "f1_met": f1 >= TARGET_F1,
    }

    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print()
        scope = "whole corpus" if whole else f"first {len(sl.text):,} chars (paragraph-aligned slice)"
        print(f"== sparse prose, throughput on the same text: {scope}")
        nsl = out["notforsale"]["slice"]
        print(f"  {engine_name:<11} {nfs_slice_s:8.3f} s  {len(sl.text) / nfs_slice_s:14,.0f} chars/s"
              f"   CPU {nsl['cpu_seconds']:7.3f} s {nsl['cpu_chars_per_s']:14,.0f} chars/s"
              f"   (one scan_text call; best of {len(nfs_slice_times)}, first run "
              f"{nfs_slice_times[0]:.3f} s)")
        if pres:
            print(f"  {'presidio':<11} {pres['seconds']:8.3f} s  {pres['chars_per_s']:14,.0f} chars/s"
                  f"   CPU {pres['cpu_seconds']:7.3f} s {pres['cpu_chars_per_s']:14,.0f} chars/s"
                  f"   ({pres['chunks']} analyze() calls, spacy.blank('{pres['lang']}'), "
                  f"best of {len(p_times)} after a warm-up chunk; setup {pres['setup_seconds']:.1f} s not counted)")
            print(f"  ratio notforsale/presidio: {ratio:.1f}x wall, {out['ratio_cpu']:.1f}x CPU   "
                  f"(target >= {TARGET_RATIO:g}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'})")
        if not whole:
            print(f"  {engine_name} on the whole corpus: {nfs_full_s:.3f} s, "
                  f"{len(corpus.text) / nfs_full_s:,.0f} chars/s (best of {len(nfs_full_times)})")
        print()
        print("== accuracy (span overlap + same type; see docstring)")
        rows = [(f"{engine_name}, whole corpus", nfs_full), (f"{engine_name}, slice", nfs_slice)]
        short = ["nfs whole", "nfs slice"]
        if whole:
            rows, short = rows[:1], short[:1]
        if pres:
            rows.append(("presidio, " + ("whole corpus" if whole else "slice"), pres))
            short.append("presidio")
        for name, r in rows:
            print(f"  {name:<30} {fmt_prf(r)}  inexact spans {r['inexact_spans']}")
        print(f"  target F1 >= {TARGET_F1}: {'met' if f1 >= TARGET_F1 else 'NOT met'} "
              f"(notforsale, whole corpus)")
        print()
        print("== per type: P / R / F1")
        hdr = f"  {'type':<16}" + "".join(f"{n:>27}" for n in short)
        print(hdr)
        for t in ENTITY_TYPES:
            line = f"  {t:<16}"
            for _, r in rows:
                x = r["per_type"][t]
                line += f"   {x['precision']:>7.3f} {x['recall']:>7.3f} {x['f1']:>7.3f}"
            print(line)
        print()
        print(f"== {engine_name} misses (false negatives) by category, whole corpus: {len(nfs_m.fn)}")
        for g in misses:
            print(f"  {g['count']:6d}  {g['category']}")
            for ex in g["examples"]:
                print(f"            {ex}")
        if nfs_m.fn:
            print("  misses per single form tag:",
                  ", ".join(f"{k} {v}" for k, v in out["notforsale"]["miss_tags"][:25]))
        print()
        print(f"== {engine_name} false positives by category, whole corpus: {len(nfs_m.fp)}")
        for g in fps:
            print(f"  {g['count']:6d}  {g['category']}")
            for ex in g["examples"]:
                print(f"            {ex}")
        inex = out["notforsale"]["inexact_spans"]
        if inex:
            print()
            print(f"== {engine_name} matched but inexact spans (counted as correct), top categories")
            for g in inex[:12]:
                print(f"  {g['count']:6d}  {g['category']}")
                for ex in g["examples"]:
                    print(f"            {ex}")
        if pres:
            print()
            print("== presidio error categories on the same text (counts only)")
            for cat, n in pres["miss_categories"][:12]:
                print(f"  miss {n:6d}  {cat}")
            for cat, n in pres["fp_categories"][:12]:
                print(f"  fp   {n:6d}  {cat}")
        print()
        print(f"load average start {out['loadavg_start'][0]:.2f}, end {out['loadavg_end'][0]:.2f} "
              f"({out['cpus']} CPUs; shared machine, numbers are noisy)")

    if not args.json and dense is not None:
        print_dense(dense, engine_name)
    if args.check and not (out["target"]["ratio_met"] and out["target"]["f1_met"]):
        return 1
    if args.check and dense is not None and not all(dense["target"][k] for k in
                                                    ("ratio_met", "chars_per_s_met")):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
