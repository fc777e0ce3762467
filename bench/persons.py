"""Persons: embedding speed on one core against dlib's own descriptor, clustering and gallery
search at scale, memory, and identity accuracy on the shared real photos.

    .venv/bin/python bench/persons.py [--quick]

- embeddings: the same aligned 150-pixel chips through notforsale's ONNX graph (onnxruntime,
  one thread) and dlib's ``compute_face_descriptor`` (dlib-bin, the peer), ms per face and the
  ratio; and the whole per-face step of ``embed_faces`` (alignment, checks, network).
- clustering: synthetic descriptors (persons of 8 faces each, spread like dlib's: faces of one
  person ~0.35 apart, persons ~0.9 apart) at 10,000 and 100,000 faces.
- gallery: 100,000 enrolled synthetic faces, one query at a time, p50/p99.
- accuracy: the labelled real photos of tests/identity_photos.py at the shipped threshold.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from notforsale.link.gallery import Gallery  # noqa: E402
from notforsale.link.persons import DEFAULT_THRESHOLD, cluster  # noqa: E402
from notforsale.read.images import decode  # noqa: E402
from notforsale.vision.dlib_model import RESNET_FILE, models_dir  # noqa: E402
from notforsale.vision.embeddings import embed_faces  # noqa: E402
from notforsale.vision.face_net import FaceNet  # noqa: E402
from notforsale.vision.faces import shared_detector  # noqa: E402
from tests.identity_photos import (  # noqa: E402
    SHARED,
    labelled_faces,
    pair_scores,
    pairwise_precision_recall,
)


def synthetic(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    persons = count // 8
    centres = rng.normal(0, 0.056, (persons, 128)).astype(np.float32)
    faces = np.repeat(centres, 8, axis=0) + rng.normal(0, 0.022, (persons * 8, 128))
    return faces.astype(np.float32)


def bench_embeddings(rounds: int) -> None:
    data = (SHARED / "faces" / "three_people.jpg").read_bytes()
    rgb = decode(data, 100_000).rgb
    faces = shared_detector().detect(rgb, 1.0)
    net = FaceNet(threads=1)
    import notforsale.vision.embeddings as embeddings

    embeddings.shared_face_net = lambda: net  # one thread
    embed_faces(rgb, 1.0, faces)
    start = time.process_time()
    for _ in range(rounds):
        results = embed_faces(rgb, 1.0, faces)
    per_face_step = (time.process_time() - start) / (rounds * len(faces)) * 1000
    chips = np.repeat(np.stack([np.full((150, 150, 3), 0, np.uint8)]), 0, axis=0)
    from notforsale.vision.align import chip_transform, extract_chip

    chips = np.stack([extract_chip(rgb, chip_transform(np.asarray(f.landmarks) * 1.0))
                      for f in faces] * 8)
    net.descriptors(chips[:4])
    start = time.process_time()
    for _ in range(rounds):
        net.descriptors(chips)
    ours = (time.process_time() - start) / (rounds * len(chips)) * 1000
    try:
        import dlib
    except ImportError:
        print(f"embeddings: {ours:.2f} ms/face (network), {per_face_step:.2f} ms/face "
              f"(whole step); dlib not installed, no ratio")
        return
    reference = dlib.face_recognition_model_v1(str(models_dir() / RESNET_FILE))
    sample = chips[:6]
    start = time.process_time()
    for chip in sample:
        reference.compute_face_descriptor(chip)
    theirs = (time.process_time() - start) / len(sample) * 1000
    print(f"embeddings, one core: notforsale {ours:.2f} ms/face ({1000 / ours:.0f}/s), "
          f"dlib {theirs:.1f} ms/face ({1000 / theirs:.1f}/s): {theirs / ours:.1f}x; "
          f"whole embed_faces step {per_face_step:.2f} ms/face "
          f"({len(results)} faces of three_people.jpg, CPU time)")


def bench_clustering(sizes: list[int]) -> None:
    for size in sizes:
        vectors = synthetic(size)
        start = time.perf_counter()
        labels = cluster(vectors)
        took = time.perf_counter() - start
        truth = np.repeat(np.arange(size // 8), 8)
        sample = np.random.default_rng(1).choice(size, min(size, 3000), replace=False)
        precision, recall = pairwise_precision_recall(truth[sample].tolist(),
                                                      labels[sample].tolist())
        print(f"clustering {size:,} faces: {took:.1f} s wall, {len(set(labels.tolist())):,} "
              f"persons (true {size // 8:,}; sampled pairwise P {precision:.3f} R {recall:.3f})")


def bench_gallery(size: int, queries: int) -> None:
    vectors = synthetic(size)
    gallery = Gallery([f"u{i // 8}" for i in range(size)], [""] * size, vectors)
    probes = vectors[:queries] + np.random.default_rng(2).normal(0, 0.01, (queries, 128))
    times = []
    for probe in probes.astype(np.float32):
        start = time.perf_counter()
        gallery.search(probe[None])
        times.append((time.perf_counter() - start) * 1000)
    print(f"gallery of {size:,} faces: query p50 {np.percentile(times, 50):.1f} ms, "
          f"p99 {np.percentile(times, 99):.1f} ms ({queries} queries, one at a time)")


def bench_accuracy() -> None:
    faces = labelled_faces()
    scores = pair_scores(faces, DEFAULT_THRESHOLD)
    labels = cluster(np.stack([f.vector for f in faces]))
    precision, recall = pairwise_precision_recall([f.person for f in faces], labels.tolist())
    print(f"real photos: {len(faces)} faces, {len({f.person for f in faces})} persons, "
          f"{len({f.photo for f in faces})} photos; threshold {DEFAULT_THRESHOLD}: pair accuracy "
          f"{scores['accuracy']:.3f} over {scores['pairs']} pairs ({scores['same_pairs']} same); "
          f"clustering pairwise P {precision:.3f} R {recall:.3f}")


def main() -> None:
    quick = "--quick" in sys.argv
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    print(f"commit {commit}, load {Path('/proc/loadavg').read_text().split()[:3]}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    bench_accuracy()
    bench_embeddings(3 if quick else 10)
    bench_clustering([10_000] if quick else [10_000, 100_000])
    bench_gallery(100_000, 50 if quick else 300)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS) {peak:.0f} MiB")


if __name__ == "__main__":
    main()
