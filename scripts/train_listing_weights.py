"""Fit the listing screener's weights on the labeled development set, reproducibly.

    .venv/bin/python scripts/train_listing_weights.py [--dev tests/data/listings_dev.jsonl]

The model is the screener's own: a logistic regression over the lexicon's signal
groups and interaction features (``notforsale.listings.screener.features``). The
fit is L2-regularized, deterministic (full-batch gradient descent from the
hand-set weights), and sign-constrained: a group the lexicon calls sensitive or
trade evidence never gets a negative weight, a benign context never a positive one,
so every weight still reads the way a moderator expects. It prints a 5-fold
cross-validated estimate before writing ``src/notforsale/listings/weights.json``.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from notforsale.listings.screener import feature_values, features  # noqa: E402
from notforsale.listings.signals import lexicon  # noqa: E402
from notforsale.listings.weights import hand_weights  # noqa: E402

L2 = 0.05
STEPS = 4000
RATE = 0.5


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def design(rows: list[dict]) -> tuple[list[str], np.ndarray, np.ndarray]:
    base = hand_weights()
    names = sorted(base.table)
    index = {name: i for i, name in enumerate(names)}
    x = np.zeros((len(rows), len(names)))
    y = np.array([1.0 if row["label"] == "illicit" else 0.0 for row in rows])
    for r, row in enumerate(rows):
        found, _ = features(row)
        found.pop("_categories", None)
        for name, value in feature_values(found, base).items():
            if name in index:
                x[r, index[name]] = value
    return names, x, y


def signs(names: list[str]) -> np.ndarray:
    kinds = {g.name: g.kind for g in lexicon().groups}
    return np.array([-1.0 if kinds.get(name) == "benign" else 1.0 for name in names])


def fit(x: np.ndarray, y: np.ndarray, names: list[str]) -> tuple[float, np.ndarray]:
    base = hand_weights()
    w = np.array([base.table[name] for name in names])
    b = base.bias
    sign = signs(names)
    prior = w.copy()
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        grad_w = x.T @ (p - y) / len(y) + L2 * (w - prior) / len(y) * 10
        grad_b = float(np.mean(p - y))
        w -= RATE * grad_w
        b -= RATE * grad_b
        w = np.where(sign > 0, np.maximum(w, 0.0), np.minimum(w, 0.0))
    return b, w


def evaluate(x: np.ndarray, y: np.ndarray, b: float, w: np.ndarray, hard: np.ndarray,
             threshold: float = 0.5) -> dict[str, float]:
    flagged = 1 / (1 + np.exp(-(x @ w + b))) >= threshold
    hard_illicit = hard & (y == 1)
    tp = float(np.sum(flagged & (y == 1)))
    fp = float(np.sum(flagged & (y == 0)))
    fn = float(np.sum(~flagged & (y == 1)))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "benign_flagged": fp / max(float(np.sum(y == 0)), 1.0),
            "hard_illicit_caught": float(np.mean(flagged[hard_illicit])) if hard_illicit.any()
            else 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=ROOT / "tests" / "data" / "listings_dev.jsonl")
    parser.add_argument("--out", type=Path,
                        default=ROOT / "src" / "notforsale" / "listings" / "weights.json")
    args = parser.parse_args()
    rows = load(args.dev)
    names, x, y = design(rows)
    hard = np.array([bool(row.get("hard")) for row in rows])
    folds = np.arange(len(rows)) % 5
    scores = []
    for fold in range(5):
        train, test = folds != fold, folds == fold
        b, w = fit(x[train], y[train], names)
        scores.append(evaluate(x[test], y[test], b, w, hard[test]))
    cv = {k: float(np.mean([s[k] for s in scores])) for k in scores[0]}
    base = hand_weights()
    hand = evaluate(x, y, base.bias, np.array([base.table[n] for n in names]), hard)
    b, w = fit(x, y, names)
    print(f"{len(rows)} listings, {int(y.sum())} illicit")
    print("hand-set weights on the whole set:", {k: round(v, 3) for k, v in hand.items()})
    print("5-fold cross-validated (fit on 4/5):", {k: round(v, 3) for k, v in cv.items()})
    print("fitted on the whole set:",
          {k: round(v, 3) for k, v in evaluate(x, y, b, w, hard).items()})
    digest = hashlib.sha256(args.dev.read_bytes()).hexdigest()[:16]
    args.out.write_text(json.dumps({
        "trained": datetime.date.today().isoformat(),
        "dev_set": args.dev.name, "dev_sha256_16": digest, "listings": len(rows),
        "l2": L2, "cross_validated": {k: round(v, 4) for k, v in cv.items()},
        "bias": round(b, 3),
        "weights": {name: round(float(v), 3) for name, v in zip(names, w, strict=True)},
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
