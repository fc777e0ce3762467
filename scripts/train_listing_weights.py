"""Fit the listing screener's weights on the shipped training data, reproducibly.

    .venv/bin/python scripts/train_listing_weights.py [--out PATH] [--no-cross]

Training data: the files of ``src/notforsale/listings/data/`` named in
``notforsale.listings.training.TRAINING_FILES`` — listings written by hand by four helpers
who never read the screener's code (w1: Chinese marketplaces, w2: Chinese Telegram/QQ/WeChat,
w3: English darknet and web, w4: news, court and social posts) and the older development set
(dev); their READMEs are next to them. The held-out set (``data/heldout.jsonl``) is never
read here.

The fit is deterministic (L-BFGS-B from zero; see ``training.py``). Before writing, the script
prints cross-source figures — fit without one source, score on it — and a pooled 5-fold
estimate (folds by a hash of the listing id), and records them with the data's provenance
(file, SHA-256, count per source) in the weights file.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from notforsale.listings import training as T  # noqa: E402
from notforsale.listings.screener import screen_listing  # noqa: E402

KEYS = ("precision", "recall", "f1", "benign_flagged", "talk_blocked", "talk_flagged",
        "hard_illicit_caught")


def _short(result: dict[str, Any]) -> dict[str, float | None]:
    return {k: None if result[k] is None else round(float(result[k]), 4) for k in KEYS}


def cross_source(rows: list[dict], feats: list) -> dict[str, dict]:
    out = {}
    for source in T.TRAINING_FILES:
        train = [i for i, r in enumerate(rows) if r["source"] != source]
        test = [r for r in rows if r["source"] == source]
        model = T.model_of(T.fit_model([rows[i] for i in train], [feats[i] for i in train]))
        out[source] = _short(T.evaluate(test, model))
        print(f"  without {source:4s} -> on {source:4s}: " +
              "  ".join(f"{k} {v:.3f}" for k, v in out[source].items() if v is not None),
              flush=True)
    return out


def pooled(rows: list[dict], feats: list, folds: int = 5) -> dict[str, float | None]:
    fold = [int(hashlib.sha256(str(r["id"]).encode()).hexdigest(), 16) % folds for r in rows]
    scored, verdicts, kinds = [], [], []
    for k in range(folds):
        train = [i for i in range(len(rows)) if fold[i] != k]
        model = T.model_of(T.fit_model([rows[i] for i in train], [feats[i] for i in train]))
        for i in range(len(rows)):
            if fold[i] == k:
                v = screen_listing(rows[i], model=model)
                scored.append(rows[i])
                verdicts.append(v.verdict)
                kinds.append(v.kind)
    return _short(T.score(scored, verdicts, kinds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=ROOT / "src" / "notforsale" / "listings" / "weights.json")
    parser.add_argument("--no-cross", action="store_true",
                        help="skip the cross-source and pooled estimates")
    args = parser.parse_args()
    rows = T.training_rows()
    feats = T.extract(rows)
    labels = {lab: sum(r["label"] == lab for r in rows) for lab in T.LABELS}
    print(f"{len(rows)} training listings: {labels}")
    meta: dict[str, Any] = {
        "provenance": T.provenance({s: T.data_file(n) for s, n in T.TRAINING_FILES.items()}),
        "script": "scripts/train_listing_weights.py",
    }
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        # the commit checked out when fitting (+ changes: the source tree differed from it)
        meta["commit"] = commit + (" + changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        pass
    if not args.no_cross:
        print("cross-source (fit without one source, score on it):")
        meta["cross_source"] = cross_source(rows, feats)
        meta["pooled_5_fold"] = pooled(rows, feats)
        print("pooled 5-fold:", meta["pooled_5_fold"])
    data = T.fit_model(rows, feats, meta=meta)
    T.write_weights(data, args.out)
    sizes = {h: len(data["heads"][h]["ngrams"]) for h in data["heads"]}
    print(f"wrote {args.out} (n-grams kept per head: {sizes})")


if __name__ == "__main__":
    main()
