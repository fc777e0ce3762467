"""YAML values whose digits wrap over lines are read as YAML reads them, and masked.

Held-out set 12's f25: an ID cut by the line break of a folded block (``>-``) was two runs
of digits to the scan, and the copy, called verified, kept it; a YAML loader reads one
ID. Each case is a way a YAML file joins (or does not join) its lines.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from notforsale.redact.tree import redact
from notforsale.scan import scan_path

ID, ID_M = "450103200308066095", "450103********6095"

LAUGHS = 'a: &a ["lol", "lol"]\n' + "".join(
    f"{a}: &{a} [{', '.join([f'*{p}'] * 9)}]\n" for p, a in zip("abcdefgh", "bcdefghi",
                                                                strict=True))

CASES = [
    (f"客户:\n  备注: >-\n    身份证前段 {ID[:10]}\n    {ID[10:]}\n", {ID_M},
     "a folded block: its line break is a space (f25)"),
    (f"客户:\n  证件: {ID[:10]}\n    {ID[10:]}\n", {ID_M},
     "a plain scalar going on over the next line"),
    (f'证件: "身份证 {ID[:10]}\\\n    {ID[10:]}"\n', {ID_M},
     "a double-quoted scalar whose line break is escaped: joined with nothing"),
    (f"证件: |\n  {ID[:10]}\n  {ID[10:]}\n", set(),
     "a literal block keeps its line break: two lines, as a reader shows them"),
    (LAUGHS + f"证件: >-\n  {ID[:10]}\n  {ID[10:]}\n", {ID_M},
     "after ten levels of nine aliases (each aliased node visited once)"),
]


@pytest.mark.parametrize("text, expected, reason", CASES, ids=[c[2] for c in CASES])
def test_wrapped_values_are_read_and_masked(tmp_path: Path, text: str, expected: set[str],
                                            reason: str) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "dump.yaml").write_text(text, encoding="utf-8")
    start = time.monotonic()
    result = scan_path(tmp_path / "src")
    assert time.monotonic() - start < 20, reason
    assert {i.finding.masked for i in result.findings} == expected, reason
    assert not result.errors, (reason, result.errors)
    report = redact(tmp_path / "src", tmp_path / "out")
    assert report.status == "verified", (reason, report.to_dict())
    copy = (tmp_path / "out" / "dump.yaml").read_text(encoding="utf-8")
    if expected:
        assert ID[:10] not in copy and ID[10:] not in copy, (reason, copy)
    else:
        assert copy == text, reason


def test_a_large_yaml_with_wrapped_digits_says_it_was_not_read_as_yaml(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from notforsale.read import yaml_text

    monkeypatch.setattr(yaml_text, "MAX_COMPOSED", 1000)
    (tmp_path / "big.yaml").write_text("a: 1\n" * 300 + f"b: {ID[:10]}\n  {ID[10:]}\n")
    result = scan_path(tmp_path)
    assert len(result.errors) == 1 and "not read as YAML" in result.errors[0].message


@pytest.mark.parametrize("text, reason", [
    (f"a: [unclosed\n  {ID[:10]}\n  {ID[10:]}\n", "not YAML"),
    ("a: " + "[" * 2000 + "]" * 2000 + f"\nb: {ID[:10]}\n  {ID[10:]}\n",
     "nested past libyaml's 1,000 levels"),
])
def test_a_yaml_that_does_not_compose_says_so(tmp_path: Path, text: str, reason: str) -> None:
    """Its lines are read as text; what a loader would join is not known: an error record,
    and the copy is not called verified."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "dump.yaml").write_text(text, encoding="utf-8")
    result = scan_path(tmp_path / "src")
    assert len(result.errors) == 1 and "not read as YAML" in result.errors[0].message, reason
    assert redact(tmp_path / "src", tmp_path / "out").status != "verified", reason
