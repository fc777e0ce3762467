"""E-mail addresses: a bounded scan around each ``@``, then shape checks.

Scanning outward from each ``@`` (instead of running one address regex over
the whole text) keeps the cost proportional to the number of ``@`` signs,
not to the length of the text.

>>> [(s, e) for s, e in find('邮箱abc.def@qq.com，谢谢')]
[(2, 16)]
>>> mask('abc.def@qq.com')
'a******@qq.com'
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# The local part: letters, digits and the signs addresses use in practice, the apostrophe
# included (andy.o'reilly@…: cutting at it would leave the start of an address unmasked),
# single dashes, not two in a row (see find()).
_LOCAL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+'-"
_LOCAL_MAX = 64
# Top-level domains: letters, or punycode (xn--p1ai is .рф, xn--fiqs8s is .中国); two
# dashes after one separate the next field ("name@qq.com----北京市…").
_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?:xn--[A-Za-z0-9]{2,59}|[A-Za-z]{2,24})(?![A-Za-z0-9]|-(?!-))"
)


def find(text: str) -> Iterator[tuple[int, int]]:
    """Spans of e-mail addresses in (normalized) text."""
    at = text.find("@")
    while at != -1:
        # the local part: the characters of one, up to 64 of them, right before the "@"
        # (str.rstrip, not a regex: a regex tried from each of 64 starting points costs
        # microseconds on a table row)
        window = text[max(0, at - _LOCAL_MAX):at]
        local_size = len(window) - len(window.rstrip(_LOCAL_CHARS))
        domain = _DOMAIN.match(text, at + 1)
        if local_size and domain is not None:
            start = at - local_size
            # Two dashes in a row end a local part: they separate the fields of leaked
            # rows ("…----13812345678----name@qq.com"), and addresses do not hold them.
            double = text.rfind("--", start, at)
            if double != -1:
                start = double + 2
            # A local part may not start or end with a dot, nor hold two in a row; a quote
            # before an address is not part of it.
            while start < at and text[start] in ".-+'":
                start += 1
            local_part = text[start:at]
            if local_part and not local_part.endswith(".") and ".." not in local_part:
                yield start, domain.end()
        at = text.find("@", at + 1)


def mask(address: str) -> str:
    """First character of the local part, stars, then the domain; a local part of one
    character is hidden whole (``c@…`` would show it all).

    >>> mask('c@example.net')
    '*@example.net'
    """
    local, _, domain = address.partition("@")
    shown = local[:1] if len(local) > 1 else ""
    return shown + "*" * max(len(local) - len(shown), 1) + "@" + domain.lower()
