"""What the persons step adds to a face pack's scan: the same pack scanned with and without it.

Run from the repository root::

    .venv/bin/python bench/persons_scan.py                  # 300 photos, ~3 min
    .venv/bin/python bench/persons_scan.py --photos 1000 --rounds 3

The pack is ``bench/make_pack.py``'s (seeded; photos derived from ``shared/data/faces``:
crops, flips, 300-1600 px, JPEG quality 40-95, tables, ID cards, a nested zip). Each
round scans it in this process twice, in alternating order (the machine is shared):
once as ``notforsale scan`` does (a descriptor per face, persons at the end), once with
the descriptor step replaced by one that embeds nothing (``scan.identify`` returning no
face). The ratio ``with / without`` of the median wall times is the step's cost; the
issue's target is at most 1.50. OCR is off (``--ocr never``) so that the ratio is that
of the face work a face pack is made of; ``--ocr auto`` adds OCR time to both sides.
Also printed: faces, faces embedded, persons, and the time per embedded face.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ocr", default="never")
    args = parser.parse_args()

    from make_pack import build_pack

    from notforsale import scan
    from notforsale.scan import ScanOptions, scan_path

    real = scan.identify
    with tempfile.TemporaryDirectory() as tmp:
        pack = Path(tmp) / "pack"
        build_pack(pack, photos=args.photos, seed=0)
        options = ScanOptions(ocr=args.ocr, workers=args.workers)
        scan_path(pack, options)  # warm-up: models loaded, caches filled
        times: dict[str, list[float]] = {"with": [], "without": []}
        summary: dict[str, object] = {}
        for round_ in range(args.rounds):
            order = ["with", "without"] if round_ % 2 == 0 else ["without", "with"]
            for mode in order:
                scan.identify = real if mode == "with" else (lambda *a: ())  # type: ignore[assignment]
                start = time.perf_counter()
                result = scan_path(pack, options)
                times[mode].append(time.perf_counter() - start)
                if mode == "with":
                    summary = result.summary()
        scan.identify = real
    with_, without = statistics.median(times["with"]), statistics.median(times["without"])
    faces = int(summary["faces"])  # type: ignore[call-overload]
    embedded = faces - int(summary["faces_unassigned"])  # type: ignore[call-overload]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    out = {
        "date": time.strftime("%Y-%m-%d %H:%M"), "commit": commit,
        "load": Path("/proc/loadavg").read_text().split()[:3],
        "photos": args.photos, "workers": args.workers, "ocr": args.ocr,
        "faces": faces, "embedded": embedded, "persons": summary["persons"],
        "seconds_with": [round(t, 2) for t in times["with"]],
        "seconds_without": [round(t, 2) for t in times["without"]],
        "ratio_with_over_without": round(with_ / without, 3),
        "added_ms_per_embedded_face_wall": round(1000 * (with_ - without) / max(1, embedded), 2),
        "target_ratio": 1.5,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
