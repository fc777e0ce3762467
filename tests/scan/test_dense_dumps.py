"""Dense leaked-table dumps give the same scan with a piece's cells scanned together as
scanned one call per cell (the way the scan read them before), in each layout leaks come in.

The report (findings kept, counts, profiles, errors) is compared whole, JSON against JSON,
with pieces small enough that every dump is read in many, and a member cap low enough that
most values are only counted: what is kept, what is counted and what is linked must all be
the same.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from notforsale import scan as scan_module
from notforsale.read.limits import Limits
from notforsale.report.render import render
from notforsale.scan import ScanOptions, scan_path
from notforsale.text import engine
from tests.scan.test_pieces import _people

OPTIONS = ScanOptions(workers=2, faces=False, ocr="never",
                      limits=Limits(piece_bytes=3000, max_findings_per_member=15))
PEOPLE = _people(400, seed=16)


def _layout(kind: str) -> tuple[str, bytes]:
    """(file name, bytes) of the people in one layout, with cells that hold no number
    (names, addresses, an e-mail address, a passport next to its word) among them."""
    rows = []
    for i, (name, rid, card, phone) in enumerate(PEOPLE):
        extra = f"{name}@qq.com" if i % 5 == 0 else f"护照 E{10000000 + i}" if i % 7 == 0 \
            else f"北京市朝阳区建国路{i}号"
        rows.append((name, rid, phone, card, extra))
    if kind == "csv":
        text = "姓名,身份证号,手机号,银行卡号,备注\n" + "".join(",".join(r) + "\n" for r in rows)
        return "leak.csv", text.encode()
    if kind == "tsv":
        text = "姓名\t身份证号\t手机号\t银行卡号\t备注\n" + "".join("\t".join(r) + "\n" for r in rows)
        return "leak.tsv", text.encode()
    if kind == "dash":
        return "leak.txt", "".join("----".join(r) + "\n" for r in rows).encode()
    text = ("CREATE TABLE `members` (`name` varchar(32), `idcard` char(18), `mobile` "
            "char(11), `card` char(19), `note` varchar(64));\n")
    text += "".join("INSERT INTO `members` VALUES ('" + "', '".join(r) + "');\n" for r in rows)
    return "leak.sql", text.encode()


def _report(path: Path) -> str:
    out = io.StringIO()
    render(scan_path(path, OPTIONS), "json", out)
    return out.getvalue()


def _cell_by_cell(texts, hints, *, min_score=0.0, key=None):  # type: ignore[no-untyped-def]
    """The scan as it was: one engine call per cell."""
    return [[engine.Hit(f.type, f.start, f.end, f.score, f.masked, f.fingerprint, f.detector,
                        f.explanation.pattern, f.explanation.checks, f.explanation.context)
             for f in engine.scan_text(t, min_score=min_score, key=key, context_hint=h)]
            for t, h in zip(texts, hints, strict=True)]


# (layout, why it is here)
LAYOUTS = [("csv", "a comma-separated table with its header"),
           ("tsv", "a tab-separated table"),
           ("dash", "----separated lines, read as text"),
           ("sql", "one INSERT per row under its CREATE TABLE")]


@pytest.mark.parametrize(("kind", "why"), LAYOUTS, ids=[k for k, _ in LAYOUTS])
def test_cells_scanned_together_give_the_cell_by_cell_scan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, why: str) -> None:
    name, data = _layout(kind)
    (tmp_path / name).write_bytes(data)
    together = _report(tmp_path / name)
    monkeypatch.setattr(scan_module, "scan_hits", _cell_by_cell)
    assert together == _report(tmp_path / name), why
    result = scan_path(tmp_path / name, replace(OPTIONS, workers=1))
    entities = result.summary()["entities"]
    people = len(PEOPLE)
    assert (entities["CN_RESIDENT_ID"], entities["PHONE_NUMBER"], entities["BANK_CARD"]) == \
        (people, people, people), f"{why}: every value counted, kept or not"
    assert result.summary()["findings_not_kept"] > 0, "the cap was reached: counted, not kept"
