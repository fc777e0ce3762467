"""The hash list file: round trip, refusal of what it cannot read, exports, nothing leaked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notforsale.trace.hashing import ImageHash
from notforsale.trace.hashlist import (
    HashEntry,
    HashList,
    HashListError,
    export_hma_json,
    export_threatexchange,
    parse,
    parse_threatexchange,
    read,
)

A = "8dac5e40e3b941961fcb4e6df681e3d8d1ba1aa35e296611d0ca89f64d55265d"
B = "2d6f1af3a956c529c79ca3d2526fa834d4196c81cedd04de0a26b855fc99b724"


def sample() -> HashList:
    return HashList("pack-a", (
        HashEntry("pack-a-000001", (ImageHash("pdq", bytes.fromhex(A), 100),
                                    ImageHash("pdq_window", bytes.fromhex(B), 88)), False, "f1"),
        HashEntry("pack-a-000002", (ImageHash("pdq", bytes.fromhex(B), 30),), True, "f2"),
    ), case="CASE-7", created="2026-12-01T16:00:00Z")


def header(**changes: object) -> str:
    base = {"format": "notforsale-hash-list", "version": 1, "name": "x", "case": ""}
    base.update(changes)
    return json.dumps(base)


def entry(*hashes: dict[str, object]) -> str:
    return json.dumps({"id": "e1", "hashes": list(hashes)})


WHOLE = {"kind": "pdq", "hash": A, "quality": 100}


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "pack.hashes"
    sample().write(path)
    again = read(path)
    assert again.name == "pack-a" and again.case == "CASE-7"
    assert again.entries == sample().entries
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert first["format"] == "notforsale-hash-list" and first["version"] == 1
    assert first["threshold"] == 31 and first["entries"] == 2


@pytest.mark.parametrize(("lines", "message", "why"), [
    ([], "empty", "an empty file"),
    (["not json"], "not JSON", "a first line that is no JSON object"),
    ([header(format="other")], "not a notforsale-hash-list", "another format"),
    ([header(version=2)], "version 2 is not known", "a later version is refused, not guessed"),
    ([header(), "{"], "line 2: not JSON", "a broken entry line"),
    ([header(), json.dumps({"id": "e"})], "list of hashes", "an entry without hashes"),
    ([header(), entry({"kind": "pdq", "hash": "zz", "quality": 1})], "64 hexadecimal",
     "a hash that is not hex"),
    ([header(), entry({"kind": "pdq", "hash": A, "quality": 101})], "quality", "quality > 100"),
    ([header(), entry({"kind": "pdq", "hash": A, "quality": True})], "quality",
     "a boolean is not a quality"),
    ([header(), entry({"kind": "pdq_window", "hash": A, "quality": 90})], "first hash",
     "an entry must start with its whole-image hash"),
])
def test_unreadable_lists_are_refused(lines: list[str], message: str, why: str) -> None:
    with pytest.raises(HashListError, match=message):
        parse(lines)


def test_unknown_kinds_are_skipped_and_counted() -> None:
    later = {"kind": "tmk", "hash": B, "quality": 90, "frame": 3}
    parsed = parse([header(), entry(WHOLE, later)])
    assert len(parsed.entries[0].hashes) == 1 and parsed.skipped_kinds == 1


def test_names_and_case_labels_are_masked() -> None:
    parsed = parse([header(name="seller 13812345678", case="ID 110101199003071233"),
                    entry(WHOLE)])
    assert "13812345678" not in parsed.name and "138****5678" in parsed.name
    assert "110101199003071233" not in parsed.case


def test_threatexchange_export_keeps_strong_whole_hashes_only() -> None:
    text = export_threatexchange(sample())
    assert text == f"pdq {A}\n"  # the window is not exported; the second entry is weak (30)
    assert [json.loads(line) for line in export_hma_json(sample()).splitlines()] == [{"pdq": A}]


@pytest.mark.parametrize(("text", "hashes", "skipped", "why"), [
    (f"pdq {A}\npdq {B}\n", [A, B], 0, "the signal file HMA's local-file exchange reads"),
    (f"{A}\n\n{B}\n", [A, B], 0, "bare hashes, one a line"),
    (f"video_md5 {'0' * 32}\npdq {A}\n", [A], 1, "other signal types are skipped, counted"),
])
def test_threatexchange_files_import(text: str, hashes: list[str], skipped: int,
                                     why: str) -> None:
    parsed = parse_threatexchange(text.splitlines(), "from-b")
    assert [e.whole.hex for e in parsed.entries] == hashes, why
    assert parsed.skipped_kinds == skipped
    assert all(e.whole.quality is None and not e.whole.weak for e in parsed.entries)


def test_bad_threatexchange_line_names_its_line() -> None:
    with pytest.raises(HashListError, match="line 2"):
        parse_threatexchange([f"pdq {A}", "pdq nothex"], "x")
