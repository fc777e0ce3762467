"""Cases the fifth independent hostile set found (a tester who read only the README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from notforsale.redact.tree import redact
from notforsale.scan import scan_path

MOBILE, MOBILE_M = "13812345678", "+86 138****5678"
ID, ID_M = "11010519491231002X", "110105********002X"


@pytest.mark.parametrize("prefix, suffix", [
    ("X'", "'"),  # standard SQL, SQLite, PostgreSQL, MySQL
    ("0x", ""),   # MySQL and SQL Server: 0x3133…, as mysqldump --hex-blob writes BLOBs
    ("0X", ""),   # (SQL Server accepts the upper-case prefix)
])
def test_a_sql_hex_literal_is_read_and_masked_in_either_form(
        tmp_path: Path, prefix: str, suffix: str) -> None:
    """INSERT … VALUES (X'3133…') or (0x3133…): the bytes spell a phone. X'…' was found by
    the fourth hostile set (not read, kept in a verified copy); 0x… by the fifth, after."""
    literal = f"手机 {MOBILE}".encode().hex().upper()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "d.sql").write_text(
        f"INSERT INTO t (note, n) VALUES ({prefix}{literal}{suffix}, 1);\n", encoding="utf-8")
    assert MOBILE_M in {i.finding.masked for i in scan_path(tmp_path / "src").findings}
    report = redact(tmp_path / "src", tmp_path / "out")
    assert report.status == "verified", report.to_dict()["left_over"]
    copy = (tmp_path / "out" / "d.sql").read_text(encoding="utf-8")
    assert copy == ("INSERT INTO t (note, n) VALUES (" + prefix
                    + "手机 138****5678".encode().hex().upper() + suffix + ", 1);\n")


@pytest.mark.parametrize("value", ["0x", "0x1", "0xZZ", "0x3"])
def test_what_is_not_a_hex_literal_is_left_as_it_is(tmp_path: Path, value: str) -> None:
    """Odd digits, no digits, not hex: no text to read, the value kept as written."""
    (tmp_path / "src").mkdir()
    source = f"INSERT INTO t VALUES ({value}, '手机 {MOBILE}');\n"
    (tmp_path / "src" / "d.sql").write_text(source, encoding="utf-8")
    assert MOBILE_M in {i.finding.masked for i in scan_path(tmp_path / "src").findings}
    report = redact(tmp_path / "src", tmp_path / "out")
    assert report.status == "verified"
    assert (tmp_path / "out" / "d.sql").read_text(encoding="utf-8") == \
        source.replace(MOBILE, "138****5678")


@pytest.mark.parametrize("name, text, reason", [
    ("surrogates.json", '{"a": "\\udc80 手机 ' + MOBILE + '", "\\ud800k": ["\\udfff"]}',
     "lone surrogate escapes are valid JSON: the file was one error, the phone lost"),
    ("surrogates.jsonl", '{"a": "\\ud800手机 ' + MOBILE + '"}\n',
     "the same in JSON lines"),
    ("twice.json", '{"name": "张三", "sfz": "' + ID + '", "sfz": "无", "tel": "' + MOBILE + '"}',
     "a key written twice: the parser kept the last value, the first ID was never read"),
    ("twice-nested.json", '[{"p": {"sfz": "' + ID + '", "sfz": ""}}, {"tel": "' + MOBILE + '"}]',
     "the same inside records"),
])
def test_json_values_a_parser_would_drop_are_read(tmp_path: Path, name: str, text: str,
                                                  reason: str) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / name).write_text(text, encoding="utf-8")
    result = scan_path(tmp_path / "src")
    assert not result.errors, reason
    found = {i.finding.masked for i in result.findings}
    assert MOBILE_M in found, reason
    if ID in text:
        assert ID_M in found, reason


def test_a_compressed_hex_literal_too_large_to_read_is_not_passed_over(tmp_path: Path) -> None:
    """0x… holding zlib that inflates past the 16 MiB read: an error record, so the copy is
    never called verified about a value nobody read (as for an SQLite BLOB)."""
    import zlib

    literal = zlib.compress(f"手机 {MOBILE} ".encode() * 1_100_000).hex()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "d.sql").write_text(f"INSERT INTO t VALUES (0x{literal});\n",
                                            encoding="utf-8")
    result = scan_path(tmp_path / "src")
    assert any("compressed value not read" in e.message for e in result.errors)
    assert redact(tmp_path / "src", tmp_path / "out").status != "verified"
