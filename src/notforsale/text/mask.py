"""Mask identity numbers in text, in place, keeping the text's own layout.

Only the digits (and letters, for e-mail and passports) that a report's mask
hides are replaced by ``*``; separators, spacing and surrounding text stay as
they were, so columns, line lengths and formats survive.

>>> mask_text("身份证 110101 19900307 1233，手机138-1234-5678")
('身份证 110101 ******** 1233，手机138-****-5678', 2)
>>> mask_text("电话 0086 138 1234 5678")[0]
'电话 0086 138 **** 5678'
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import Finding
from .engine import finds_nothing, scan_text
from .normalize import digit_count


def _mask_span(span: str, finding: Finding) -> str:
    """``span`` with the characters hidden that the finding's report mask hides.

    The report mask (``finding.masked``) is written in a canonical form (no separators,
    ``+86`` before a mobile number); its letters, digits and stars are laid over the
    span's letters and digits from the right, so the same characters stay visible in
    place as in the report, whatever the seller's spacing.
    """
    if finding.type == "EMAIL_ADDRESS":
        local, at, domain = span.partition("@")
        shown = local[:1] if len(local) > 1 else ""  # one character: hidden whole
        return shown + "*" * (len(local) - len(shown)) + at + domain
    pattern = [ch for ch in finding.masked if ch.isalnum() or ch == "*"]
    significant = [index for index, ch in enumerate(span) if ch.isalnum()]
    chars = list(span)
    for index, shown in zip(reversed(significant), reversed(pattern), strict=False):
        if shown == "*":
            chars[index] = "*"
    return "".join(chars)


def mask_findings(text: str, findings: list[Finding]) -> str:
    """``text`` with each finding's span masked."""
    if not findings:
        return text
    out = []
    last = 0
    for finding in sorted(findings, key=lambda f: f.start):
        out.append(text[last:finding.start])
        out.append(_mask_span(text[finding.start:finding.end], finding))
        last = finding.end
    out.append(text[last:])
    return "".join(out)


#: Readings of a text masked at most (see :func:`mask_text`).
_MASK_ROUNDS = 3


def mask_text(text: str, context_hint: str = "") -> tuple[str, int]:
    """``text`` with every identity number masked, and how many were masked.

    Masked again while a reading of the masked text finds a number (three rounds at most):
    a masked group no longer joins the groups beside it, so in a run of digit groups
    (2.5 MB of random groups, the seventh hostile set) the groups next to it can read as a
    number the first reading did not see, and a copy's check would find it."""
    total = 0
    for _ in range(_MASK_ROUNDS):
        findings = scan_text(text, context_hint=context_hint)
        if not findings:
            break
        text = mask_findings(text, findings)
        total += len(findings)
    return text, total


_AT = frozenset("@＠﹫")


def mask_name(text: str) -> str:
    """``text`` (a file name, a field name, a message) as outputs show it: identity numbers
    masked. Text too short in digits to hold any number the engine finds is returned as is.

    >>> mask_name("110101199003071233.jpg"), mask_name("照片1.jpg")
    ('110101********1233.jpg', '照片1.jpg')
    """
    if _has_surrogates(text):  # bytes of a name that were not UTF-8 (os.fsdecode)
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if _BIDI_CONTROLS.intersection(text):  # a name shown reversed (photo\u202egpj.exe)
        text = text.translate(_SHOWN_BIDI)
    if not _AT.intersection(text) and digit_count(text) < 7:
        return text  # the shortest number reported (a passport) has 7 digits after its letter
    if finds_nothing(text):
        return text  # (nor a run of 19 digits: it has fewer than ten)
    return _LONG_RUN.sub(_mask_run, mask_text(text)[0])


#: A run of digits longer than any number the engine checks, left by it: a name or a
#: library's message that glued a number to other digits (``\x81`` + an ID) is masked too.
_LONG_RUN = re.compile(r"\d{19,}")


def _mask_run(match: re.Match[str]) -> str:
    run = match.group()
    return run[:3] + "*" * (len(run) - 5) + run[-2:]


#: Bidirectional controls: shown as their code point, so no name displays reordered.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")
_SHOWN_BIDI = {ord(ch): f"[U+{ord(ch):04X}]" for ch in _BIDI_CONTROLS}


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@lru_cache(maxsize=8192)
def mask_path(path: str) -> str:
    """A file path with the identity numbers in its names masked, each name on its own.

    Reports, logs and copies show paths this way: a seized pack names files after the
    people in it (``110101199003071233.jpg``).

    >>> mask_path("pack/110101199003071233.zip!/138-1234-5678/a.jpg")
    'pack/110101********1233.zip!/138-****-5678/a.jpg'
    """
    return "/".join(mask_name(part) for part in path.split("/"))
