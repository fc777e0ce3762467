"""Quality and speed of the listing screener, in one run.

    .venv/bin/python bench/listings.py [--no-heldout] [--no-cross] [--json]

Prints the table of issue 12 for what the project holds:

1. the two held-out sets (``src/notforsale/listings/data/heldout.jsonl``, 600 listings, and
   ``heldout2.jsonl``, 700, each written by a helper who wrote none of the training data and
   read no code; never fitted on, and read only here and by ``notforsale screener fit``):
   precision, recall and F1 of "flagged" (block or review) against illicit, with
   talk and benign as negatives; benign flagged; talk blocked and flagged; hard illicit caught;
2. cross-source figures: fit without one training source, score on it;
3. TUMCC (real Telegram market lines; every one of the 10,088 lines labeled by two
   independent labellers, ``tests/data/tumcc_labels_{a,b}.jsonl``): identity-trade lines
   caught, other lines flagged, counted by distinct text and by line, on the half never
   fitted on (split by a hash of the normalized text, ``training.tumcc_fitted``), on its part
   the first round of this work never fitted on either, with the project's older labels
   (``tests/data/tumcc_labeled.jsonl``), and, apart, on the half fitted on;
4. real benign product titles (Taobao; Walmart and Amazon) blocked and flagged, with and
   without a price — never fitted on;
5. text-only listings per second on one core.

``--no-heldout`` skips 1 (for development runs: the held-out sets are for the final report).
Real text is read from ``../shared/data/realworld`` (or ``NOTFORSALE_REALWORLD``) when present.
"""

from __future__ import annotations

import argparse
import hashlib
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


def heldout(name: str = T.HELDOUT_FILE) -> dict[str, Any]:
    rows = T.heldout_rows(T.data_file(name))
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


TUMCC_LABELS = [ROOT / "tests" / "data" / f"tumcc_labels_{part}.jsonl" for part in "ab"]
OLD_TUMCC_LABELS = ROOT / "tests" / "data" / "tumcc_labeled.jsonl"


def _old_fit_keys() -> set[str]:
    """Texts of the previous fit half (the old labels' lines whose line number hashed even):
    fitted on, and read, by the first round of this work."""
    if not OLD_TUMCC_LABELS.is_file():
        return set()
    return {T.tumcc_key(r["text"]) for r in read_jsonl(OLD_TUMCC_LABELS)
            if int(hashlib.sha256(str(r["line"]).encode()).hexdigest(), 16) % 2 == 0}


def _tumcc_rates(rows: list[dict[str, Any]], verdicts: dict[str, str]) -> dict[str, Any]:
    """Identity lines caught and other lines flagged, counting lines and distinct texts."""
    out: dict[str, Any] = {}
    for unit in ("lines", "texts"):
        picked: dict[str, tuple[bool, str]] = {}
        items = []
        for r in rows:
            key = T.tumcc_key(r["text"])
            if unit == "texts":
                picked[key] = (r["label"] == "illicit", verdicts[key])
            else:
                items.append((r["label"] == "illicit", verdicts[key]))
        if unit == "texts":
            items = list(picked.values())
        identity = [v for ill, v in items if ill]
        other = [v for ill, v in items if not ill]
        out[unit] = {
            "identity": len(identity), "other": len(other),
            "identity_caught": sum(v != "allow" for v in identity) / max(len(identity), 1),
            "identity_blocked": sum(v == "block" for v in identity) / max(len(identity), 1),
            "other_flagged": sum(v != "allow" for v in other) / max(len(other), 1),
            "other_blocked": sum(v == "block" for v in other) / max(len(other), 1),
            "other_flagged_n": sum(v != "allow" for v in other),
            "identity_caught_n": sum(v != "allow" for v in identity),
        }
    return out


def tumcc() -> dict[str, Any] | None:
    """TUMCC: every line labeled (two labellers, tests/data/tumcc_labels_{a,b}.jsonl), split
    by a hash of the normalized text (``training.tumcc_fitted``); reported on the half never
    fitted on, with the new labels and with the project's older labels of 854 lines."""
    if not all(p.is_file() for p in TUMCC_LABELS):
        return None
    rows = [r for p in TUMCC_LABELS for r in read_jsonl(p)]
    texts = {T.tumcc_key(r["text"]): r["text"] for r in rows}
    verdicts = {key: screen_listing({"title": text}).verdict for key, text in texts.items()}
    old_fit = _old_fit_keys()
    out: dict[str, Any] = {}
    for half, fitted in (("never fitted on", False), ("fitted on", True)):
        picked = [r for r in rows if T.tumcc_fitted(r["text"]) == fitted]
        out[half] = _tumcc_rates(picked, verdicts)
        if not fitted:
            # the part of it the first round of this work never fitted on nor read either
            clean = [r for r in picked if T.tumcc_key(r["text"]) not in old_fit]
            out["never fitted on, not in the first round's fit half"] = \
                _tumcc_rates(clean, verdicts)
            if OLD_TUMCC_LABELS.is_file():
                old = [r for r in read_jsonl(OLD_TUMCC_LABELS) if not T.tumcc_fitted(r["text"])]
                out["never fitted on, older project labels"] = _tumcc_rates(old, verdicts)
    out["corpus_lines"] = len(rows)
    flagged = [verdicts[T.tumcc_key(r["text"])] for r in rows]
    out["corpus_flagged"] = sum(v != "allow" for v in flagged) / len(rows)
    out["corpus_blocked"] = sum(v == "block" for v in flagged) / len(rows)
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
    # the written listings (the short TUMCC lines would flatter the figure)
    rows = [{k: v for k, v in r.items() if k in ("id", "title", "description", "price")}
            for r in T.training_rows() if r["source"] != "tumcc"]
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
        sets.append(("held-out #1 (never fitted on; seen twice)", report["heldout"]))
    if "heldout2" in report:
        sets.append(("held-out #2 (never fitted on; seen once)", report["heldout2"]))
    for source, result in report.get("cross_source", {}).items():
        sets.append((f"cross-source: fit without {source}, scored on it", result))
    for name, r in sets:
        print(f"| {name} | {r['listings']} ({r['illicit']}/{r['talk']}/{r['benign']}) | "
              f"{_f(r['precision'])} | {_f(r['recall'])} | **{_f(r['f1'])}** | "
              f"{_f(r['benign_flagged'], True)} | {_f(r['talk_blocked'], True)} | "
              f"{_f(r['talk_flagged'], True)} | {_f(r['hard_illicit_caught'], True)} |")
    for key in ("heldout", "heldout2"):
        if key not in report:
            continue
        h = report[key]
        print(f"\n{key}, flag rate by category:")
        for category, rate in h["flag_rate_by_category"].items():
            print(f"    {category:36s} {rate:6.1%}")
        print(f"{key}: illicit blocked {_f(h['illicit_blocked'], True)}, benign blocked "
              f"{_f(h['benign_blocked'], True)}, talk read as talk "
              f"{_f(h.get('talk_read_as_talk'), True)}")
    if report.get("tumcc"):
        t = report["tumcc"]
        print("\n| TUMCC (real Telegram lines) | unit | identity-trade caught (blocked) | other "
              "flagged (blocked) |")
        print("|---|---|---|---|")
        for half in ("never fitted on", "never fitted on, not in the first round's fit half",
                     "never fitted on, older project labels", "fitted on"):
            if half not in t:
                continue
            for unit in ("texts", "lines"):
                h = t[half][unit]
                print(f"| {half} | {h['identity']} identity / {h['other']} other {unit} | "
                      f"{h['identity_caught']:.1%} = {h['identity_caught_n']} "
                      f"({h['identity_blocked']:.1%}) | {h['other_flagged']:.2%} = "
                      f"{h['other_flagged_n']} ({h['other_blocked']:.2%}) |")
        print(f"TUMCC whole corpus ({t['corpus_lines']} lines, both halves): flagged "
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
        report["heldout"] = heldout(T.HELDOUT_FILE)
        report["heldout2"] = heldout(T.HELDOUT2_FILE)
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
