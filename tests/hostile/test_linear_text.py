"""Every text path is linear: work grows with the text, not with its square.

Runs of digits joined by single separators, lists of phones, IPv4 chains, zero-width
spaces, chained e-mails, a long file name: from 10 KB to 1 MB, the work counted by the
engine (stretches of digit groups weighed) must grow about 100-fold, and the time too,
within a wide margin (timing is a check, the counted work is the claim).
"""

from __future__ import annotations

import time

import pytest

from notforsale import scan_text
from notforsale.read.markup import HTML, parse_html, walk
from notforsale.text import digit_runs
from notforsale.text.mask import mask_name

PATTERNS = {
    "digits joined by spaces": lambda n: " ".join("1234567890"[i % 10] for i in range(n // 2)),
    "7-7-7": lambda n: "-".join("7" for _ in range(n // 2)),
    "6222 6222": lambda n: " ".join("6222" for _ in range(n // 5)),
    "phone list": lambda n: " ".join("13812345678" for _ in range(n // 12)),
    "IPv4 chain": lambda n: ".".join(str(i % 256) for i in range(n // 3)),
    "zero-width spaces": lambda n: "\u200b".join("1234567890"[i % 10] for i in range(n // 2)),
    "chained e-mails": lambda n: "@".join("a.b" for _ in range(n // 4)),
    "dots after an @": lambda n: "x@" + ".".join("a" for _ in range(n // 2)),
    # From the independent hostile set: each address overlaps the next, one cluster of
    # thousands that the overlap resolution compared each with all.
    "overlapping addresses": lambda n: "a" + "b.ca@" * (n // 5) + "b.ca",
    # Numbers in labelled parts (前三位138，…): one chain of parts, and labels without
    # their digits (each a start the pattern tries).
    "labelled parts chained": lambda n: "，".join("前三位138" for _ in range(n // 7)),
    "labels without parts": lambda n: "前三位 尾号 " * (n // 7),
}


def _work(text: str) -> tuple[int, float]:
    digit_runs.WORK[0] = 0
    start = time.process_time()
    scan_text(text)
    return digit_runs.WORK[0], time.process_time() - start


@pytest.mark.parametrize("name", list(PATTERNS))
def test_work_grows_linearly(name: str) -> None:
    make = PATTERNS[name]
    small_work, small_time = _work(make(10_000))
    large_work, large_time = _work(make(1_000_000))
    if small_work:
        assert large_work <= 130 * small_work, (small_work, large_work)
    # Quadratic would be ~10,000x; allow noise on a shared machine.
    assert large_time <= 300 * max(small_time, 0.002), (small_time, large_time)


def test_a_long_file_name_is_linear() -> None:
    name = " ".join("1" for _ in range(20_000)) + ".jpg"
    start = time.process_time()
    mask_name(name)
    assert time.process_time() - start < 5


def test_malformed_html_is_linear() -> None:
    """Python 3.11's html.parser is quadratic on '<a' repeated (CVE-2025-6069); lxml is not."""
    for size in (10_000, 1_000_000):
        markup = "<a" * (size // 2)
        start = time.process_time()
        walk(parse_html(markup), HTML)
        elapsed = time.process_time() - start
        assert elapsed < 5, (size, elapsed)
