"""Quality and speed of the listing screener, in one run.

    .venv/bin/python bench/listings.py [--no-heldout] [--no-cross] [--json]

Prints the table of issue 12 for what the project holds:

1. the held-out set (``src/notforsale/listings/data/heldout.jsonl``, 600 listings written by a
   helper who wrote none of the training data and read no code; never fitted on, and read
   only here): precision, recall and F1 of "flagged" (block or review) against illicit, with
   talk and benign as negatives; benign flagged; talk blocked and flagged; hard illicit caught;
2. cross-source figures: fit without one training source, score on it;
3. TUMCC (real Telegram market lines, labeled for this project in
   ``tests/data/tumcc_labeled.jsonl``): identity-trade lines caught, other lines flagged, on
   the half never fitted on (and, apart, the half the shipped weights were fitted on:
   ``training.tumcc_fitted``); and the share of all lines of the cleaned corpus flagged;
4. real benign product titles (Taobao; Walmart and Amazon) blocked and flagged, with and
   without a price — never fitted on;
5. text-only listings per second on one core.

``--no-heldout`` skips 1 (for development runs: the held-out set is for the final report).
Real text is read from ``../shared/data/realworld`` (or ``NOTFORSALE_REALWORLD``) when present.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from notforsale.listings import training as T  # noqa: E402
from notforsale.listings.screener import screen_listing  # noqa: E402

REALWORLD = Path(os.environ.get("NOTFORSALE_REALWORLD", ROOT.parent / "shared" / "data" /
                                "realworld"))
#: The price given to a title that has none, for the "with a price" rows.
PRICE = 29.9


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n")
            if line.strip()]


def heldout() -> dict[str, Any]:
    rows = T.heldout_rows()
    return T.evaluate(rows)


def cross_source() -> dict[str, Any]:
    rows = T.training_rows()
    feats = T.extract(rows)
    out = {}
    for source in T.TRAINING_FILES:
        train = [i for i, r in enumerate(rows) if r["source"] != source]
        model = T.model_of(T.fit_model([rows[i] for i in train], [feats[i] for i in train]))
        out[source] = T.evaluate([r for r in rows if r["source"] == source], model)
    return out


def tumcc() -> dict[str, Any] | None:
    path = ROOT / "tests" / "data" / "tumcc_labeled.jsonl"
    if not path.is_file():
        return None
    out: dict[str, Any] = {}
    for half, fitted in (("never fitted on", False), ("fitted on", True)):
        rows = [r for r in read_jsonl(path) if T.tumcc_fitted(r["line"]) == fitted]
        verdicts = [screen_listing({"title": r["text"]}).verdict for r in rows]
        identity = [v for r, v in zip(rows, verdicts, strict=True) if r["label"] == "illicit"]
        other = [v for r, v in zip(rows, verdicts, strict=True) if r["label"] != "illicit"]
        out[half] = {
            "identity_lines": len(identity), "other_lines": len(other),
            "identity_caught": sum(v != "allow" for v in identity) / len(identity),
            "identity_blocked": sum(v == "block" for v in identity) / len(identity),
            "other_flagged": sum(v != "allow" for v in other) / len(other),
            "other_blocked": sum(v == "block" for v in other) / len(other),
        }
    corpus = REALWORLD / "TUMCC-clean.txt"
    if corpus.is_file():
        lines = [line for line in corpus.read_text(encoding="utf-8").split("\n") if line.strip()]
        flagged = [screen_listing({"title": line}).verdict for line in lines]
        out["corpus_lines"] = len(lines)
        out["corpus_flagged"] = sum(v != "allow" for v in flagged) / len(lines)
        out["corpus_blocked"] = sum(v == "block" for v in flagged) / len(lines)
    return out


def titles() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, file in (("taobao", "taobao_titles.jsonl"),
                       ("walmart_amazon", "walmart_amazon_titles.jsonl")):
        path = REALWORLD / file
        if not path.is_file():
            continue
        rows = read_jsonl(path)
        for priced in (False, True):
            verdicts = []
            for row in rows:
                listing = {"title": row["title"]}
                if priced:
                    listing["price"] = row.get("price") or PRICE
                verdicts.append(screen_listing(listing).verdict)
            out[f"{name} {'with' if priced else 'without'} price"] = {
                "titles": len(rows),
                "blocked": sum(v == "block" for v in verdicts) / len(rows),
                "review": sum(v == "review" for v in verdicts) / len(rows),
            }
    return out


def throughput(minimum: int = 5000) -> tuple[float, float, float]:
    """Text-only listings per second on one core (best of three; wall clock and this
    process's CPU time), over the shipped training listings, and their mean length."""
    rows = [{k: v for k, v in r.items() if k in ("id", "title", "description", "price")}
            for r in T.training_rows()]
    batch = (rows * (minimum // len(rows) + 1))[:max(minimum, len(rows))]
    screen_listing(batch[0])
    wall = cpu = 0.0
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        for row in batch:
            screen_listing(row)
        wall = max(wall, len(batch) / (time.perf_counter() - start))
        cpu = max(cpu, len(batch) / max(time.process_time() - start_cpu, 1e-9))
    length = sum(len(r.get("title") or "") + len(r.get("description") or "")
                 for r in rows) / len(rows)
    return wall, cpu, length


def _f(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:.1%}" if pct else f"{value:.3f}"


def show(report: dict[str, Any]) -> None:
    print(f"{report['date']} commit {report['commit']} load {report['load']} "
          f"{report['machine']} {report['cpus']} CPUs Python {report['python']} "
          f"weights {report['weights']}")
    print("\n| set | listings | precision | recall | F1 | benign flagged | talk blocked | "
          "talk flagged | hard illicit caught |")
    print("|---|---|---|---|---|---|---|---|---|")
    sets = []
    if "heldout" in report:
        sets.append(("held-out (never fitted on)", report["heldout"]))
    for source, result in report.get("cross_source", {}).items():
        sets.append((f"cross-source: fit without {source}, scored on it", result))
    for name, r in sets:
        print(f"| {name} | {r['listings']} ({r['illicit']}/{r['talk']}/{r['benign']}) | "
              f"{_f(r['precision'])} | {_f(r['recall'])} | **{_f(r['f1'])}** | "
              f"{_f(r['benign_flagged'], True)} | {_f(r['talk_blocked'], True)} | "
              f"{_f(r['talk_flagged'], True)} | {_f(r['hard_illicit_caught'], True)} |")
    if "heldout" in report:
        print("\nheld-out, flag rate by category:")
        for category, rate in report["heldout"]["flag_rate_by_category"].items():
            print(f"    {category:36s} {rate:6.1%}")
        print(f"held-out: illicit blocked {_f(report['heldout']['illicit_blocked'], True)}, "
              f"benign blocked {_f(report['heldout']['benign_blocked'], True)}, talk read as "
              f"talk {_f(report['heldout'].get('talk_read_as_talk'), True)}")
    if report.get("tumcc"):
        t = report["tumcc"]
        print()
        for half in ("never fitted on", "fitted on"):
            h = t[half]
            print(f"TUMCC labeled lines, half {half}: identity-trade lines caught "
                  f"{h['identity_caught']:.1%} of {h['identity_lines']} (blocked "
                  f"{h['identity_blocked']:.1%}); other lines flagged {h['other_flagged']:.2%} "
                  f"of {h['other_lines']} (blocked {h['other_blocked']:.2%})")
        if "corpus_lines" in t:
            print(f"TUMCC whole cleaned corpus ({t['corpus_lines']} lines, unlabeled; holds the "
              f"fitted half): flagged "
                  f"{t['corpus_flagged']:.2%}, blocked {t['corpus_blocked']:.2%}")
    if report.get("titles"):
        print("\n| real benign titles | titles | blocked | review |")
        print("|---|---|---|---|")
        for name, r in report["titles"].items():
            print(f"| {name} | {r['titles']} | {r['blocked']:.2%} | {r['review']:.2%} |")
    wall, cpu, length = report["speed"]
    print(f"\nspeed (text only, one core, best of 3 over ≥ 5,000 listings of mean length "
          f"{length:.0f} characters): {wall:,.0f} listings/s by the wall clock, "
          f"{cpu:,.0f} per CPU-second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-heldout", action="store_true", help="skip the held-out set")
    parser.add_argument("--no-cross", action="store_true", help="skip the cross-source fits")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    os.environ.setdefault("NOTFORSALE_KEY", "bench")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    from notforsale.listings.model import current_model

    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"), "commit": commit,
        "load": Path("/proc/loadavg").read_text().split()[0]
        if Path("/proc/loadavg").is_file() else "?",
        "machine": platform.machine(), "cpus": os.cpu_count(),
        "python": platform.python_version(), "weights": current_model().source}
    report["speed"] = throughput()
    if not args.no_heldout:
        report["heldout"] = heldout()
    if not args.no_cross:
        report["cross_source"] = cross_source()
    report["tumcc"] = tumcc()
    report["titles"] = titles()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        show(report)


if __name__ == "__main__":
    main()
