"""The index: exact at the threshold (flat and multi-index alike), and FAISS's pitfalls."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from notforsale.trace.index import BITS, TABLES, HashIndex


def with_flips(code: np.ndarray, bits: list[int]) -> np.ndarray:
    out = code.copy()
    for bit in bits:
        out[bit // 8] ^= 1 << (7 - bit % 8)
    return out


def spread16(code: np.ndarray) -> np.ndarray:
    """31 bits flipped so that every 16-bit substring holds at least one (the worst case
    for FAISS's multi-hash index of 16 tables)."""
    bits = [16 * table for table in range(16)] + [16 * table + 1 for table in range(15)]
    return with_flips(code, bits)


def spread23(code: np.ndarray) -> np.ndarray:
    """31 bits flipped: 3 in each of 9 of the multi-index's 23-bit substrings and 2 in each of
    the last two, so only a probe with 2 flips finds it."""
    bits = [BITS * table + k for table in range(9) for k in range(3)]
    bits += [BITS * table + k for table in (9, 10) for k in range(2)]
    assert len(bits) == 31 and max(bits) < TABLES * BITS
    return with_flips(code, bits)


@pytest.fixture(scope="module")
def planted() -> tuple[np.ndarray, np.ndarray, list[int]]:
    """60,000 random codes; queries 0, 1, 15, 16, 17, 31, 32 and 40 random bits away, and
    the two worst cases at 31 bits."""
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 256, (60_000, 32), dtype=np.uint8)
    gaps = [0, 1, 15, 16, 17, 31, 32, 40]
    queries = [with_flips(codes[row], list(rng.choice(256, gap, replace=False)))
               for row, gap in enumerate(gaps)]
    queries += [spread16(codes[len(gaps)]), spread23(codes[len(gaps) + 1])]
    return codes, np.stack(queries), gaps + [31, 31]


@pytest.mark.parametrize("multi_index_from", [10**9, 1], ids=["flat", "multi-index"])
def test_exact_at_the_threshold(planted: tuple[np.ndarray, np.ndarray, list[int]],
                                multi_index_from: int) -> None:
    codes, queries, gaps = planted
    index = HashIndex(codes, multi_index_from=multi_index_from)
    assert index.kind == ("flat" if multi_index_from > 1 else "multi-index")
    found = index.search(queries, 31)
    for row, (gap, hits) in enumerate(zip(gaps, found, strict=True)):
        # Within 31 bits (inclusive) the planted code is found at its exact distance;
        # random codes are ~128 bits away, so nothing else comes back.
        assert hits == ([(row, gap)] if gap <= 31 else []), (row, gap)


def test_multi_index_agrees_with_faiss_on_near_duplicates() -> None:
    """Codes in clusters (as real PDQ hashes of one scene are): every pair within 31 bits."""
    rng = np.random.default_rng(3)
    centres = rng.integers(0, 256, (40, 32), dtype=np.uint8)
    codes = np.stack([with_flips(centres[i % 40], list(rng.choice(256, int(rng.integers(0, 24)),
                                                                  replace=False)))
                      for i in range(4000)])
    queries = codes[rng.integers(0, 4000, 50)]
    flat = HashIndex(codes, multi_index_from=10**9).search(queries, 31)
    multi = HashIndex(codes, multi_index_from=1).search(queries, 31)
    assert flat == multi
    assert sum(len(hits) for hits in flat) > 50  # clusters: many matches per query


def test_faiss_pitfalls_this_index_avoids(planted: tuple[np.ndarray, np.ndarray, list[int]]
                                          ) -> None:
    """FAISS's own behaviour, checked: its multi-hash index with nflip = 0 misses a match at
    31 bits; its range search keeps only distances strictly below the radius."""
    codes, queries, gaps = planted
    worst = queries[len(gaps) - 2:len(gaps) - 1]
    plain = faiss.IndexBinaryMultiHash(256, 16, 16)  # nflip = 0
    plain.add(codes)
    _, _, rows = plain.range_search(worst, 32)
    assert len(gaps) - 2 not in rows.tolist()
    plain.nflip = 1
    _, _, rows = plain.range_search(worst, 32)
    assert rows.tolist() == [len(gaps) - 2]
    flat = faiss.IndexBinaryFlat(256)
    flat.add(codes)
    _, distances, rows = flat.range_search(worst, 31)
    assert len(rows) == 0  # 31 bits is not "within 31"
    _, distances, rows = flat.range_search(worst, 32)
    assert distances.tolist() == [31]


@pytest.mark.parametrize("multi_index_from", [10**9, 1])
def test_empty_queries_and_empty_index(multi_index_from: int) -> None:
    empty = HashIndex(np.zeros((0, 32), np.uint8), multi_index_from=10**9)
    assert empty.search(np.zeros((2, 32), np.uint8), 31) == [[], []]
    some = HashIndex(np.ones((5, 32), np.uint8), multi_index_from=multi_index_from)
    assert some.search(np.zeros((0, 32), np.uint8), 31) == []


def test_multi_index_refuses_a_radius_it_cannot_guarantee() -> None:
    index = HashIndex(np.ones((5, 32), np.uint8), multi_index_from=1)
    with pytest.raises(ValueError, match="exact up to 31"):
        index.search(np.ones((1, 32), np.uint8), 40)
