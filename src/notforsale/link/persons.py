"""Persons: a pack's faces clustered by their embeddings.

Two faces are the same person when their descriptors lie within
:data:`DEFAULT_THRESHOLD` (Euclidean). Faces are grouped by **complete
linkage**: two groups merge only when *every* face of one is within the
threshold of every face of the other, so a chain A~B~C never joins A and C
when A and C are far apart (single linkage, a union of close pairs, would).
Candidate pairs come from an exact search for small packs and from a FAISS HNSW
index for large ones; each merge is then checked exactly on the vectors, so the
index only decides which pairs are looked at, never whether they match.

>>> import numpy as np
>>> a, b, c = np.zeros(128), np.zeros(128), np.zeros(128)
>>> b[0], c[0] = 0.5, 1.0   # A~B 0.5, B~C 0.5, A~C 1.0
>>> cluster(np.stack([a, b, c])).tolist()
[0, 0, 1]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: dlib's published decision threshold for this network (chosen by dlib on LFW, not on
#: our photos). On the project's test photos (bench/persons.py) same-person pairs came
#: within 0.54 and different people no closer than 0.64.
DEFAULT_THRESHOLD = 0.6
#: Packs with at most this many faces get an exact pair search; larger ones an index.
EXACT_LIMIT = 20_000
#: Neighbours asked of the index per face in large packs. Merges are checked exactly on
#: the vectors, so a person's faces only need to be linked by some path of found pairs:
#: on synthetic persons of 8 faces the index finds 5.9 of each face's 7 (bench/persons.py).
NEIGHBOURS = 16
_BLOCK = 512  # rows of distances at a time: 512 × 100,000 floats = 200 MB
_PASSES = 6


@dataclass(frozen=True, slots=True)
class Match:
    """A comparison: whether two faces are one person, and their distance."""

    match: bool
    distance: float


def compare(a: np.ndarray, b: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> Match:
    """Whether two descriptors are the same person."""
    distance = float(np.linalg.norm(np.asarray(a, np.float32) - np.asarray(b, np.float32)))
    return Match(distance <= threshold, distance)


def _exact_pairs(vectors: np.ndarray, threshold: float,
                 rows_of: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Every pair within ``threshold`` (of the faces ``rows_of``, default all)."""
    norms = (vectors ** 2).sum(1)
    queries = np.arange(len(vectors)) if rows_of is None else rows_of
    firsts, seconds, distances = [], [], []
    for start in range(0, len(queries), _BLOCK):
        chosen = queries[start:start + _BLOCK]
        squared = norms[chosen, None] + norms[None, :] - 2 * vectors[chosen] @ vectors.T
        local, cols = np.nonzero(squared <= threshold ** 2)
        rows = chosen[local]
        keep = cols != rows if rows_of is not None else cols > rows
        firsts.append(np.minimum(rows[keep], cols[keep]))
        seconds.append(np.maximum(rows[keep], cols[keep]))
        distances.append(np.sqrt(np.maximum(squared[local[keep], cols[keep]], 0)))
    return np.concatenate(firsts), np.concatenate(seconds), np.concatenate(distances)


def _index_pairs(vectors: np.ndarray, threshold: float) -> tuple[np.ndarray, ...]:
    import faiss

    index = faiss.IndexHNSWFlat(vectors.shape[1], 16)
    index.hnsw.efConstruction = 40
    index.add(vectors)
    index.hnsw.efSearch = 32
    squared, neighbours = index.search(vectors, min(NEIGHBOURS + 1, len(vectors)))
    rows = np.repeat(np.arange(len(vectors)), neighbours.shape[1])
    cols, squared = neighbours.reshape(-1), squared.reshape(-1)
    keep = (cols > rows) & (squared <= threshold ** 2)
    found = np.stack([rows[keep], cols[keep]], 1)
    # A face the index found no partner for is searched exactly (HNSW misses some).
    alone = np.nonzero(np.bincount(found.reshape(-1), minlength=len(vectors)) == 0)[0]
    if alone.size:
        extra_first, extra_second, _ = _exact_pairs(vectors, threshold, alone)
        found = np.concatenate([found, np.stack([extra_first, extra_second], 1)])
    # a pair found from both ends appears twice: keep one
    pairs = np.unique(found, axis=0)
    first, second = pairs[:, 0], pairs[:, 1]
    distances = np.linalg.norm(vectors[first] - vectors[second], axis=1)
    return first, second, distances


def cluster(vectors: np.ndarray, threshold: float = DEFAULT_THRESHOLD,
            exact_limit: int = EXACT_LIMIT) -> np.ndarray:
    """A person label (0, 1, …, numbered by first face) for each row of ``vectors``.

    Every face gets a label; a person seen once is a label of its own.
    """
    data = np.ascontiguousarray(vectors, np.float32)
    count = len(data)
    if count == 0:
        return np.zeros(0, np.int64)
    if data.ndim != 2:
        raise ValueError("vectors must be a 2-d array, one row per face")
    finder = _exact_pairs if count <= exact_limit else _index_pairs
    first, second, distances = finder(data, threshold)
    order = np.argsort(distances, kind="stable")
    parent = list(range(count))
    members: dict[int, list[int]] = {i: [i] for i in range(count)}
    refused: dict[int, set[int]] = {}  # group -> groups it can never merge with

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    limit = threshold ** 2
    pairs = list(zip(first[order].tolist(), second[order].tolist(), strict=True))
    # With every close pair known one pass in distance order is complete linkage. An index
    # finds only some pairs, and a pair whose faces were not yet in their final groups
    # when it came up can still join those groups: go over the pairs again until no
    # group changes.
    for _ in range(_PASSES if finder is _index_pairs else 1):
        merged = 0
        for a, b in pairs:
            ra, rb = root(a), root(b)
            if ra == rb or rb in refused.get(ra, ()):
                continue
            left, right = members[ra], members[rb]
            if len(left) * len(right) > 1:
                diff = data[left][:, None, :] - data[right][None, :, :]
                if float(np.einsum("ijk,ijk->ij", diff, diff).max()) > limit:
                    # Complete linkage: once refused, no superset of either can merge.
                    refused.setdefault(ra, set()).add(rb)
                    refused.setdefault(rb, set()).add(ra)
                    continue
            big, small = (ra, rb) if len(left) >= len(right) else (rb, ra)
            parent[small] = big
            members[big].extend(members.pop(small))
            merged += 1
            # refusals of the absorbed group now hold for the merged one
            for third in refused.pop(small, set()):
                refused[third].discard(small)
                refused[third].add(big)
                refused.setdefault(big, set()).add(third)
        if not merged:
            break
    labels = np.empty(count, np.int64)
    numbering: dict[int, int] = {}
    for i in range(count):
        labels[i] = numbering.setdefault(root(i), len(numbering))
    return labels


def largest_first(labels: np.ndarray) -> list[list[int]]:
    """Face indices per person, the person with most faces first (ties by first face)."""
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(index)
    return sorted(groups.values(), key=lambda group: (-len(group), group[0]))
