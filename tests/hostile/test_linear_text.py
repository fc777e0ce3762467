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
from notforsale.read.formats import read_parts
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
    # Quadratic would be ~10,000x; allow noise on a shared machine (the suite runs on two
    # processes: a 1 MB run beside another test measured 325x a 10 KB one alone).
    assert large_time <= 600 * max(small_time, 0.002), (small_time, large_time)


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


def _stretch_time(lines: int) -> float:
    text = "".join(f'v{i} = "1101{i % 10}" + "0119900307"\n' for i in range(lines))
    start = time.process_time()
    units = read_parts("code.js", text.encode())
    assert sum(1 for u in units if getattr(u, "part", "") == "joined literals decoded") \
        == lines
    return time.process_time() - start


def test_many_encoded_stretches_are_linear() -> None:
    """The independent hostile set's 200 MiB log (e31) took over ten minutes: each of a
    million stretches was checked against every one found before it, and its line counted
    from the text's start (both quadratic in the stretches)."""
    small, large = _stretch_time(5_000), _stretch_time(50_000)
    assert large <= 30 * max(small, 0.01), (small, large)  # quadratic: ~100x


def test_literals_that_join_nothing_are_not_stretches() -> None:
    """An access log quotes its referrer and user agent side by side ("-" "Mozilla/5.0 …"):
    joining them makes no number, so no line is a stretch to decode and read again."""
    from notforsale.read.encoded import encoded_stretches

    log = '1.2.3.4 - - [01/Mar/2024:10:31:48 +0800] "GET /a?page=61 HTTP/1.1" 200 85505 ' \
          '"-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"\n'
    assert list(encoded_stretches(log * 100)) == []
    assert [d for _s, _e, d, _k in encoded_stretches('x = "1101011990" + "03071233"')] \
        == ["110101199003071233"]
    assert [d for _s, _e, d, _k in encoded_stretches('m = "zhang1990" + "@qq.com"')] \
        == ["zhang1990@qq.com"]
