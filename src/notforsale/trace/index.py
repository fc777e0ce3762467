"""An index of 256-bit hashes: FAISS binary indexes, exact re-ranking by Hamming distance.

Small sets use ``IndexBinaryFlat`` (every stored hash compared, exact). From
``MULTIHASH_FROM`` hashes on, ``IndexBinaryMultiHash`` with 16 tables of 16 bits
and ``nflip = 1``: two hashes within 31 bits differ by at most one bit in at
least one of the 16 substrings (pigeonhole), and probing every substring
within one flip finds them — with ``nflip = 0`` it silently misses matches
at distance 16 to 31. FAISS's ``range_search`` keeps distances *strictly
below* its radius, so it is asked for ``threshold + 1``; every candidate's
distance is then computed again here from the stored codes and checked
against the threshold (exact re-ranking, independent of the index type).

>>> import numpy as np
>>> codes = np.zeros((3, 32), np.uint8); codes[1, 0] = 0xff; codes[2, :] = 0xff
>>> HashIndex(codes).search(codes[:1], 8)
[[(0, 0), (1, 8)]]
"""

from __future__ import annotations

import faiss
import numpy as np

from .signals import HASH_BYTES

#: From this many stored hashes on, the multi-hash index replaces the flat one.
MULTIHASH_FROM = 50_000
_TABLES, _BITS = 16, 16

_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], np.uint8)


def hamming(query: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Hamming distances of one 32-byte code to each row of ``codes``."""
    return _POPCOUNT[np.bitwise_xor(codes, query)].sum(axis=1, dtype=np.int32)


class HashIndex:
    """Stored hashes (an N×32 uint8 array, row = id), searched by Hamming radius."""

    def __init__(self, codes: np.ndarray, multihash_from: int = MULTIHASH_FROM) -> None:
        codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, HASH_BYTES)
        self.codes = codes
        self.kind = "multihash" if len(codes) >= multihash_from else "flat"
        index: faiss.IndexBinary
        if self.kind == "multihash":
            index = faiss.IndexBinaryMultiHash(HASH_BYTES * 8, _TABLES, _BITS)
            index.nflip = 1
        else:
            index = faiss.IndexBinaryFlat(HASH_BYTES * 8)
        if len(codes):
            index.add(codes)
        self._index = index

    def __len__(self) -> int:
        return len(self.codes)

    def search(self, queries: np.ndarray, threshold: int) -> list[list[tuple[int, int]]]:
        """For each query, the (row, distance) of every stored hash within ``threshold``
        bits (inclusive), nearest first."""
        queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, HASH_BYTES)
        if not len(self.codes) or not len(queries):
            return [[] for _ in range(len(queries))]
        limits, _, rows = self._index.range_search(queries, threshold + 1)
        out: list[list[tuple[int, int]]] = []
        for number, query in enumerate(queries):
            found = rows[limits[number]:limits[number + 1]]
            if not len(found):
                out.append([])
                continue
            exact = hamming(query, self.codes[found])
            keep = exact <= threshold
            pairs = sorted(zip(exact[keep].tolist(), found[keep].tolist(), strict=True))
            out.append([(int(row), int(gap)) for gap, row in pairs])
        return out
