"""Multi-scale face detection: recall on hard faces, false positives on objects, cost per image.

    .venv/bin/python bench/multiscale.py

Cases, all from the shared real photos (truth: the by-eye face boxes of bench/photos.py):
- the photos as they are (the cat and the coffee cup must stay at zero faces);
- tiny background faces: the crowd photo (city.jpg, 800 px) pasted at its own size into a
  3200-pixel scene (the coffee photo, enlarged), so its faces are 13-40 px in a large photo;
- faces cut by the frame: each group photo cropped through the middle of its leftmost face;
- very large faces: each portrait of persons/ cropped to the face and enlarged so the face is
  1,350 px wide, then cut to 80 % of its height (the face fills more than the frame).
A truth face counts as found when a detected box covers half of it. Compared: the scan's single
640-pixel look (``FaceDetector.detect``) and ``detect_faces`` (the extra looks where they pay).
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from photos import FACE_BOXES, SHARED_FACES, load_average  # noqa: E402

from notforsale.read.images import decode  # noqa: E402
from notforsale.vision.faces import DEFAULT_MAX_SIDE, shared_detector  # noqa: E402
from notforsale.vision.multiscale import _overlap, detect_faces  # noqa: E402

Box = tuple[int, int, int, int]


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def cases() -> list[tuple[str, str, bytes, list[Box]]]:
    out = []
    for name, boxes in FACE_BOXES.items():
        out.append(("as is", name, (SHARED_FACES / name).read_bytes(), boxes))
    scene = Image.open(SHARED_FACES / "no_face_coffee.png").convert("RGB").resize((3200, 2256))
    crowd = Image.open(SHARED_FACES / "city.jpg").convert("RGB")
    scene.paste(crowd, (1700, 1400))
    out.append(("tiny background faces", "city.jpg in a 3200-px scene", png(scene),
                [(x0 + 1700, y0 + 1400, x1 + 1700, y1 + 1400)
                 for x0, y0, x1, y1 in FACE_BOXES["city.jpg"]]))
    for name in ["two_people.jpg", "two_people_b.jpg", "three_people.jpg"]:
        image = Image.open(SHARED_FACES / name).convert("RGB")
        left = min(FACE_BOXES[name], key=lambda b: b[0])
        cut = (left[0] + left[2]) // 2
        boxes = [(max(0, b[0] - cut), b[1], b[2] - cut, b[3]) for b in FACE_BOXES[name]
                 if b[2] > cut]
        out.append(("cut by the frame", name, png(image.crop((cut, 0, *image.size))), boxes))
    persons = SHARED_FACES.parent / "persons"
    for path in sorted(persons.glob("*_1.*")):
        rgb = decode(path.read_bytes(), 100_000).rgb
        face = max(shared_detector().detect(rgb, 1.0), key=lambda f: f.box[2] - f.box[0])
        x0, y0, x1, y1 = face.box
        factor = 1350 / (x1 - x0)
        crop = Image.fromarray(rgb).crop((x0, y0, x1, y1))
        big = crop.resize((1350, round((y1 - y0) * factor)))
        keep = round(big.height * 0.8)
        big = big.crop((0, (big.height - keep) // 2, big.width, (big.height + keep) // 2))
        out.append(("very large faces", path.name, png(big), [(0, 0, big.width, big.height)]))
    return out


def found(truth: list[Box], boxes: list[Box]) -> tuple[int, int]:
    """(truth faces found, detections matching no truth face)."""
    hits = sum(any(_covers(b, t) for b in boxes) for t in truth)
    false = sum(not any(_covers(b, t) or _overlap(b, t) > 0.5 for t in truth) for b in boxes)
    return hits, false


def _covers(box: Box, truth: Box) -> bool:
    width = min(box[2], truth[2]) - max(box[0], truth[0])
    height = min(box[3], truth[3]) - max(box[1], truth[1])
    area = (truth[2] - truth[0]) * (truth[3] - truth[1])
    return width > 0 and height > 0 and width * height >= 0.5 * area


def main() -> None:
    print(f"load {load_average()}, {time.strftime('%Y-%m-%d %H:%M')}")
    totals: dict[str, list[float]] = {}
    for group, name, data, truth in cases():
        start = time.perf_counter()
        small = decode(data, DEFAULT_MAX_SIDE)
        single = [f.box for f in shared_detector().detect(small.rgb, small.scale)]
        single_time = time.perf_counter() - start
        start = time.perf_counter()
        detection = detect_faces(data)
        multi_time = time.perf_counter() - start
        one, multi = found(truth, single), found(truth, [f.box for f in detection.faces])
        row = totals.setdefault(group, [0, 0, 0, 0, 0, 0.0, 0.0, 0])
        row[0] += len(truth)
        row[1] += one[0]
        row[2] += multi[0]
        row[3] += one[1]
        row[4] += multi[1]
        row[5] += single_time
        row[6] += multi_time
        row[7] += 1
        print(f"{group:22} {name:32} truth {len(truth):2}  640: {one[0]:2} found {one[1]} false"
              f"  multi: {multi[0]:2} found {multi[1]} false  ({', '.join(detection.looks)}; "
              f"{single_time * 1000:.0f} vs {multi_time * 1000:.0f} ms)")
    print()
    for group, (truth, one, multi, false_one, false_multi, t1, t2, n) in totals.items():
        print(f"{group:22} recall 640 {one / max(truth, 1):.2f} -> multi "
              f"{multi / max(truth, 1):.2f} ({multi:.0f}/{truth:.0f}); false {false_one:.0f} -> "
              f"{false_multi:.0f}; {t1 / n * 1000:.0f} -> {t2 / n * 1000:.0f} ms per image")


if __name__ == "__main__":
    main()
