"""The FAISS index: exact at the threshold, flat and multi-hash alike, and its pitfalls."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from notforsale.trace.index import HashIndex


def with_flips(code: np.ndarray, bits: int, rng: np.random.Generator) -> np.ndarray:
    out = code.copy()
    for bit in rng.choice(256, bits, replace=False):
        out[bit // 8] ^= 1 << (7 - bit % 8)
    return out


def spread(code: np.ndarray) -> np.ndarray:
    """31 bits flipped so that every 16-bit substring holds at least one of them (one holds
    exactly one): the worst case for a multi-hash index of 16 tables."""
    out = code.copy()
    for table in range(16):
        out[2 * table] ^= 0x80            # the first bit of every substring
        if table < 15:
            out[2 * table] ^= 0x40        # and a second one in all but the last
    return out


@pytest.fixture(scope="module")
def planted() -> tuple[np.ndarray, np.ndarray, list[int]]:
    """60,000 random codes; queries planted 0, 1, 15, 16, 17, 31, 32 and 40 bits away, and
    one 31 bits away spread over every substring."""
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 256, (60_000, 32), dtype=np.uint8)
    gaps = [0, 1, 15, 16, 17, 31, 32, 40]
    queries = [with_flips(codes[row], gap, rng) for row, gap in enumerate(gaps)]
    queries.append(spread(codes[len(gaps)]))
    return codes, np.stack(queries), gaps + [31]


@pytest.mark.parametrize("multihash_from", [10**9, 1], ids=["flat", "multihash"])
def test_exact_at_the_threshold(planted: tuple[np.ndarray, np.ndarray, list[int]],
                                multihash_from: int) -> None:
    codes, queries, gaps = planted
    index = HashIndex(codes, multihash_from=multihash_from)
    assert index.kind == ("flat" if multihash_from > 1 else "multihash")
    found = index.search(queries, 31)
    for row, (gap, hits) in enumerate(zip(gaps, found, strict=True)):
        # Within 31 bits (inclusive) the planted code is found at its exact distance;
        # random codes are ~128 bits away, so nothing else comes back.
        assert hits == ([(row, gap)] if gap <= 31 else []), gap


def test_faiss_pitfalls_this_index_avoids(planted: tuple[np.ndarray, np.ndarray, list[int]]
                                          ) -> None:
    """Why nflip = 1 and radius = threshold + 1: FAISS's own behaviour, checked."""
    codes, queries, gaps = planted
    worst = queries[-1:]  # 31 bits away, every substring touched
    plain = faiss.IndexBinaryMultiHash(256, 16, 16)  # nflip = 0
    plain.add(codes)
    _, _, rows = plain.range_search(worst, 32)
    assert len(gaps) - 1 not in rows.tolist()  # nflip = 0 misses this match at 31 bits
    flat = faiss.IndexBinaryFlat(256)
    flat.add(codes)
    _, distances, rows = flat.range_search(worst, 31)
    assert len(rows) == 0  # the radius is strict: 31 bits is not "within 31"
    _, distances, rows = flat.range_search(worst, 32)
    assert distances.tolist() == [31]


def test_empty_index_answers_nothing() -> None:
    assert HashIndex(np.zeros((0, 32), np.uint8)).search(np.zeros((2, 32), np.uint8), 31) \
        == [[], []]
