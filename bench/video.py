"""Video redaction and scanning: notforsale against deface on the same clips, in one run.

Claims (issue 15): redaction at >= 5x deface's frames per second with no more faces left
over, every frame, timestamp and rotation kept; scanning (no redaction) >= 5x real time on
one core for 720p at the default sampling.

Run from the repository root::

    .venv/bin/python bench/video.py                  # 6-second clips, ~10 minutes
    .venv/bin/python bench/video.py --seconds 3 --json > result.json
    .venv/bin/python bench/video.py --skip-deface

What it does
------------
1. Makes the clips of ``tests/video/clips.py`` from the shared photos, ``--seconds`` long
   at 30 fps, H.264 in MP4: ``pan`` (two people, the camera pans and zooms), ``zoom``
   (the astronaut, in and out), ``enter`` (a man walks in), ``cut`` (one person, then
   another) at 640x360, and ``card`` (a phone clip, 720x1280 shown, stored sideways with
   a display rotation: a man holding up an ID card with his photo and a made-up number).
   The face boxes of every frame are known by construction.
2. notforsale: ``redact_video`` on each clip, defaults (faces looked at 10 times a second
   plus keyframes, blur, OCR policy ``auto``, VP9), in a child process whose wall time —
   interpreter start and model load included — gives frames per second. ``verify_video``
   runs afterwards in the same process and is timed apart (not in the ratio).
3. deface 1.5.0's CLI in its own venv (``--deface-venv``, made on first use with deface,
   onnx and onnxruntime): ``deface CLIP -o OUT --backend onnxrt --ep CPUExecutionProvider``
   per clip, its defaults otherwise (threshold 0.2, blur, every frame at full
   resolution), one process per clip, wall time summed. The tools take turns for
   ``--rounds`` rounds; each tool's median makes the ratio.
4. Frames kept: every output is decoded; frame counts, timestamps (against the source's)
   and the shown size (rotation) are compared with the source.
5. Faces left over: every ``--every``-th frame of each clip, of notforsale's output and of
   deface's (matched by timestamp) are written as JPEGs, and ``bench/redact.py``'s
   independent detector (MediaPipe BlazeFace, tiled, and OpenCV's Haar cascade, in
   their own venv) and its scoring count the faces left: found again on the output with
   at least half the original's detail in the box, and "real" when on a face the frame
   holds by construction. A detector-free pixel check counts the truth's boxes whose
   detail the output keeps. (deface's video writer stretches frames to a multiple of 16
   rows, 640x360 to 640x368; its frames are scaled back to the source's size for this.)
6. Scanning speed: ``scan_video`` (defaults: 5 frames a second plus keyframes, OCR policy
   ``auto``) in this process, models loaded and warmed up first, on the same scenes made
   at 1280x720 (the card clip at 720x1280), ``--scan-seconds`` long: video seconds per
   wall second and per CPU second of the process (one decoder thread, one inference
   thread; the OCR reader's two threads count in CPU time).

Needs the project's venv (PyAV, the models) and, for step 5, the detector venv of
``bench/redact.py`` (``--detector-venv``, made on first use with mediapipe==0.10.14).
Neither venv goes into git.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import redact as image_bench  # noqa: E402  (bench/redact.py: venvs, detector, scoring)
from photos import load_average  # noqa: E402

SCRATCH = Path(os.environ.get("NOTFORSALE_BENCH_SCRATCH", "/work/scratch/video-bench"))
SHARED = ROOT.parent / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")
TARGET_RATIO = 5.0
TARGET_REAL_TIME = 5.0
FPS = 30
SCENES = {"pan": (640, 360), "zoom": (640, 360), "enter": (640, 360), "cut": (640, 360),
          "card": (720, 1280)}
SCAN_SCENES = {"pan": (1280, 720), "zoom": (1280, 720), "enter": (1280, 720),
               "cut": (1280, 720), "card": (720, 1280)}


# -- clips -----------------------------------------------------------------------------

def build_clips(folder: Path, scenes: dict[str, tuple[int, int]], seconds: float) -> dict:
    """Write each scene as ``NAME.mp4`` with its truth; kept between runs when complete."""
    from tests.video import clips

    truth_path = folder / "truth.json"
    frames = round(seconds * FPS)
    if truth_path.is_file():
        truth = json.loads(truth_path.read_text())
        if truth.get("frames") == frames and set(truth["clips"]) == set(scenes) and \
                all((folder / f"{n}.mp4").is_file() for n in scenes):
            return truth
    folder.mkdir(parents=True, exist_ok=True)
    truth = {"frames": frames, "fps": FPS, "clips": {}}
    for name, size in scenes.items():
        made = clips.CLIPS[name](SHARED, frames=frames, fps=FPS, size=size)
        (folder / f"{name}.mp4").write_bytes(made.data)
        truth["clips"][name] = {"size": list(made.size), "frames": made.frames,
                                "faces": {face: {str(i): list(b) for i, b in boxes.items()}
                                          for face, boxes in made.faces.items()}}
    truth_path.write_text(json.dumps(truth))
    return truth


# -- notforsale's redaction, in a child process -------------------------------------------

def redact_worker(clips_dir: str, out_dir: str, report: str) -> None:
    """Redact every clip of ``clips_dir`` into ``out_dir``; then verify each (timed apart)."""
    from notforsale.redact.video import redact_video, verify_video

    results: dict = {"clips": {}}
    made = []
    start = time.perf_counter()
    for path in sorted(Path(clips_dir).glob("*.mp4")):
        out, changes = redact_video(path.read_bytes(), path.name)
        (Path(out_dir) / path.name).write_bytes(out)
        made.append((path.name, out, changes))
        results["clips"][path.name] = {"changes": changes.to_dict()}
    results["redact_seconds_in_process"] = time.perf_counter() - start
    start = time.perf_counter()
    for name, out, changes in made:
        results["clips"][name]["verify"] = verify_video(out, changes).to_dict()
    results["verify_seconds"] = time.perf_counter() - start
    Path(report).write_text(json.dumps(results))


def run_notforsale(clips_dir: Path, work: Path) -> dict:
    out = image_bench._fresh(work / "out-notforsale")
    out.mkdir()
    report = work / "notforsale.json"
    cmd = [str(ROOT / ".venv" / "bin" / "python"), str(Path(__file__).resolve()),
           "--redact-worker", str(clips_dir), str(out), str(report)]
    start = time.perf_counter()
    with (work / "notforsale.log").open("wb") as log:
        proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"notforsale failed ({proc.returncode}); see {work}/notforsale.log")
    result = json.loads(report.read_text())
    # The wall time of the process is redaction + verification + start-up: take the
    # verification out (it is reported on its own).
    result["seconds"] = seconds - result["verify_seconds"]
    result["out"] = str(out)
    return result


def run_deface(python: Path, clips_dir: Path, names: list[str], work: Path) -> dict:
    out = image_bench._fresh(work / "out-deface")
    out.mkdir()
    deface = python.parent / "deface"
    seconds = 0.0
    for name in names:
        cmd = [str(deface), str(clips_dir / name), "-o", str(out / name), "--backend", "onnxrt",
               "--ep", "CPUExecutionProvider"]
        took, code = image_bench._run(cmd, work / f"deface-{name}.log")
        if code != 0:
            raise SystemExit(f"deface failed ({code}); see {work}/deface-{name}.log")
        seconds += took
    return {"seconds": seconds, "out": str(out), "command": "deface CLIP -o OUT --backend "
            "onnxrt --ep CPUExecutionProvider"}


# -- what the outputs kept -------------------------------------------------------------

def _decode(path: Path) -> tuple[list[float], tuple[int, int], int]:
    from notforsale.read.video import VideoReader

    with VideoReader(path.read_bytes()) as reader:
        times = [frame.time for frame in reader]
        return times, (reader.info.width, reader.info.height), reader.info.rotation


def frames_kept(clips_dir: Path, outputs: dict[str, str], names: list[str]) -> dict:
    kept: dict = {}
    for tool, folder in outputs.items():
        rows = {}
        for name in names:
            source_times, size, _ = _decode(clips_dir / name)
            times, out_size, _ = _decode(Path(folder) / name)
            same = len(times) == len(source_times) and \
                max(abs(a - b) for a, b in zip(times, source_times, strict=True)) <= 0.0015
            rows[name] = {"frames": len(times), "source_frames": len(source_times),
                          "timestamps_kept": same, "shown_size": list(out_size),
                          "source_size": list(size), "rotation_kept": out_size == size}
        kept[tool] = rows
    return kept


def extract_frames(clips_dir: Path, outputs: dict[str, str], names: list[str], truth: dict,
                   work: Path, every: int) -> tuple[Path, dict[str, Path], Path]:
    """Every ``every``-th source frame and the output frames nearest in time, as JPEGs with
    the same names in one folder per tool; and the truth file the detector's scoring reads."""
    from PIL import Image

    from notforsale.read.video import VideoReader

    folders = {"original": image_bench._fresh(work / "frames-original")}
    folders.update({tool: image_bench._fresh(work / f"frames-{tool}") for tool in outputs})
    for folder in folders.values():
        folder.mkdir()
    images: dict = {}
    for name in names:
        clip = truth["clips"][name.removesuffix(".mp4")]
        with VideoReader((clips_dir / name).read_bytes()) as reader:
            wanted = {}
            for frame in reader:
                if frame.index % every == 0:
                    wanted[frame.index] = frame.time
                    picture = f"{name.removesuffix('.mp4')}-{frame.index:05d}.jpg"
                    Image.fromarray(frame.rgb()[0]).save(folders["original"] / picture,
                                                         quality=95)
                    boxes = [b[str(frame.index)] for b in clip["faces"].values()
                             if str(frame.index) in b]
                    images[picture] = {"faces": boxes, "source": name}
        for tool, folder in outputs.items():
            with VideoReader((Path(folder) / name).read_bytes()) as reader:
                frames = [(frame.time, frame.rgb()[0]) for frame in reader
                          if any(abs(frame.time - t) < 0.6 / FPS for t in wanted.values())]
            for index, t in wanted.items():
                nearest = min(frames, key=lambda f: abs(f[0] - t), default=None)
                if nearest is not None and abs(nearest[0] - t) < 0.6 / FPS:
                    picture = f"{name.removesuffix('.mp4')}-{index:05d}.jpg"
                    image = Image.fromarray(nearest[1])
                    size = tuple(clip["size"])
                    if image.size != size:  # deface's writer stretches 360 rows to 368
                        image = image.resize(size, Image.Resampling.BILINEAR)
                    image.save(folders[tool] / picture, quality=95)
    truth_file = work / "frames.truth.json"
    truth_file.write_text(json.dumps({"images": images,
                                      "faces": sum(len(v["faces"]) for v in images.values())}))
    return folders["original"], {t: folders[t] for t in outputs}, truth_file


# -- scanning speed --------------------------------------------------------------------

def scan_speed(scan_dir: Path, truth: dict) -> dict:
    from notforsale.vision.video import scan_video

    paths = sorted(scan_dir.glob("*.mp4"))
    scan_video(paths[0].read_bytes(), "warm-up.mp4")  # models loaded, caches warm
    rows = {}
    total_video = total_wall = total_cpu = 0.0
    for path in paths:
        data = path.read_bytes()
        wall, cpu = time.perf_counter(), time.process_time()
        report = scan_video(data, path.name)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        clip = truth["clips"][path.stem]
        rows[path.name] = {"seconds_of_video": report.duration, "wall": round(wall, 3),
                           "cpu": round(cpu, 3), "real_time_x": round(report.duration / wall, 2),
                           "real_time_x_cpu": round(report.duration / cpu, 2),
                           "tracks": len(report.tracks), "faces_by_construction":
                           len(clip["faces"]), "frames_sampled": report.frames_sampled,
                           "ocr_frames": report.ocr_frames,
                           "numbers": [h.finding.masked for h in report.text_hits]}
        total_video += report.duration
        total_wall += wall
        total_cpu += cpu
    return {"clips": rows, "real_time_x": round(total_video / total_wall, 2),
            "real_time_x_cpu": round(total_video / total_cpu, 2),
            "seconds_of_video": round(total_video, 2)}


# -- main ------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=6.0, help="clip length (6 s)")
    parser.add_argument("--scan-seconds", type=float, default=10.0,
                        help="length of the 720p clips scanned (10 s)")
    parser.add_argument("--rounds", type=int, default=1, help="timed rounds, taking turns (1)")
    parser.add_argument("--every", type=int, default=3,
                        help="every n-th frame goes to the independent detector (3)")
    parser.add_argument("--workdir", type=Path, default=SCRATCH / "run")
    parser.add_argument("--deface-venv", type=Path, default=ROOT / "bench" / ".venv-deface")
    parser.add_argument("--detector-venv", type=Path,
                        default=image_bench.SCRATCH / "venv-detector")
    parser.add_argument("--skip-deface", action="store_true")
    parser.add_argument("--skip-detector", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--redact-worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.redact_worker:
        redact_worker(*args.redact_worker)
        return 0

    def say(text: str = "") -> None:
        if not args.json:
            print(text, flush=True)

    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    info: dict = {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                  "machine": image_bench.machine()}
    commit = image_bench._version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = image_bench._version(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"])
    info["commit"] = commit + (", src modified" if dirty != "?" else "")
    clips_dir = work / f"clips-{args.seconds:g}s"
    truth = build_clips(clips_dir, SCENES, args.seconds)
    names = sorted(f"{n}.mp4" for n in SCENES)
    frames = sum(c["frames"] for c in truth["clips"].values())
    info["clips"] = {"folder": str(clips_dir), "frames": frames, "seconds": args.seconds,
                     "fps": FPS, "sizes": {n: list(s) for n, s in SCENES.items()}}
    say(f"date      {info['date']}, commit {info['commit']}")
    say(f"machine   {info['machine']['nproc']} CPUs ({info['machine']['cpu']}), "
        f"load {info['machine']['loadavg_at_start']}")
    say(f"clips     {len(names)} x {args.seconds:g} s at {FPS} fps, {frames} frames: {clips_dir}")

    deface_python = None if args.skip_deface else image_bench._venv_python(
        args.deface_venv, [image_bench.DEFACE, "onnx", "onnxruntime"],
        "import deface, onnx, onnxruntime")
    times: dict[str, list[float]] = {"notforsale": [], "deface": []}
    for _ in range(args.rounds):
        nfs = run_notforsale(clips_dir, work)
        times["notforsale"].append(nfs["seconds"])
        if deface_python:
            dfc = run_deface(deface_python, clips_dir, names, work)
            times["deface"].append(dfc["seconds"])
    nfs["seconds"] = statistics.median(times["notforsale"])
    nfs["fps"] = frames / nfs["seconds"]
    info["notforsale"] = {k: v for k, v in nfs.items() if k != "clips"}
    info["notforsale_clips"] = nfs["clips"]
    failed = {n: c["verify"] for n, c in nfs["clips"].items() if not c["verify"]["passed"]}
    say(f"notforsale redact_video   {nfs['seconds']:7.1f} s  {nfs['fps']:6.1f} frames/s "
        f"(rounds {', '.join(f'{t:.1f}' for t in times['notforsale'])} s); verify_video "
        f"{nfs['verify_seconds']:.1f} s more: " + ("passed on every clip" if not failed else
                                                   "FAILED on " + "; ".join(
            f"{n} ({len(v['faces_left'])} faces left, {len(v['numbers_left'])} numbers, "
            f"{v['problems']})" for n, v in failed.items())))
    outputs = {"notforsale": nfs["out"]}
    if deface_python:
        dfc["seconds"] = statistics.median(times["deface"])
        dfc["fps"] = frames / dfc["seconds"]
        info["deface"] = dfc
        info["ratio"] = nfs["fps"] / dfc["fps"]
        outputs["deface"] = dfc["out"]
        say(f"deface CLI                {dfc['seconds']:7.1f} s  {dfc['fps']:6.1f} frames/s "
            f"(rounds {', '.join(f'{t:.1f}' for t in times['deface'])} s)")
        say(f"ratio                     {info['ratio']:.2f}x (target >= {TARGET_RATIO}x)")

    kept = info["frames_kept"] = frames_kept(clips_dir, outputs, names)
    for tool, rows in kept.items():
        bad = {n: r for n, r in rows.items()
               if not (r["timestamps_kept"] and r["rotation_kept"])}
        say(f"frames kept, {tool:10}: " + ("every frame, timestamp and shown size" if not bad
                                           else "; ".join(
            f"{n}: {r['frames']} frames for {r['source_frames']}, timestamps "
            f"{'kept' if r['timestamps_kept'] else 'changed'}, shown {r['shown_size']} for "
            f"{r['source_size']}" for n, r in bad.items())))

    if not args.skip_detector:
        detector_python = image_bench._venv_python(
            args.detector_venv, [image_bench.MEDIAPIPE],
            "import mediapipe as mp; mp.solutions.face_detection")
        original, folders, truth_file = extract_frames(clips_dir, outputs, names, truth, work,
                                                       args.every)
        det_out = work / "detections.json"
        env = dict(os.environ, GLOG_minloglevel="2", TF_CPP_MIN_LOG_LEVEL="3")
        seconds, code = image_bench._run(
            [str(detector_python), str(ROOT / "bench" / "redact.py"), "--detect-worker",
             str(original), *[str(f) for f in folders.values()], "--detect-out", str(det_out),
             "--detect-truth", str(truth_file)], work / "detector.log", env)
        if code != 0:
            raise SystemExit(f"detector failed ({code}); see {work}/detector.log")
        detections = json.loads(det_out.read_text())
        frame_truth = json.loads(truth_file.read_text())
        scores = info["left_over"] = image_bench.score_leftovers(
            detections, str(original), {t: str(f) for t, f in folders.items()}, frame_truth)
        say(f"faces left over on {len(frame_truth['images'])} frames (one in {args.every}; "
            f"{frame_truth['faces']} faces by construction), independent detector "
            f"(MediaPipe {detections['versions']['mediapipe']} BlazeFace tiled, OpenCV Haar):")
        for key, entry in scores.items():
            if key == "truth":
                continue
            say(f"  {key:13} on originals {entry['baseline']:4d} boxes, "
                f"{entry['baseline_real']:4d} on real faces; left: " + ", ".join(
                    f"{tool} {entry['tools'][tool]['left_over_real']} real "
                    f"({entry['tools'][tool]['left_over']} any)" for tool in folders))
        say("  pixel check, no detector: truth faces keeping >= 50 % of their detail: "
            + ", ".join(f"{tool} {scores['truth']['tools'][tool]['unblurred']}"
                        for tool in folders))
        if deface_python:
            faces_ok = all(e["tools"]["notforsale"]["left_over_real"]
                           <= e["tools"]["deface"]["left_over_real"]
                           for k, e in scores.items() if k.startswith("blaze/"))
            speed_ok = info["ratio"] >= TARGET_RATIO
            kept_ok = all(r["timestamps_kept"] and r["rotation_kept"]
                          for r in kept["notforsale"].values())
            info["target_redaction"] = {"speed_ok": speed_ok, "faces_ok": faces_ok,
                                        "frames_ok": kept_ok}
            say(f"target: {info['ratio']:.2f}x >= {TARGET_RATIO}x: "
                f"{'yes' if speed_ok else 'NO'}; real faces left <= deface's (BlazeFace): "
                f"{'yes' if faces_ok else 'NO'}; every frame, timestamp and rotation kept: "
                f"{'yes' if kept_ok else 'NO'}")

    scan_dir = work / f"scan-clips-{args.scan_seconds:g}s"
    scan_truth = build_clips(scan_dir, SCAN_SCENES, args.scan_seconds)
    speed = info["scan"] = scan_speed(scan_dir, scan_truth)
    say(f"scanning {speed['seconds_of_video']:.0f} s of 720p video (default sampling): "
        f"{speed['real_time_x']:.1f}x real time (wall), {speed['real_time_x_cpu']:.1f}x per "
        f"CPU-second (target >= {TARGET_REAL_TIME}x on one core)")
    for name, row in speed["clips"].items():
        say(f"  {name:10} {row['real_time_x']:5.1f}x wall, {row['real_time_x_cpu']:5.1f}x CPU; "
            f"{row['tracks']} tracks ({row['faces_by_construction']} faces by construction), "
            f"{row['frames_sampled']} frames looked at, OCR on {row['ocr_frames']}, numbers "
            f"{row['numbers']}")
    info["loadavg_at_end"] = load_average()
    say(f"load average at the end: {info['loadavg_at_end']}")
    if args.json:
        print(json.dumps(info, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
