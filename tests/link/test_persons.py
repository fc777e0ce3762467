"""Persons: complete linkage that never chains strangers, checked on real photos."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from notforsale.link.persons import DEFAULT_THRESHOLD, cluster, compare, largest_first
from notforsale.vision.embeddings import Embedding
from tests.identity_photos import (
    SHARED,
    available,
    faces_of,
    labelled_faces,
    pair_scores,
    pairwise_precision_recall,
)


def _points(*offsets: float) -> np.ndarray:
    vectors = np.zeros((len(offsets), 128), np.float32)
    vectors[:, 0] = offsets
    return vectors


CASES = [
    # (offsets along one axis, expected labels, why)
    ([0.0, 0.5, 1.0], [0, 0, 1], "A~B~C, A far from C: the chain does not merge A and C"),
    ([0.0, 0.25, 0.55, 0.9, 1.2], [0, 0, 0, 1, 1], "a longer chain splits where a group would span > 0.6"),
    ([0.0, 0.0, 0.0], [0, 0, 0], "the same face three times is one person"),
    ([0.0, 5.0], [0, 1], "far apart: two persons"),
    ([0.0, 0.6], [0, 0], "exactly at the threshold: one person"),
    ([0.0, 0.61], [0, 1], "just over it: two"),
    ([2.0], [0], "one face is one person"),
]


@pytest.mark.parametrize(("offsets", "expected", "why"), CASES)
def test_clustering_table(offsets: list[float], expected: list[int], why: str) -> None:
    assert cluster(_points(*offsets)).tolist() == expected, why


def test_no_faces() -> None:
    assert cluster(np.zeros((0, 128), np.float32)).tolist() == []


def test_the_index_path_agrees_with_the_exact_one() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 0.056, (300, 128))
    vectors = np.repeat(centres, 6, axis=0) + rng.normal(0, 0.02, (1800, 128))
    exact = cluster(vectors)
    indexed = cluster(vectors, exact_limit=0)
    assert len(set(exact.tolist())) == 300
    assert exact.tolist() == indexed.tolist()


def test_compare_and_largest_first() -> None:
    a, b = _points(0.0, 0.5)
    assert compare(a, b).match and compare(a, b).distance == pytest.approx(0.5)
    assert not compare(a, b, threshold=0.4).match
    assert largest_first(np.array([1, 0, 1, 2, 1])) == [[0, 2, 4], [1], [3]]


needs_photos = pytest.mark.skipif(not available(), reason="../shared/data is not here")


@pytest.fixture(scope="module")
def photos():  # type: ignore[no-untyped-def]
    return labelled_faces()


@needs_photos
def test_same_person_pairs_on_real_photos(photos) -> None:  # type: ignore[no-untyped-def]
    # 19 faces of 7 people in 15 photos: a small set (see README).
    scores = pair_scores(photos, DEFAULT_THRESHOLD)
    assert scores["accuracy"] >= 0.98, scores


@needs_photos
def test_persons_on_real_photos(photos) -> None:  # type: ignore[no-untyped-def]
    labels = cluster(np.stack([f.vector for f in photos]))
    precision, recall = pairwise_precision_recall([f.person for f in photos], labels.tolist())
    assert precision >= 0.98 and recall >= 0.9, (precision, recall)


def _variants(data: bytes) -> list[bytes]:
    image = Image.open(io.BytesIO(data)).convert("RGB")
    out = []
    for variant in (ImageOps.mirror(image), image.resize((image.width * 2 // 3,
                                                           image.height * 2 // 3))):
        for quality in (95, 50):
            buffer = io.BytesIO()
            variant.save(buffer, format="JPEG", quality=quality)
            out.append(buffer.getvalue())
    return out


@needs_photos
def test_flips_and_re_encodings_of_a_photo_are_one_person() -> None:
    vectors, photo_of = [], []
    for name in ["obama_1.jpg", "biden_1.jpg", "rose_leslie_2.jpg", "lin_manuel_miranda_1.png"]:
        data = (SHARED / "persons" / name).read_bytes()
        for variant in [data, *_variants(data)]:
            faces, results = faces_of(variant)
            largest = max(range(len(faces)), key=lambda i: faces[i].box[2] - faces[i].box[0])
            result = results[largest]
            assert isinstance(result, Embedding)
            vectors.append(result.vector)
            photo_of.append(name)
    labels = cluster(np.stack(vectors))
    precision, recall = pairwise_precision_recall(photo_of, labels.tolist())
    assert (precision, recall) == (1.0, 1.0), labels


@needs_photos
def test_the_demo_astronaut_is_one_person() -> None:
    data = (SHARED / "faces" / "astronaut.png").read_bytes()
    vectors = []
    for variant in [data, *_variants(data)]:
        faces, results = faces_of(variant)
        assert len(faces) == 1 and isinstance(results[0], Embedding)
        vectors.append(results[0].vector)
    assert set(cluster(np.stack(vectors)).tolist()) == {0}
