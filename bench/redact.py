"""Image redaction: ``notforsale redact`` against deface on the same folder of photos.

Claim (issue 16): notforsale's default ``redact`` (verification on) at least 2x
deface's images/s, on the real photos as they are and on the derived ones, with no more
faces left over than deface leaves, faces left over being counted by an independent detector (not CenterFace,
which both tools use).

Run from the repository root::

    .venv/bin/python bench/redact.py                    # 300 photos, 3 rounds, ~10-15 minutes
    .venv/bin/python bench/redact.py --photos 60 --json > result.json
    .venv/bin/python bench/redact.py --skip-deface --photos 100

What it does
------------
1. Derives a deterministic folder of ``--photos`` JPEGs (seeded) from the
   read-only photos in ``shared/data/faces``: a crop that keeps every face of
   the source in frame, a mirror flip half of the time, a resize to 300-1600 px
   on the longer side and JPEG quality 40-95. The sources are drawn as:
   astronaut (1 face) 20 %, two_people 20 %, two_people_b 20 %, three_people
   15 %, city (the crowd, 17 faces, several small or partly hidden) 15 %,
   the cat and the coffee cup (no face) 5 % each. The faces each photo holds
   by construction are written to ``photos.truth.json`` *beside* the folder.
   ``--set real`` (or ``both``, the default) also runs everything below on the
   real photos as they are: ``shared/data/faces`` and ``shared/data/persons``
   (19 photos, 394-2204 px; the portraits of ``persons`` have no face boxes, so
   their faces do not count as *real* below).
2. ``notforsale redact PHOTOS OUT --format json`` with its defaults
   (``--faces blur --ocr auto``, verification on) as a child process; the wall
   time of that process, interpreter start and model load included, gives
   images/s; its exit code and report say what its own re-scan found left.
3. ``notforsale redact PHOTOS OUT --no-verify`` once more, for reference: the
   difference is about what the verify pass costs (not in the ratio).
4. deface's CLI in its own venv (``--deface-venv``): ``deface DIR --ep
   CPUExecutionProvider`` with its defaults (blur, threshold 0.2, ellipse masks
   scaled 1.3, inference at full resolution), where DIR holds hard links to the
   photos (a copy when links fail; not timed). deface writes
   ``NAME_anonymized.jpg`` next to each input; those are moved to their own
   folder afterwards. Wall time of the process, start-up included, as for
   notforsale. Each tool is warmed up first on a 3-photo folder (not timed) so
   both start with the same files in the page cache. Steps 2 and 4 take turns
   ``--rounds`` times (3); each tool's median time makes the ratio.
5. The independent detector (below) on the originals, notforsale's output and
   deface's output, in a child process of its own venv.

The independent detector
------------------------
MediaPipe's BlazeFace full-range model (``mediapipe==0.10.14``, whose wheel
ships the ``.tflite`` files of ``mp.solutions.face_detection``; mediapipe 1.x
dropped ``solutions`` and ships no model, and no PyPI wheel ships OpenCV's YuNet
ONNX file). It runs through MediaPipe's own graph with the score floor that
graph has built in (0.6) lowered to 0.25. BlazeFace looks at the picture at
192x192, so on its own it misses small faces; it is therefore run on the whole
picture and on overlapping square tiles of 1/2, 1/3 (from 600 px) and 1/4
(from 1000 px) of the longer side, overlapping by a quarter, and the boxes are
merged by non-maximum suppression. Two settings: ``normal`` (score >= 0.5,
MediaPipe's default) and ``strict`` (score >= 0.3: more faces, more false ones).

OpenCV's Haar cascade (``haarcascade_frontalface_default.xml``, in the same
venv's OpenCV wheel) is run too, as a second opinion of a different kind
(Viola-Jones, no neural network), on the picture scaled to at most 800 px,
scale step 1.15, smallest face 20 px: ``normal`` keeps clusters of more than 5
neighbouring hits, ``strict`` more than 2. It sees only about half the faces.

Counting what is left
---------------------
Detectors fire on blurred heads too (a skin-coloured oval where a face was is
still face-like: BlazeFace finds about a third of the blurred faces again at
``strict``, and notforsale's own ``--verify`` re-finds some of its own blurred
crowd faces), so "the detector still fires" is not "the face is still there".
For every box the detector finds on an original, the worker therefore also
measures how much of the original's fine detail the output keeps inside it
(projection of the output's Laplacian on the original's, middle 80 % of the
box): about 1 when untouched, about 0 when blurred; an ellipse edge or a fill
adds detail of its own, which does not count. A box found on the original is
*left over* on an output when the detector finds it there again (IoU >= 0.3,
or each box's centre inside the other, as a square box around a small face
goes) **and** the output keeps >= 50 % of its detail. A box is *real* when it
matches a face the photo holds by construction; the other boxes are mostly
hands, fabric and logos, which neither tool blurs, so they are "left" by both.
Their count also moves with each tool's JPEG quality (notforsale writes
quality 92, deface imageio's default), which nudges borderline scores across
the threshold, so it is reported but is not the measure.

The claim is judged on *real* faces left over with BlazeFace, at both settings.
A detector-free pixel check is printed too: the faces of the truth whose box
keeps >= 50 % of its detail on each output (it catches faces too small for
the detector, down to 6 px).

The detector venv (``--detector-venv``) is made on first use with::

    python3 -m venv VENV && VENV/bin/pip install mediapipe==0.10.14

and deface's (``--deface-venv``), if missing, with::

    python3 -m venv VENV && VENV/bin/pip install deface==1.5.0 onnxruntime

Neither must go into git. This script needs only the standard library and
the project's venv (Pillow, for making the photos); the detector part runs as
``VENV/bin/python bench/redact.py --detect-worker ...``, importing mediapipe and
OpenCV only there.

Reading the numbers
-------------------
notforsale runs CenterFace on a 640 px copy of each image (see
``notforsale.redact.images`` for when it looks again at a larger size), with one
inference thread, strips metadata and decides per image whether to read text
(``--ocr auto``). deface runs CenterFace at the photo's own resolution with
onnxruntime's default threads (all cores). Both write a JPEG per photo. Times
are wall times of the whole process, as a user sees them, start-up included
(the 3-photo warm-up shows about how much that is); absolute numbers move by
+-30 % on these shared 2-core machines, the ratio less so. The printed load
average says how busy the machine was. The versions line names the commit, as
the tool under test changes often.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from photos import (  # noqa: E402
    FACE_BOXES,
    SHARED_FACES,
    Box,
    cpu_model,
    flip_and_resize,
    load_average,
)

SCRATCH = Path(os.environ.get("NOTFORSALE_BENCH_SCRATCH", "/work/scratch/redact-bench"))
MEDIAPIPE = "mediapipe==0.10.14"
DEFACE = "deface==1.5.0"
TARGET_RATIO = 2.0  # issue 16: default redact (verify on) >= 2x deface
MATCH_IOU = 0.3
#: An output keeping at least this share of a face box's fine detail has not blurred it.
KEEP = 0.5

#: How often each shared photo is drawn (its faces: ``photos.FACE_BOXES``).
SOURCES: dict[str, tuple[float, list[Box]]] = {
    name: (weight, FACE_BOXES[name]) for name, weight in [
        ("astronaut.png", 0.20), ("two_people.jpg", 0.20), ("two_people_b.jpg", 0.20),
        ("three_people.jpg", 0.15), ("city.jpg", 0.15), ("no_face_cat.png", 0.05),
        ("no_face_coffee.png", 0.05)]}


# -- photos ----------------------------------------------------------------------------

def _crop_window(rng: random.Random, width: int, height: int, boxes: list[Box]) -> Box:
    """A crop of 55-100 % of each side that keeps every face (with a little margin)."""
    if not boxes:
        cw, ch = round(width * rng.uniform(0.55, 1.0)), round(height * rng.uniform(0.55, 1.0))
        x0, y0 = rng.randint(0, width - cw), rng.randint(0, height - ch)
        return x0, y0, x0 + cw, y0 + ch
    ux0, uy0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    ux1, uy1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    margin = round(0.15 * max(b[3] - b[1] for b in boxes))
    ux0, uy0 = max(0, ux0 - margin), max(0, uy0 - margin)
    ux1, uy1 = min(width, ux1 + margin), min(height, uy1 + margin)
    cw = rng.randint(max(ux1 - ux0, round(0.55 * width)), width)
    ch = rng.randint(max(uy1 - uy0, round(0.55 * height)), height)
    x0 = rng.randint(max(0, ux1 - cw), min(ux0, width - cw))
    y0 = rng.randint(max(0, uy1 - ch), min(uy0, height - ch))
    return x0, y0, x0 + cw, y0 + ch


def derive_photo(sources: dict, seed: int, index: int) -> tuple[bytes, dict]:
    """Photo ``index`` (1-based): JPEG bytes and truth (source, size, face boxes)."""
    rng = random.Random(f"redact:{seed}:{index}")
    names = list(SOURCES)
    source = rng.choices(names, weights=[SOURCES[n][0] for n in names])[0]
    image = sources[source]
    boxes = SOURCES[source][1]
    window = _crop_window(rng, image.width, image.height, boxes)
    crop, flip, factor, size, quality = flip_and_resize(rng, image.crop(window))
    cx0, cy0, cx1, _ = window
    faces = []
    for x0, y0, x1, y1 in boxes:
        bx0, bx1 = x0 - cx0, x1 - cx0
        if flip:
            bx0, bx1 = (cx1 - cx0) - bx1, (cx1 - cx0) - bx0
        faces.append([round(bx0 * factor), round((y0 - cy0) * factor), round(bx1 * factor),
                      round((y1 - cy0) * factor)])
    out = io.BytesIO()
    crop.save(out, format="JPEG", quality=quality)
    return out.getvalue(), {"source": source, "size": list(size), "quality": quality,
                            "flip": flip, "faces": faces}


def build_photos(folder: Path, photos: int, seed: int) -> dict:
    """Write the photo folder (kept between runs when complete) and return its truth."""
    truth_path = folder.with_name(folder.name + ".truth.json")
    if folder.is_dir() and truth_path.is_file():
        truth = json.loads(truth_path.read_text())
        if truth.get("photos") == photos and truth.get("seed") == seed and \
                len(list(folder.iterdir())) == photos:
            return truth
    from PIL import Image

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    sources = {name: Image.open(SHARED_FACES / name).convert("RGB") for name in SOURCES}
    images = {}
    for index in range(1, photos + 1):
        data, info = derive_photo(sources, seed, index)
        name = f"{index:05d}.jpg"
        (folder / name).write_bytes(data)
        images[name] = info
    truth = {"photos": photos, "seed": seed, "faces": sum(len(v["faces"]) for v in images.values()),
             "images": images}
    truth_path.write_text(json.dumps(truth, indent=1))
    return truth


def build_real_photos(folder: Path) -> dict:
    """The real photos as they are (``shared/data/faces`` and ``persons``), copied into
    ``folder``; their truth: the face boxes of ``photos.FACE_BOXES`` for ``faces/`` (the
    ``persons/`` portraits have no boxes: one face each, not counted as *real* below)."""
    persons = SHARED_FACES.parent / "persons"
    sources = sorted(SHARED_FACES.iterdir()) + (sorted(p for p in persons.iterdir()
                                                        if p.suffix in (".jpg", ".png"))
                                                 if persons.is_dir() else [])
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    from PIL import Image

    images = {}
    for path in sources:
        if path.suffix.lower() not in (".jpg", ".jpeg", ".png"):
            continue
        shutil.copyfile(path, folder / path.name)
        with Image.open(path) as image:
            size = list(image.size)
        images[path.name] = {"source": path.parent.name + "/" + path.name, "size": size,
                             "faces": [list(b) for b in FACE_BOXES.get(path.name, [])]}
    truth = {"photos": len(images), "seed": None,
             "faces": sum(len(v["faces"]) for v in images.values()), "images": images}
    folder.with_name(folder.name + ".truth.json").write_text(json.dumps(truth, indent=1))
    return truth


# -- running the tools -----------------------------------------------------------------

def _run(cmd: list[str], log: Path, env: dict | None = None) -> tuple[float, int]:
    """Run ``cmd`` with output to ``log``; wall seconds and exit code."""
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
        return time.perf_counter() - start, proc.returncode


def _link_tree(src: Path, dst: Path, names: list[str]) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for name in names:
        try:
            os.link(src / name, dst / name)
        except OSError:
            shutil.copy2(src / name, dst / name)


def _fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    return path


def _venv_python(venv: Path, packages: list[str], check: str) -> Path:
    """``venv``'s python, creating the venv and installing ``packages`` when missing."""
    python = venv / "bin" / "python"
    if python.exists() and subprocess.run([str(python), "-c", check], capture_output=True,
                                          check=False).returncode == 0:
        return python
    print(f"# creating {venv}: pip install {' '.join(packages)}", file=sys.stderr)
    base = getattr(sys, "_base_executable", None) or shutil.which("python3") or sys.executable
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *packages], check=True)
    subprocess.run([str(python), "-c", check], check=True)
    return python


def run_notforsale(photos: Path, work: Path, verify: bool, tag: str) -> dict:
    out = _fresh(work / f"out-notforsale{tag}")
    report = work / f"notforsale{tag}.json"
    cmd = [str(ROOT / ".venv" / "bin" / "notforsale"), "redact", str(photos), str(out),
           "--verify" if verify else "--no-verify", "--format", "json"]
    with report.open("wb") as stdout, (work / f"notforsale{tag}.log").open("wb") as stderr:
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=stdout, stderr=stderr, check=False)
        seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"notforsale redact failed ({proc.returncode}); see {work}/notforsale{tag}.log")
    summary = json.loads(report.read_text())["summary"]
    return {"seconds": seconds, "exit": proc.returncode, "out": str(out), "summary": summary,
            "command": " ".join(cmd)}


def run_deface(python: Path, photos: Path, names: list[str], work: Path, tag: str) -> dict:
    inputs = work / f"deface-in{tag}"
    _link_tree(photos, inputs, names)
    deface = python.parent / "deface"
    cmd = [str(deface), str(inputs), "--ep", "CPUExecutionProvider"]
    seconds, code = _run(cmd, work / f"deface{tag}.log")
    if code != 0:
        raise SystemExit(f"deface failed ({code}); see {work}/deface{tag}.log")
    out = _fresh(work / f"out-deface{tag}")
    out.mkdir()
    missing = []
    for name in names:
        stem, ext = os.path.splitext(name)
        made = inputs / f"{stem}_anonymized{ext}"
        if made.exists():
            made.rename(out / name)
        else:
            missing.append(name)
    shutil.rmtree(inputs)
    return {"seconds": seconds, "exit": code, "out": str(out), "missing": missing,
            "command": " ".join(cmd)}


def _settled(run: dict, rounds: list[float], photos: int) -> dict:
    """A tool's last run with the median time of its rounds, and its images per second."""
    run["seconds"] = statistics.median(rounds)
    run["rounds_seconds"] = [round(t, 2) for t in rounds]
    run["images_per_s"] = photos / run["seconds"]
    return run


def _version(cmd: list[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    except OSError:
        return "?"
    lines = (proc.stdout.strip() or proc.stderr.strip()).splitlines()
    return lines[-1] if lines else "?"


def machine() -> dict:
    return {"nproc": os.cpu_count(), "cpu": cpu_model(), "python": platform.python_version(),
            "platform": platform.platform(), "loadavg_at_start": load_average()}


def _iou(a: list, b: list) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _nms(dets: list[tuple[list, float]], limit: float = 0.3) -> list[tuple[list, float]]:
    """Greedy NMS; a box mostly inside a kept, higher-scoring one is dropped too."""
    kept: list[tuple[list, float]] = []
    for box, score in sorted(dets, key=lambda d: -d[1]):
        area = max(1, (box[2] - box[0]) * (box[3] - box[1]))
        drop = False
        for other, _ in kept:
            if _iou(box, other) >= limit:
                drop = True
                break
            w = min(box[2], other[2]) - max(box[0], other[0])
            h = min(box[3], other[3]) - max(box[1], other[1])
            if w > 0 and h > 0 and w * h / area > 0.6:
                drop = True
                break
        if not drop:
            kept.append((box, score))
    return kept


def _tiles(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """The whole picture, then overlapping squares of 1/2, 1/3 and 1/4 of its longer side."""
    windows = [(0, 0, width, height)]
    longer = max(width, height)
    for parts, from_side in TILING:
        if longer < from_side:
            continue
        side = max(-(-longer // parts), 160)
        step = max(1, round(side * 0.75))
        for y in range(0, max(1, height - side + step), step):
            for x in range(0, max(1, width - side + step), step):
                x1, y1 = min(width, x + side), min(height, y + side)
                x0, y0 = max(0, x1 - side), max(0, y1 - side)
                if (x0, y0, x1, y1) not in windows:
                    windows.append((x0, y0, x1, y1))
    return windows


#: (parts of the longer side, from which longer side in px) for BlazeFace's tiles
TILING = ((2, 0), (3, 600), (4, 1000))
#: BlazeFace's score floor (MediaPipe's full-range graph has 0.6 built in; lowered here)
BLAZE_FLOOR = 0.25

_blaze = None
_cascade = None


def _detector_init() -> None:
    """Load BlazeFace full-range (the solutions graph, score floor lowered) and Haar."""
    global _blaze, _cascade
    import cv2
    import mediapipe as mp
    from mediapipe.framework import calculator_pb2
    from mediapipe.modules.face_detection import face_detection_pb2
    from mediapipe.python.solution_base import SolutionBase

    graph = calculator_pb2.CalculatorGraphConfig()
    graph.ParseFromString(Path(mp.__file__).parent.joinpath(
        "modules/face_detection/face_detection_full_range_cpu.binarypb").read_bytes())
    options = face_detection_pb2.FaceDetectionOptions()
    graph.node[0].node_options[0].Unpack(options)
    options.min_score_thresh = BLAZE_FLOOR
    graph.node[0].node_options[0].Pack(options)
    _blaze = SolutionBase(graph_config=graph, outputs=["detections"])
    _cascade = cv2.CascadeClassifier(
        os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml"))


def _faces_in(bgr) -> dict:
    import cv2

    assert _blaze is not None and _cascade is not None
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    height, width = rgb.shape[:2]
    dets = []
    for x0, y0, x1, y1 in _tiles(width, height):
        tile = rgb if (x1 - x0, y1 - y0) == (width, height) else rgb[y0:y1, x0:x1].copy()
        th, tw = tile.shape[:2]
        for det in _blaze.process({"image": tile}).detections or []:
            rel = det.location_data.relative_bounding_box
            bx0, by0 = x0 + max(0.0, rel.xmin) * tw, y0 + max(0.0, rel.ymin) * th
            bx1 = x0 + min(1.0, rel.xmin + rel.width) * tw
            by1 = y0 + min(1.0, rel.ymin + rel.height) * th
            if bx1 - bx0 >= 4 and by1 - by0 >= 4:
                dets.append(([round(bx0), round(by0), round(bx1), round(by1)],
                             float(det.score[0])))
    blaze = [[*box, round(score, 3)] for box, score in _nms(dets)]
    scale = min(1.0, HAAR_SIDE / max(width, height))
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    if scale < 1.0:
        grey = cv2.resize(grey, (round(width * scale), round(height * scale)),
                          interpolation=cv2.INTER_AREA)
    rects, neighbours = _cascade.detectMultiScale2(
        cv2.equalizeHist(grey), scaleFactor=HAAR_STEP, minNeighbors=2, minSize=(20, 20))
    haar = [[round(x / scale), round(y / scale), round((x + w) / scale), round((y + h) / scale),
             int(n)] for (x, y, w, h), n in zip(rects, neighbours, strict=True)]
    return {"blaze": blaze, "haar": haar}


def _kept(original, output, box: list) -> float:
    """How much of the original's fine detail inside ``box`` (its middle 80 %) the output
    still has: the projection of the output's Laplacian on the original's, about 1 for an
    untouched face (JPEG re-encoding aside), about 0 for a blurred or covered one. An
    ellipse edge or a flat fill adds detail of its own, which this does not count."""
    import cv2

    x0, y0, x1, y1 = box[:4]
    dx, dy = round((x1 - x0) * 0.1), round((y1 - y0) * 0.1)
    window = (slice(max(0, y0 - 1 + dy), max(0, y1 + 1 - dy)),
              slice(max(0, x0 - 1 + dx), max(0, x1 + 1 - dx)))
    before = cv2.Laplacian(original[window], cv2.CV_32F)[1:-1, 1:-1]
    after = cv2.Laplacian(output[window], cv2.CV_32F)[1:-1, 1:-1]
    energy = float((before * before).sum())
    if before.size == 0 or energy <= 0:
        return 0.0
    return float((before * after).sum()) / energy


def _detect_one(name: str) -> tuple[str, list[dict | None]]:
    """Faces in the original ``name`` and in each output, and how much detail each output keeps
    inside each face box found on the original (output detail / original detail)."""
    import cv2

    results: list[dict | None] = []
    original_grey = None
    original: dict = {}
    for index, folder in enumerate(_folders):
        bgr = cv2.imread(os.path.join(folder, name), cv2.IMREAD_COLOR)
        if bgr is None:
            results.append(None)
            continue
        found = _faces_in(bgr)
        grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype("float32")
        if index == 0:
            original_grey, original = grey, found
        elif original_grey is not None and grey.shape == original_grey.shape:
            boxes = {"blaze": original["blaze"], "haar": original["haar"],
                     "truth": _truth.get(name, [])}
            for kind, kind_boxes in boxes.items():
                found["kept_" + kind] = [round(_kept(original_grey, grey, box), 3)
                                         for box in kind_boxes]
        results.append(found)
    return name, results


HAAR_SIDE = 800
HAAR_STEP = 1.15
_folders: list[str] = []
_truth: dict[str, list] = {}


def detect_worker(folders: list[str], out: str, jobs: int, truth: str | None = None) -> None:
    """Detections of every image of ``folders[0]`` and of the same names in the other folders
    (the outputs), as JSON at ``out``, using ``jobs`` processes. With ``truth`` (the photos'
    truth file), also the detail each output keeps inside each face box of the truth."""
    import multiprocessing

    import cv2
    import mediapipe as mp

    _folders[:] = folders
    if truth:
        _truth.update({name: info["faces"] for name, info in
                       json.loads(Path(truth).read_text())["images"].items()})
    names = sorted(os.listdir(folders[0]))
    with multiprocessing.get_context("fork").Pool(jobs, _detector_init) as pool:
        found = dict(pool.imap(_detect_one, names, chunksize=2))
    result: dict = {"versions": {"mediapipe": mp.__version__, "opencv": cv2.__version__},
                    "folders": {folder: {} for folder in folders}}
    for name, per_folder in found.items():
        for folder, dets in zip(folders, per_folder, strict=True):
            if dets is not None:
                result["folders"][folder][name] = dets
    Path(out).write_text(json.dumps(result))


#: detector -> setting -> predicate on a box's last field (score or neighbour count)
SETTINGS = {
    "blaze": {"normal": lambda v: v >= 0.5, "strict": lambda v: v >= 0.3},
    "haar": {"normal": lambda v: v > 5, "strict": lambda v: v > 2},
}


def _likeness(a: list, b: list) -> float:
    """How well two boxes show the same face: their IoU when >= MATCH_IOU; else, when each
    box's centre lies inside the other (a square detector box around a tight, small face
    box), a small positive number; else 0."""
    iou = _iou(a, b)
    if iou >= MATCH_IOU:
        return iou
    acx, acy, bcx, bcy = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    if a[0] <= bcx <= a[2] and a[1] <= bcy <= a[3] and b[0] <= acx <= b[2] and b[1] <= acy <= b[3]:
        return 0.01 + iou / 100
    return 0.0


def _pairs(boxes: list[list], others: list[list]) -> dict[int, int]:
    """One-to-one greedy matching by :func:`_likeness`: index in ``boxes`` -> in ``others``."""
    used: set[int] = set()
    pairs = {}
    for index, box in enumerate(boxes):
        best, best_like = -1, 0.0
        for other_index, other in enumerate(others):
            if other_index in used:
                continue
            like = _likeness(box, other)
            if like > best_like:
                best, best_like = other_index, like
        if best >= 0:
            used.add(best)
            pairs[index] = best
    return pairs


def score_leftovers(detections: dict, original: str, outputs: dict[str, str],
                    truth: dict) -> dict:
    """Faces found on the originals and left over on each tool's output, per detector/setting.

    A box found on the original is *left over* on an output when the detector finds it there
    again (:func:`_pairs`) and the output keeps at least KEEP of the fine detail the original
    had inside it: a blurred face that still looks like a face to the detector is not left
    over (it is counted as ``still_detected``). A box is *real* when it matches one of the
    faces the photo holds by construction. ``truth`` gives, per tool, the faces of the truth
    whose detail the output keeps (no detector involved).
    """
    orig = detections["folders"][original]
    scores: dict = {"truth": {"faces": truth["faces"], "tools": {}}}
    for tool, folder in outputs.items():
        out = detections["folders"].get(folder, {})
        images = {}
        for name, info in truth["images"].items():
            kept = out.get(name, {}).get("kept_truth", [1.0] * len(info["faces"]))
            left = sum(1 for k in kept if k >= KEEP)
            if left:
                images[name] = left
        scores["truth"]["tools"][tool] = {"unblurred": sum(images.values()), "images": images}
    for detector, settings in SETTINGS.items():
        for setting, keep in settings.items():
            base = {name: [(i, b[:4]) for i, b in enumerate(found[detector]) if keep(b[4])]
                    for name, found in orig.items()}
            real = {name: set(_pairs([b for _, b in boxes],
                                     truth["images"][name]["faces"]).keys())
                    for name, boxes in base.items()}
            entry: dict = {"baseline": sum(len(v) for v in base.values()),
                           "baseline_real": sum(len(v) for v in real.values()),
                           "truth_faces": sum(len(truth["images"][n]["faces"]) for n in base),
                           "tools": {}}
            for tool, folder in outputs.items():
                out = detections["folders"].get(folder, {})
                counts = dict.fromkeys(("left_over", "left_over_real", "still_detected",
                                        "still_detected_real", "unblurred", "unblurred_real",
                                        "new_boxes"), 0)
                images: dict[str, int] = {}
                images_all: dict[str, int] = {}
                for name, boxes in base.items():
                    result = out.get(name)
                    if result is None:  # no output: everything is left
                        counts["left_over"] += len(boxes)
                        counts["left_over_real"] += len(real[name])
                        continue
                    found = [b[:4] for b in result[detector] if keep(b[4])]
                    pairs = _pairs([b for _, b in boxes], found)
                    counts["new_boxes"] += len(found) - len(pairs)
                    kept = result["kept_" + detector]
                    for position, (index, _) in enumerate(boxes):
                        unblurred = kept[index] >= KEEP
                        is_real = position in real[name]
                        counts["unblurred"] += unblurred
                        counts["unblurred_real"] += unblurred and is_real
                        if position not in pairs:
                            continue
                        counts["still_detected"] += 1
                        counts["still_detected_real"] += is_real
                        if unblurred:
                            counts["left_over"] += 1
                            images_all[name] = images_all.get(name, 0) + 1
                            if is_real:
                                counts["left_over_real"] += 1
                                images[name] = images.get(name, 0) + 1
                counts["left_over_pct"] = _pct(counts["left_over"], entry["baseline"])
                counts["left_over_real_pct"] = _pct(counts["left_over_real"], entry["baseline_real"])
                entry["tools"][tool] = {**counts, "images": images, "images_all": images_all}
            scores[f"{detector}/{setting}"] = entry
    return scores


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 2) if whole else 0.0


# -- main ----------------------------------------------------------------------------

def run_set(args: argparse.Namespace, say: Callable[[str], None], work: Path, photos: Path,
            truth: dict, info: dict) -> None:
    """Time both tools on one folder of photos and count the faces they leave."""
    names = sorted(truth["images"])
    megapixels = sum(v["size"][0] * v["size"][1] for v in truth["images"].values()) / 1e6
    info["folder"] = {"path": str(photos), "images": len(names), "truth_faces": truth["faces"],
                      "megapixels": round(megapixels, 1),
                      "sources": {s: sum(1 for v in truth["images"].values() if v["source"] == s)
                                  for s in sorted({v["source"] for v in truth["images"].values()})}}
    warm = work / "warm-photos"
    _link_tree(photos, warm, names[:3])

    detector_python = _venv_python(args.detector_venv, [MEDIAPIPE],
                                   "import mediapipe as mp; mp.solutions.face_detection")
    deface_python = None if args.skip_deface else _venv_python(
        args.deface_venv, [DEFACE, "onnxruntime"], "import deface, onnxruntime")
    nfs_bin = str(ROOT / ".venv" / "bin" / "notforsale")
    commit = _version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = _version(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"])
    versions = {"notforsale": _version([nfs_bin, "--version"]).removeprefix("notforsale ")
                + f" (commit {commit}{', src modified' if dirty != '?' else ''})",
                "onnxruntime (notforsale)": _version(
                    [str(ROOT / ".venv" / "bin" / "python"), "-c",
                     "import onnxruntime; print(onnxruntime.__version__)"]),
                "mediapipe (detector)": MEDIAPIPE.split("==")[1]}
    if deface_python:
        versions["deface"] = _version([str(deface_python.parent / "deface"), "--version"])
        versions["onnxruntime (deface)"] = _version(
            [str(deface_python), "-c", "import onnxruntime; print(onnxruntime.__version__)"])
    info["versions"] = versions
    say(f"date      {info['date']}")
    m = info["machine"]
    say(f"machine   {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, "
        f"load {m['loadavg_at_start']}")
    say("versions  " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    say(f"photos    {len(names)} JPEGs, {megapixels:.1f} MP, {truth['faces']} faces by "
        f"construction, seed {args.seed}: {photos}")
    say()

    # warm-up: both tools once on 3 photos, not timed
    warm_seconds = {"notforsale": run_notforsale(warm, work, True, "-warm")["seconds"]}
    if deface_python:
        warm_seconds["deface"] = run_deface(deface_python, warm, names[:3], work, "-warm")["seconds"]
    info["warm_up_3_photos_seconds"] = warm_seconds

    # The tools take turns, --rounds times: the machine's speed drifts by tens of percent
    # over minutes (other tenants), and taking turns gives both the same drift. The median
    # of each tool's rounds makes the ratio; every round is printed.
    times: dict[str, list[float]] = {"notforsale": [], "deface": []}
    for _ in range(args.rounds):
        nfs = run_notforsale(photos, work, True, "")
        times["notforsale"].append(nfs["seconds"])
        if deface_python:
            dfc = run_deface(deface_python, photos, names, work, "")
            times["deface"].append(dfc["seconds"])
    info["notforsale"] = _settled(nfs, times["notforsale"], len(names))
    left = nfs["summary"].get("left_over") or {}
    say(f"notforsale redact (verify on)  {nfs['seconds']:7.1f} s  {nfs['images_per_s']:6.2f} images/s"
        f"  ({nfs['summary']['faces_covered']} faces covered, "
        f"{nfs['summary']['numbers_masked']} numbers masked; {nfs['summary']['status']}, exit "
        f"{nfs['exit']}, its own re-scan found {left.get('faces', '?')} faces, entities "
        f"{left.get('entities', {})}); median of "
        + ", ".join(f"{t:.1f}" for t in times["notforsale"]) + " s")
    if deface_python:
        info["deface"] = _settled(dfc, times["deface"], len(names))
        say(f"deface --ep CPUExecutionProvider {dfc['seconds']:7.1f} s  "
            f"{dfc['images_per_s']:6.2f} images/s"
            + (f"  ({len(dfc['missing'])} outputs missing)" if dfc["missing"] else "")
            + "; median of " + ", ".join(f"{t:.1f}" for t in times["deface"]) + " s")
        info["ratio"] = nfs["images_per_s"] / dfc["images_per_s"]
        say(f"ratio (notforsale / deface)     {info['ratio']:.2f}x   (target >= {TARGET_RATIO}x)"
            "; per round " + ", ".join(f"{d / n:.2f}x" for n, d in
                                       zip(times["notforsale"], times["deface"], strict=False)))
    say("start-up and 3 photos (warm-up, not in the ratio): "
        + ", ".join(f"{tool} {sec:.1f} s" for tool, sec in warm_seconds.items()))
    if not args.skip_verify:
        ref = run_notforsale(photos, work, False, "-no-verify")
        info["notforsale_no_verify"] = ref
        info["verify_seconds"] = nfs["seconds"] - ref["seconds"]
        say(f"notforsale redact --no-verify  {ref['seconds']:7.1f} s  (one run, for reference: "
            f"the verify pass costs ~{info['verify_seconds']:.1f} s of the median above)")
    say()

    # independent detector
    outputs = {"notforsale": nfs["out"]}
    if deface_python:
        outputs["deface"] = info["deface"]["out"]
    det_out = work / "detections.json"
    env = dict(os.environ, GLOG_minloglevel="2", TF_CPP_MIN_LOG_LEVEL="3")
    seconds, code = _run([str(detector_python), str(Path(__file__).resolve()), "--detect-worker",
                          str(photos), *outputs.values(), "--detect-out", str(det_out),
                          "--detect-truth", str(photos.with_name(photos.name + ".truth.json"))],
                         work / "detector.log", env)
    if code != 0:
        raise SystemExit(f"detector failed ({code}); see {work}/detector.log")
    detections = json.loads(det_out.read_text())
    info["detector"] = {"versions": detections["versions"], "seconds": round(seconds, 1)}
    scores = info["left_over"] = score_leftovers(detections, str(photos), outputs, truth)
    say(f"faces left over, by an independent detector: MediaPipe "
        f"{detections['versions']['mediapipe']} BlazeFace full-range (tiled) and OpenCV "
        f"{detections['versions']['opencv']} Haar ({seconds:.0f} s)")
    say("  left = found again on the output with >= "
        f"{KEEP:.0%} of the original's detail in the box (not blurred); "
        "real = on a face the photo holds by construction")
    for key, entry in scores.items():
        if key == "truth":
            continue
        say(f"  {key:13} on originals {entry['baseline']:4d} boxes, {entry['baseline_real']:4d} "
            f"on real faces (of {entry['truth_faces']})")
        for tool in outputs:
            t = entry["tools"][tool]
            say(f"    {tool:10} left: {t['left_over_real']:3d} real faces "
                f"({t['left_over_real_pct']:5.2f} %), {t['left_over']:4d} boxes of any kind "
                f"({t['left_over_pct']:5.1f} %); blurred but still detected: "
                f"{t['still_detected_real'] - t['left_over_real']} real")
    say(f"  pixel check, no detector: faces of the truth ({scores['truth']['faces']}) whose box "
        f"keeps >= {KEEP:.0%} of its detail: "
        + ", ".join(f"{tool} {scores['truth']['tools'][tool]['unblurred']}" for tool in outputs))

    if deface_python:
        faces_ok = all(e["tools"]["notforsale"]["left_over_real"]
                       <= e["tools"]["deface"]["left_over_real"]
                       for k, e in scores.items() if k.startswith("blaze/"))
        speed_ok = info["ratio"] >= TARGET_RATIO
        info["target"] = {"speed_ok": speed_ok, "faces_ok": faces_ok,
                          "met": speed_ok and faces_ok}
        say()
        say(f"target: ratio {info['ratio']:.2f}x >= {TARGET_RATIO}x: {'yes' if speed_ok else 'NO'}; "
            f"real faces left over (BlazeFace, normal and strict) <= deface's: "
            f"{'yes' if faces_ok else 'NO'}  => {'MET' if speed_ok and faces_ok else 'NOT MET'}")
    for tool in outputs:
        left = {**scores["blaze/strict"]["tools"][tool]["images"],
                **scores["truth"]["tools"][tool]["images"]}
        if left:
            say(f"{tool}: photos with a face left (BlazeFace strict, or pixel check): "
                + ", ".join(f"{n} ({truth['images'][n]['source']})" for n in sorted(left)[:40])
                + (" ..." if len(left) > 40 else ""))



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=300, help="photos in the folder (300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=SCRATCH / "run",
                        help=f"where photos and outputs go ({SCRATCH}/run)")
    parser.add_argument("--deface-venv", type=Path, default=ROOT / "bench" / ".venv-deface",
                        help="venv with deface 1.5.0 and onnxruntime (made when missing)")
    parser.add_argument("--detector-venv", type=Path, default=SCRATCH / "venv-detector",
                        help=f"venv with {MEDIAPIPE} (made when missing)")
    parser.add_argument("--skip-deface", action="store_true", help="time notforsale only")
    parser.add_argument("--rounds", type=int, default=3,
                        help="timed runs of each tool, taking turns; the median counts (3)")
    parser.add_argument("--skip-verify", action="store_true",
                        help="do not run the --no-verify reference run")
    parser.add_argument("--set", choices=("derived", "real", "both"), default="both",
                        help="the derived photos, the real ones as they are, or both (both)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--detect-worker", nargs="+", metavar="FOLDER", help=argparse.SUPPRESS)
    parser.add_argument("--detect-out", help=argparse.SUPPRESS)
    parser.add_argument("--detect-truth", help=argparse.SUPPRESS)
    parser.add_argument("--detect-jobs", type=int, default=os.cpu_count() or 1,
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.detect_worker:
        detect_worker(args.detect_worker, args.detect_out, args.detect_jobs, args.detect_truth)
        return 0

    def say(text: str = "") -> None:
        if not args.json:
            print(text, flush=True)

    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)
    info = {"date": started.strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
            "photos": args.photos, "seed": args.seed}
    sets = []
    if args.set in ("derived", "both"):
        photos = work / f"photos-{args.photos}-s{args.seed}"
        sets.append(("derived", photos, build_photos(photos, args.photos, args.seed)))
    if args.set in ("real", "both"):
        photos = work / "photos-real"
        sets.append(("real", photos, build_real_photos(photos)))
    results = {}
    for label, photos, truth in sets:
        say(f"== {label} photos ==")
        part = {"date": info["date"], "machine": machine()}
        (work / label).mkdir(exist_ok=True)
        run_set(args, say, work / label, photos, truth, part)
        results[label] = part
    info["sets"] = results
    info["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    say(f"load average at the end: {info['loadavg_at_end']}")
    if args.json:
        print(json.dumps(info, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
