"""Quality and speed of the listing screener.

    .venv/bin/python bench/listings.py [--dev tests/data/listings_dev.jsonl]
                                       [--real tests/data/tumcc_labeled.jsonl] [--json]

Prints, for the labeled development set: precision, recall and F1 of "flagged"
(block or review) against the illicit label; recall per illicit category and on
the hard illicit listings; the share of benign listings flagged, overall and per
benign category; then the same on real Telegram market lines (TUMCC, labeled
for this project), and listings per second on one core (text only).

The development set also trained the shipped weights
(``scripts/train_listing_weights.py``), so its numbers are optimistic; the
training script prints a 5-fold cross-validated estimate, and the real-text set
was never used for fitting.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from notforsale.listings.screener import screen_listing  # noqa: E402


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def score(rows: list[dict], flagged: list[bool]) -> dict:
    tp = sum(f and r["label"] == "illicit" for r, f in zip(rows, flagged, strict=True))
    fp = sum(f and r["label"] != "illicit" for r, f in zip(rows, flagged, strict=True))
    fn = sum(not f and r["label"] == "illicit" for r, f in zip(rows, flagged, strict=True))
    benign = sum(r["label"] != "illicit" for r in rows)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    by_category: dict[str, list[bool]] = defaultdict(list)
    for row, flag in zip(rows, flagged, strict=True):
        by_category[f"{row['label']}/{row.get('category', '?')}"].append(flag)
    hard = [f for r, f in zip(rows, flagged, strict=True) if r["label"] == "illicit" and r.get("hard")]
    return {
        "listings": len(rows), "illicit": tp + fn, "benign": benign,
        "precision": precision, "recall": recall, "f1": f1,
        "benign_flagged": fp / benign if benign else 0.0,
        "hard_illicit_recall": sum(hard) / len(hard) if hard else None,
        "flag_rate_by_category": {k: sum(v) / len(v) for k, v in sorted(by_category.items())},
    }


def screen_all(rows: list[dict]) -> list[bool]:
    return [screen_listing(row).verdict != "allow" for row in rows]


def throughput(rows: list[dict], minimum: int = 5000) -> tuple[float, float]:
    """Listings per second on one core: by wall clock, and by this process's CPU time
    (which other processes on a shared machine inflate much less). Best of three."""
    text_only = [{k: v for k, v in row.items() if k != "images"} for row in rows]
    batch = (text_only * (minimum // max(len(text_only), 1) + 1))[:max(minimum, len(text_only))]
    screen_listing(batch[0])
    wall = cpu = 0.0
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        for row in batch:
            screen_listing(row)
        wall = max(wall, len(batch) / (time.perf_counter() - start))
        cpu = max(cpu, len(batch) / max(time.process_time() - start_cpu, 1e-9))
    return wall, cpu


def show(name: str, result: dict) -> None:
    print(f"\n== {name}: {result['listings']} listings ({result['illicit']} illicit, "
          f"{result['benign']} benign)")
    print(f"  precision {result['precision']:.3f}  recall {result['recall']:.3f}  "
          f"F1 {result['f1']:.3f}  benign flagged {result['benign_flagged']:.1%}"
          + (f"  hard illicit caught {result['hard_illicit_recall']:.1%}"
             if result["hard_illicit_recall"] is not None else ""))
    for category, rate in result["flag_rate_by_category"].items():
        print(f"    {category:40s} flagged {rate:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=ROOT / "tests" / "data" / "listings_dev.jsonl")
    parser.add_argument("--real", type=Path,
                        default=ROOT / "tests" / "data" / "tumcc_labeled.jsonl")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    os.environ.setdefault("NOTFORSALE_KEY", "bench")
    report: dict = {"date": time.strftime("%Y-%m-%d"), "machine": platform.machine(),
                    "cpus": os.cpu_count(), "python": platform.python_version()}
    dev = load(args.dev)
    report["dev"] = score(dev, screen_all(dev))
    if args.real.is_file():
        real = [{"id": r["line"], "title": r["text"], "platform": "telegram", "lang": "zh",
                 "label": r["label"], "category": r.get("category")} for r in load(args.real)]
        report["real"] = score(real, screen_all(real))
    report["listings_per_second"], report["listings_per_cpu_second"] = throughput(dev)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    print(f"{report['date']} {report['machine']} {report['cpus']} CPUs Python {report['python']}")
    show(f"development set {args.dev.name}", report["dev"])
    if "real" in report:
        show(f"real Telegram market lines {args.real.name}", report["real"])
    print(f"\n== speed (text only, one core): {report['listings_per_second']:,.0f} listings/s by "
          f"the wall clock, {report['listings_per_cpu_second']:,.0f} per CPU-second")


if __name__ == "__main__":
    main()
