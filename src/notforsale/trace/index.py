"""An index of 256-bit hashes, exact within a Hamming radius of 31 bits, at platform scale.

Up to ``MULTI_INDEX_FROM`` stored hashes: FAISS's ``IndexBinaryFlat`` (every stored hash
compared; exact). FAISS's ``range_search`` keeps distances *strictly below* its radius,
so it is asked for ``threshold + 1``.

From there on a **multi-index** (Norouzi, Punjani & Fleet's multi-index hashing) held in
sorted numpy arrays: the first 253 bits are cut into 11 substrings of 23 bits, and each
substring keys a table (the stored rows sorted by it, and where each key starts). Two
hashes within 31 bits differ by at most 2 bits in at least one substring (11 × 3 > 31),
so probing, in every table, each key within 2 flips of the query's (277 keys a table)
finds every stored hash within 31 bits — no match is missed. FAISS's own
``IndexBinaryMultiHash`` does the same with hash maps, but with 16 tables of 16 bits and
``nflip = 1`` (exact, while ``nflip = 0`` silently misses matches from 16 bits on) it
measured 8–32 ms a query and 2.7–2.9 GB at 10 M hashes here, over the 5 ms and 2 GB
targets; the arrays take 1.1 GB at 10 M (see bench/README.md).

Either way every candidate's distance is computed again from the stored codes and checked
against the threshold (exact re-ranking), so results never depend on the index type.

>>> import numpy as np
>>> codes = np.zeros((3, 32), np.uint8); codes[1, 0] = 0xff; codes[2, :] = 0xff
>>> HashIndex(codes).search(codes[:1], 8)
[[(0, 0), (1, 8)]]
>>> HashIndex(codes, multi_index_from=1).search(codes[:1], 8)
[[(0, 0), (1, 8)]]
"""

from __future__ import annotations

from itertools import combinations

import faiss
import numpy as np

from .signals import HASH_BYTES, PDQ_THRESHOLD

#: From this many stored hashes on, the multi-index replaces FAISS's flat index.
MULTI_INDEX_FROM = 200_000
TABLES, BITS, FLIPS = 11, 23, 2
_KEYS = 1 << BITS

_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], np.uint8)


def _flip_masks() -> np.ndarray:
    masks = [0]
    for flips in range(1, FLIPS + 1):
        masks.extend(sum(1 << bit for bit in chosen)
                     for chosen in combinations(range(BITS), flips))
    return np.asarray(masks, np.int64)


_MASKS = _flip_masks()


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances of the rows of two (N, 32) uint8 arrays (or one row against many)."""
    a, b = np.broadcast_arrays(np.ascontiguousarray(a).reshape(-1, HASH_BYTES),
                               np.ascontiguousarray(b).reshape(-1, HASH_BYTES))
    words = np.bitwise_xor(np.ascontiguousarray(a).view(np.uint64),
                           np.ascontiguousarray(b).view(np.uint64))
    if hasattr(np, "bitwise_count"):  # numpy >= 2: a popcount instruction
        return np.bitwise_count(words).sum(axis=1, dtype=np.int32)
    return _POPCOUNT[words.view(np.uint8)].sum(axis=1, dtype=np.int32)  # pragma: no cover


def _words(codes: np.ndarray) -> np.ndarray:
    """Each code as 4 native 64-bit words, its first bit the top bit of the first word."""
    return codes.reshape(-1, HASH_BYTES).view(">u8").astype(np.uint64)


def substring(words: np.ndarray, table: int) -> np.ndarray:
    """The 23-bit key of one table for each code (an int64 array)."""
    word, offset = divmod(table * BITS, 64)
    end = offset + BITS
    if end <= 64:
        part = words[:, word] >> np.uint64(64 - end)
    else:
        part = (words[:, word] << np.uint64(end - 64)) | \
            (words[:, word + 1] >> np.uint64(128 - end))
    return (part & np.uint64(_KEYS - 1)).astype(np.int64)


class _MultiIndex:
    """The 11 sorted tables; rows are the stored codes' numbers."""

    def __init__(self, codes: np.ndarray) -> None:
        words = _words(codes)
        self.rows = np.empty((TABLES, len(codes)), np.int32)
        self.starts = np.zeros((TABLES, _KEYS + 1), np.int32)
        for table in range(TABLES):
            keys = substring(words, table)
            self.rows[table] = np.argsort(keys, kind="stable")
            np.cumsum(np.bincount(keys, minlength=_KEYS), out=self.starts[table, 1:])

    def candidates(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(query number, stored row) pairs, each once, that may lie within 31 bits."""
        words = _words(queries)
        keys = np.stack([substring(words, table) for table in range(TABLES)], axis=1)
        probes = keys[:, :, None] ^ _MASKS[None, None, :]  # (queries, tables, 277 keys)
        tables = np.broadcast_to(np.arange(TABLES)[None, :, None], probes.shape)
        begin = self.starts[tables, probes].ravel()
        count = self.starts[tables, probes + 1].ravel() - begin
        total = int(count.sum())
        if not total:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        # Positions begin[i], begin[i] + 1, ... for every probe, in one vectorized step.
        first = np.repeat(np.cumsum(count) - count, count)
        positions = np.repeat(begin, count) + (np.arange(total) - first)
        table_of = np.repeat(tables.ravel(), count)
        rows = self.rows[table_of, positions].astype(np.int64)
        query_of = np.repeat(np.repeat(np.arange(len(queries)), TABLES * len(_MASKS)), count)
        pairs = np.unique(query_of * np.int64(self.rows.shape[1]) + rows)
        return pairs // self.rows.shape[1], pairs % self.rows.shape[1]


class HashIndex:
    """Stored hashes (an N×32 uint8 array, row = id), searched by Hamming radius."""

    def __init__(self, codes: np.ndarray, multi_index_from: int = MULTI_INDEX_FROM) -> None:
        codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, HASH_BYTES)
        self.codes = codes
        self.kind = "multi-index" if len(codes) >= multi_index_from else "flat"
        self._flat: faiss.IndexBinaryFlat | None = None
        self._multi: _MultiIndex | None = None
        if self.kind == "multi-index":
            self._multi = _MultiIndex(codes)
        else:
            self._flat = faiss.IndexBinaryFlat(HASH_BYTES * 8)
            if len(codes):
                self._flat.add(codes)

    def __len__(self) -> int:
        return len(self.codes)

    def search(self, queries: np.ndarray,
               threshold: int = PDQ_THRESHOLD) -> list[list[tuple[int, int]]]:
        """For each query, the (row, distance) of every stored hash within ``threshold``
        bits (inclusive), nearest first."""
        if threshold > PDQ_THRESHOLD and self._multi is not None:
            raise ValueError(f"the multi-index is exact up to {PDQ_THRESHOLD} bits")
        queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, HASH_BYTES)
        out: list[list[tuple[int, int]]] = [[] for _ in range(len(queries))]
        if not len(self.codes) or not len(queries):
            return out
        if self._flat is not None:
            limits, _, found = self._flat.range_search(queries, threshold + 1)
            query_of = np.repeat(np.arange(len(queries)), np.diff(limits).astype(np.int64))
            rows = found.astype(np.int64)
        else:
            assert self._multi is not None
            query_of, rows = self._multi.candidates(queries)
        exact = hamming(self.codes[rows], queries[query_of])
        keep = exact <= threshold
        for number, gap, row in sorted(zip(query_of[keep].tolist(), exact[keep].tolist(),
                                           rows[keep].tolist(), strict=True)):
            out[number].append((row, gap))
        return out
