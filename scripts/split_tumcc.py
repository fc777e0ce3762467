"""Write the half of the labeled TUMCC corpus the screener is fitted on.

    .venv/bin/python scripts/split_tumcc.py

Reads every labeled line of the real TUMCC corpus (``tests/data/tumcc_labels_a.jsonl``, lines
1–5000, and ``tumcc_labels_b.jsonl``, lines 5001–10088: two independent labellers who read no
project code; their READMEs are next to them) and writes the lines of the fit half
(``notforsale.listings.training.tumcc_fitted``: a hash of the normalized text, never the line
number) to ``src/notforsale/listings/data/tumcc_fit.jsonl``, one listing per distinct text
(the corpus repeats its ads), labeled ``illicit`` / ``talk`` (the labellers' ``warning``
lines) / ``benign``. The other half is never written here and never fitted on: only
``bench/listings.py`` reads it, to report.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from notforsale.listings import training as T  # noqa: E402

LABEL_FILES = [ROOT / "tests" / "data" / f"tumcc_labels_{part}.jsonl" for part in "ab"]
OUT = ROOT / "src" / "notforsale" / "listings" / "data" / "tumcc_fit.jsonl"


def label_of(row: dict) -> str:
    if row["label"] == "illicit":
        return "illicit"
    return "talk" if row.get("category") == "warning" else "benign"


def main() -> None:
    rows = [row for path in LABEL_FILES for row in T.read_jsonl(path)]
    kept: dict[str, dict] = {}
    for row in rows:
        if not T.tumcc_fitted(row["text"]):
            continue
        key = T.tumcc_key(row["text"])
        if key in kept:
            kept[key]["tumcc_lines"] += 1
            if kept[key]["label"] != label_of(row):
                # the labellers never differ on illicit for one text; a text once called a
                # warning (talk) and once other chatter is talk
                if {kept[key]["label"], label_of(row)} != {"talk", "benign"}:
                    raise SystemExit(f"line {row['line']}: the same text is labeled "
                                     "illicit and not illicit")
                kept[key]["label"] = "talk"
            continue
        kept[key] = {"id": f"tumcc-{row['line']}", "title": row["text"], "description": "",
                     "price": None, "platform": "telegram", "lang": "zh",
                     "label": label_of(row), "category": row.get("category"),
                     "note": row.get("note", ""), "tumcc_line": row["line"], "tumcc_lines": 1}
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept.values()),
                   encoding="utf-8")
    labels = {lab: sum(r["label"] == lab for r in kept.values()) for lab in T.LABELS}
    lines = sum(r["tumcc_lines"] for r in kept.values())
    print(f"wrote {OUT}: {len(kept)} distinct texts ({lines} of {len(rows)} lines), {labels}")


if __name__ == "__main__":
    main()
