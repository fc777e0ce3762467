"""The labelled identity photos: real photographs of real, different people, several each.

``../shared/data/persons/`` (one face per photo, named ``<person>_<n>``) and the group
photos of ``../shared/data/faces/`` that show the same people again (labelled here by
position, judged by eye). Different photos of a person are different occasions, never
crops or flips of one photo. Used by the tests and by bench/persons.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from notforsale.read.images import decode
from notforsale.vision.embeddings import Embedding, decode_side, embed_faces
from notforsale.vision.faces import DEFAULT_MAX_SIDE, Face, shared_detector

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")

#: Group photos: the person of each face, by the face's left edge (original pixels).
GROUPS: dict[str, list[tuple[int, str]]] = {
    "two_people.jpg": [(237, "obama"), (792, "biden")],
    "two_people_b.jpg": [(261, "kit_harington"), (82, "rose_leslie")],
    "three_people.jpg": [(758, "biden"), (1142, "obama"), (1629, "girl_of_three_people")],
}


@dataclass(frozen=True)
class LabelledFace:
    person: str
    photo: str
    face: Face
    vector: np.ndarray


def available() -> bool:
    return (SHARED / "persons").is_dir() and (SHARED / "faces").is_dir()


def faces_of(data: bytes) -> tuple[list[Face], list[Embedding | object]]:
    """Faces found at the scan's 640 pixels, embedded on a view sized for them."""
    small = decode(data, DEFAULT_MAX_SIDE)
    faces = shared_detector().detect(small.rgb, small.scale)
    view = decode(data, decode_side(small.size, faces))
    return faces, list(embed_faces(view.rgb, view.scale, faces))


def labelled_faces() -> list[LabelledFace]:
    out: list[LabelledFace] = []
    for path in sorted((SHARED / "persons").iterdir()):
        if path.suffix not in (".jpg", ".png"):
            continue
        faces, results = faces_of(path.read_bytes())
        largest = max(range(len(faces)), key=lambda i: faces[i].box[2] - faces[i].box[0])
        result = results[largest]
        assert isinstance(result, Embedding), (path.name, result)
        out.append(LabelledFace(path.stem.rsplit("_", 1)[0], path.name, faces[largest],
                                result.vector))
    for name, people in GROUPS.items():
        faces, results = faces_of((SHARED / "faces" / name).read_bytes())
        for left, person in people:
            index = min(range(len(faces)), key=lambda i: abs(faces[i].box[0] - left))
            result = results[index]
            assert isinstance(result, Embedding), (name, person, result)
            out.append(LabelledFace(person, name, faces[index], result.vector))
    return out


def pair_scores(faces: list[LabelledFace], threshold: float) -> dict[str, float]:
    """Same-person decisions over every pair of faces from different photos."""
    same = different = right_same = right_different = 0
    for i, a in enumerate(faces):
        for b in faces[i + 1:]:
            if a.photo == b.photo:
                continue
            close = float(np.linalg.norm(a.vector - b.vector)) <= threshold
            if a.person == b.person:
                same += 1
                right_same += close
            else:
                different += 1
                right_different += not close
    return {"pairs": same + different, "same_pairs": same,
            "accuracy": (right_same + right_different) / (same + different),
            "same_accepted": right_same / same, "different_rejected": right_different / different}


def pairwise_precision_recall(truth: list[str], labels: list[int]) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering against the true persons."""
    tp = fp = fn = 0
    for i in range(len(truth)):
        for j in range(i + 1, len(truth)):
            together, same = labels[i] == labels[j], truth[i] == truth[j]
            tp += together and same
            fp += together and not same
            fn += same and not together
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall
