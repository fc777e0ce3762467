"""Fitting the screener's two heads, reproducibly, and measuring them.

The shipped training data (``listings/data/``) are listings written by hand by helpers who
never read the screener's code, one file per author (see ``data/README.md``). The held-out set
(``data/heldout.jsonl``), written by yet another helper, is never fitted on: it is only read
to report, by :func:`evaluate`.

The fit is a logistic regression per head, minimized with L-BFGS-B (SciPy): deterministic
(no random start, no sampling), L2-regularized, and sign-constrained on the named features
of the illicit head — a sensitive or trade signal never pushes away from illicit, a benign
context never towards it — so every weight reads the way a moderator expects. N-gram weights
are free.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .features import ListingFeatures, feature_kinds, listing_features, term_features
from .model import HAND_BIAS, HEADS, Model, model_from_dict
from .screener import screen_listing

#: Shipped training files: source tag -> file name in ``listings/data``.
TRAINING_FILES = {"w1": "w1.jsonl", "w2": "w2.jsonl", "w3": "w3.jsonl", "w4": "w4.jsonl",
                  "w5": "w5.jsonl", "dev": "dev.jsonl", "tumcc": "tumcc_fit.jsonl"}
#: The held-out sets (report only): #1 and #2, each written by a helper who wrote no
#: training data.
HELDOUT_FILE = "heldout.jsonl"
HELDOUT2_FILE = "heldout2.jsonl"
LABELS = ("illicit", "talk", "benign")
#: The older development set was labeled illicit/benign; its warnings are talk.
_DEV_TALK = {"anti_fraud_warning"}

L2_NAMED = 3e-4
#: One lexicon term's own feature (beside its group's).
L2_TERM = 3e-4
L2_NGRAM = 3e-6
MIN_DF = 2
MAX_ITER = 3000
#: N-gram weights smaller than this (in absolute value) are not written out.
PRUNE = 1e-3


_NOT_ALNUM = re.compile(r"[\W_]+")


def tumcc_key(text: str) -> str:
    """A TUMCC line's text as the split sees it: NFKC-folded, lower-cased, letters and digits
    only — so a line repeated with other spacing or punctuation lands on the same side."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).lower())


def tumcc_fitted(text: str) -> bool:
    """Whether a TUMCC line is in the half the screener may be fitted on
    (``data/tumcc_fit.jsonl``, made by ``scripts/split_tumcc.py``); the other half is never
    fitted on. Decided by a hash of the normalized text, never by the line number: the corpus
    repeats its lines (10,088 lines, about 6,700 distinct texts), and the same ad must not
    land on both sides."""
    return tumcc_fitted_key(tumcc_key(text))


def tumcc_fitted_key(key: str) -> bool:
    """:func:`tumcc_fitted` for a text already normalized by :func:`tumcc_key`."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % 2 == 0


def data_file(name: str) -> Path:
    return Path(str(resources.files("notforsale.listings") / "data" / name))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """JSON objects, one a line (split on "\\n" only)."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if line.strip():
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{number}: not a JSON object")
            rows.append(row)
    return rows


def normalize_label(row: Mapping[str, Any]) -> str:
    label = str(row.get("label", ""))
    if label == "benign" and row.get("category") in _DEV_TALK:
        return "talk"
    if label not in LABELS:
        raise ValueError(f"listing {row.get('id')!r}: label {label!r} is not one of {LABELS}")
    return label


def load_source(path: Path, source: str) -> list[dict[str, Any]]:
    rows = read_jsonl(path)
    for row in rows:
        row["label"] = normalize_label(row)
        row.setdefault("source", source)
    return rows


def training_rows() -> list[dict[str, Any]]:
    """Every shipped training listing, tagged with its source."""
    rows = []
    for source, name in TRAINING_FILES.items():
        rows.extend(load_source(data_file(name), source))
    return rows


def heldout_rows(path: Path | None = None) -> list[dict[str, Any]]:
    """The held-out set (report only: never fit on it)."""
    return load_source(path or data_file(HELDOUT_FILE), "heldout")


def provenance(paths: Mapping[str, Path]) -> dict[str, Any]:
    out = {}
    for source, path in paths.items():
        data = path.read_bytes()
        out[source] = {"file": path.name, "sha256": hashlib.sha256(data).hexdigest(),
                       "listings": sum(1 for line in data.split(b"\n") if line.strip())}
    return out


# -- design ---------------------------------------------------------------------------------


def extract(rows: Iterable[Mapping[str, Any]]) -> list[ListingFeatures]:
    """Features of each row (text and fields only: training listings carry no pictures)."""
    return [listing_features(row, images=False) for row in rows]


@dataclass
class Design:
    named: list[str]
    grams: list[str]

    @classmethod
    def build(cls, feats: Sequence[ListingFeatures], min_df: int = MIN_DF) -> Design:
        named = sorted(feature_kinds())
        counts: dict[str, int] = {}
        for f in feats:
            for gram in f.grams:
                counts[gram] = counts.get(gram, 0) + 1
        grams = sorted(g for g, c in counts.items() if c >= min_df)
        return cls(named, grams)

    def matrix(self, feats: Sequence[ListingFeatures]) -> Any:
        from scipy import sparse

        named_index = {n: i for i, n in enumerate(self.named)}
        offset = len(self.named)
        gram_index = {g: offset + i for i, g in enumerate(self.grams)}
        rows, cols, vals = [], [], []
        for r, f in enumerate(feats):
            for name in f.named:
                if name in named_index:
                    rows.append(r)
                    cols.append(named_index[name])
                    vals.append(1.0)
            scale = 1.0 / np.sqrt(len(f.grams)) if f.grams else 0.0
            for gram in f.grams:
                col = gram_index.get(gram)
                if col is not None:
                    rows.append(r)
                    cols.append(col)
                    vals.append(scale)
        return sparse.csr_matrix((vals, (rows, cols)),
                                 shape=(len(feats), offset + len(self.grams)))


def _bounds(design: Design, head: str) -> list[tuple[float | None, float | None]]:
    kinds = feature_kinds()
    out: list[tuple[float | None, float | None]] = [(None, None)]  # the bias
    for name in design.named:
        kind = kinds[name].kind
        if head == "illicit" and kind in ("sensitive", "trade", "trade_weak"):
            out.append((0.0, None))
        elif head == "illicit" and kind == "benign":
            out.append((None, 0.0))
        elif head == "talk" and kind == "talk":
            out.append((0.0, None))
        else:
            out.append((None, None))
    out.extend([(None, None)] * len(design.grams))
    return out


def fit_head(x: Any, y: np.ndarray, design: Design, head: str,
             sample_weight: np.ndarray | None = None, l2_named: float | None = None,
             l2_ngram: float | None = None) -> tuple[float, np.ndarray]:
    """(bias, weights) of one head; deterministic."""
    from scipy.optimize import minimize

    l2_named = L2_NAMED if l2_named is None else l2_named
    l2_ngram = L2_NGRAM if l2_ngram is None else l2_ngram
    n, d = x.shape
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    s = s / s.sum()
    terms = term_features()
    penalty = np.concatenate([[L2_TERM if name in terms else l2_named for name in design.named],
                              np.full(d - len(design.named), l2_ngram)])
    xt = x.T.tocsr()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        b, w = theta[0], theta[1:]
        z = x @ w + b
        # log(1 + e^z) - y z, stably
        value = float(np.sum(s * (np.logaddexp(0.0, z) - y * z))) + \
            0.5 * float(np.sum(penalty * w * w))
        p = 0.5 * (1.0 + np.tanh(0.5 * z))
        r = s * (p - y)
        grad = np.concatenate([[r.sum()], xt @ r + penalty * w])
        return value, grad

    result = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B",
                      bounds=_bounds(design, head),
                      options={"maxiter": MAX_ITER, "maxfun": MAX_ITER * 2})
    return float(result.x[0]), result.x[1:]


def targets(rows: Sequence[Mapping[str, Any]], head: str) -> np.ndarray:
    return np.array([1.0 if row["label"] == head else 0.0 for row in rows])


def source_weights(rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Each listing weighs 1; moderators' labels (source ``moderators``) weigh more."""
    return np.array([float(row.get("weight", 1.0)) for row in rows])


def fit_model(rows: Sequence[Mapping[str, Any]], feats: Sequence[ListingFeatures] | None = None,
              *, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Fit both heads on ``rows``; the weights file's content (format 2)."""
    feats = extract(rows) if feats is None else feats
    design = Design.build(feats)
    x = design.matrix(feats)
    weights = source_weights(rows)
    # A feature no training listing has (the image signals: the written listings carry no
    # pictures) cannot be fitted; it keeps its hand-set weight on the illicit head, moved by
    # as much as the fitted bias differs from the hand-set one.
    seen = np.asarray((x[:, :len(design.named)] != 0).sum(axis=0)).ravel()
    kinds = feature_kinds()
    unseen = [name for name, count in zip(design.named, seen, strict=True)
              if count == 0 and kinds[name].weight]
    heads = {}
    for head in HEADS:
        bias, w = fit_head(x, targets(rows, head), design, head, weights)
        named = {name: round(float(v), 4) for name, v in zip(design.named, w, strict=False)
                 if abs(v) > 1e-6}
        if head == "illicit":
            # set against the fitted bias as they were against the hand-set one
            shift = HAND_BIAS - bias
            named.update({name: round(kinds[name].weight + shift, 4) for name in unseen
                          if kinds[name].weight})
        grams = {g: round(float(v), 4) for g, v in zip(design.grams, w[len(design.named):],
                                                      strict=True) if abs(v) >= PRUNE}
        heads[head] = {"bias": round(bias, 4), "features": named, "ngrams": grams}
    labels = {label: sum(1 for r in rows if r["label"] == label) for label in LABELS}
    return {"format": 2, "trained": datetime.date.today().isoformat(),
            "l2_named": L2_NAMED, "l2_ngram": L2_NGRAM, "min_df": MIN_DF,
            "listings": len(rows), "labels": labels, "hand_set_unseen": unseen,
            **(meta or {}), "heads": heads}


def model_of(data: Mapping[str, Any], source: str = "fitted") -> Model:
    return model_from_dict(data, source)


# -- measuring ------------------------------------------------------------------------------


def evaluate(rows: Sequence[Mapping[str, Any]], model: Model | None = None,
             *, block_at: float | None = None, review_at: float | None = None
             ) -> dict[str, Any]:
    """Quality on labeled rows. "Flagged" is block or review; talk and benign are negatives.

    Precision, recall and F1 of flagged against illicit; benign flagged; talk blocked and
    talk flagged; hard illicit caught; talk read as talk; per-category flag rates.
    """
    from . import BLOCK_AT, REVIEW_AT

    verdicts = [screen_listing(row, model=model, block_at=block_at or BLOCK_AT,
                               review_at=review_at or REVIEW_AT) for row in rows]
    return score(rows, [v.verdict for v in verdicts], [v.kind for v in verdicts])


def score(rows: Sequence[Mapping[str, Any]], verdicts: Sequence[str],
          kinds: Sequence[str] | None = None) -> dict[str, Any]:
    labels = [str(r["label"]) for r in rows]
    flagged = [v != "allow" for v in verdicts]
    tp = sum(f and lab == "illicit" for f, lab in zip(flagged, labels, strict=True))
    fp = sum(f and lab != "illicit" for f, lab in zip(flagged, labels, strict=True))
    fn = sum(not f and lab == "illicit" for f, lab in zip(flagged, labels, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def share(label: str, test: Any) -> float | None:
        picked = [i for i, lab in enumerate(labels) if lab == label]
        return sum(1 for i in picked if test(i)) / len(picked) if picked else None

    hard = [i for i, r in enumerate(rows) if labels[i] == "illicit" and r.get("hard")]
    by_category: dict[str, list[bool]] = {}
    for row, lab, flag in zip(rows, labels, flagged, strict=True):
        by_category.setdefault(f"{lab}/{row.get('category', '?')}", []).append(flag)
    out = {
        "listings": len(rows), "illicit": labels.count("illicit"),
        "talk": labels.count("talk"), "benign": labels.count("benign"),
        "precision": precision, "recall": recall, "f1": f1,
        "benign_flagged": share("benign", lambda i: flagged[i]),
        "benign_blocked": share("benign", lambda i: verdicts[i] == "block"),
        "talk_blocked": share("talk", lambda i: verdicts[i] == "block"),
        "talk_flagged": share("talk", lambda i: flagged[i]),
        "illicit_blocked": share("illicit", lambda i: verdicts[i] == "block"),
        "hard_illicit_caught": sum(flagged[i] for i in hard) / len(hard) if hard else None,
        "flag_rate_by_category": {k: sum(v) / len(v) for k, v in sorted(by_category.items())},
    }
    if kinds is not None:
        out["talk_read_as_talk"] = share("talk", lambda i: kinds[i] == "talk")
    return out


def write_weights(data: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=False) + "\n",
                    encoding="utf-8")
