"""Mask identity numbers in text, in place, keeping the text's own layout.

Only the digits (and letters, for e-mail and passports) that a report's mask
hides are replaced by ``*``; separators, spacing and surrounding text stay as
they were, so columns, line lengths and formats survive.

>>> mask_text("身份证 110101 19900307 1233，手机138-1234-5678")
('身份证 110101 ******** 1233，手机138-****-5678', 2)
"""

from __future__ import annotations

from ..model import Finding
from ..text.engine import scan_text

#: (characters kept at the start, at the end) of each type's significant characters.
_KEEP = {
    "CN_RESIDENT_ID": (6, 4),
    "BANK_CARD": (6, 4),
    "PHONE_NUMBER": (3, 4),
    "CN_PASSPORT": (1, 2),
}


def _mask_span(span: str, entity: str) -> str:
    if entity == "EMAIL_ADDRESS":
        local, at, domain = span.partition("@")
        return local[:1] + "*" * (len(local) - 1) + at + domain
    head, tail = _KEEP.get(entity, (0, 0))
    significant = [i for i, ch in enumerate(span) if ch.isalnum()]
    if entity == "PHONE_NUMBER" and span.lstrip("(").startswith(("+", "00")):
        head += 2  # keep the country code readable too
    if len(significant) <= head + tail:
        hidden = significant
    else:
        hidden = significant[head:len(significant) - tail]
    chars = list(span)
    for index in hidden:
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
        out.append(_mask_span(text[finding.start:finding.end], finding.type))
        last = finding.end
    out.append(text[last:])
    return "".join(out)


def mask_text(text: str, context_hint: str = "") -> tuple[str, int]:
    """``text`` with every identity number masked, and how many were masked."""
    findings = scan_text(text, context_hint=context_hint)
    return mask_findings(text, findings), len(findings)
