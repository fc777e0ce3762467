"""No output — library objects, table, JSON, JSON lines, logs — ever holds a raw number."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from typer.testing import CliRunner

from notforsale import scan_text
from notforsale.cli import app
from notforsale.report.render import FORMATS, render
from notforsale.scan import scan_path

RAW = {
    "CN_RESIDENT_ID": ["11010119900307109X", "110101199003071233"],
    "BANK_CARD": ["6222021234567890128", "6228480012345678903"],
    "PHONE_NUMBER": ["13812345678", "8613912345678"],
    "EMAIL_ADDRESS": ["zhang.san@example.com"],
    "CN_PASSPORT": ["EA1234567"],
}
TEXT = ("身份证号:11010119900307109X 手机:138-1234-5678 卡号:6222 0212 3456 7890 128\n"
        "身份证 １１０１０１１９９００３０７１２３３ 电话 +86 139 1234 5678 银行卡6228480012345678903\n"
        "mail zhang.san@example.com passport EA1234567\n")


def _assert_clean(output: str) -> None:
    digits_only = re.sub(r"[^0-9Xx]", "", output)
    for values in RAW.values():
        for value in values:
            assert value not in output, "raw value in output"
            if value[0].isdigit():
                assert value not in digits_only, "raw digits in output, even with separators"


def test_findings_hold_no_raw_value() -> None:
    findings = scan_text(TEXT)
    assert len(findings) == 8
    for finding in findings:
        _assert_clean(repr(finding) + json.dumps(finding.to_dict(), ensure_ascii=False))


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_masked(fmt: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "pack.txt"
    path.write_text(TEXT, encoding="utf-8")
    out = io.StringIO()
    render(scan_path(path), fmt, out)
    assert "138****5678" in out.getvalue()
    _assert_clean(out.getvalue())


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_output_and_logs_are_masked(fmt: str, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "pack.txt"
    path.write_text(TEXT, encoding="utf-8")
    caplog.set_level(logging.DEBUG)
    target = tmp_path / "report.out"
    result = CliRunner().invoke(app, ["--verbose", "scan", str(path), "--format", fmt,
                                      "--output", str(target)])
    assert result.exit_code == 1
    written = target.read_text(encoding="utf-8")
    assert "138****5678" in written
    _assert_clean(result.output + caplog.text + written)


def _pack_named_after_people(root):  # type: ignore[no-untyped-def]
    """Files, folders and archives named after the people in them, as seized packs are."""
    import zipfile

    folder = root / "pack" / "13812345678"
    folder.mkdir(parents=True)
    (folder / "11010119900307109X.txt").write_text(TEXT, encoding="utf-8")
    (folder / "6222021234567890128.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    with zipfile.ZipFile(root / "pack" / "110101199003071233.zip", "w") as archive:
        archive.writestr("13912345678/notes.txt", TEXT)
        archive.writestr("6228480012345678903.jpg", b"\xff\xd8\xff broken")
    return root / "pack"


@pytest.mark.parametrize("fmt", FORMATS)
def test_numbers_in_file_names_are_masked_in_every_format(fmt: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Paths of findings, profiles and errors are shown with their numbers masked."""
    result = scan_path(_pack_named_after_people(tmp_path))
    assert result.errors, "the broken images must be reported (with their names)"
    out = io.StringIO()
    render(result, fmt, out)
    assert "110101********1233.zip" in out.getvalue() or fmt == "table"
    _assert_clean(out.getvalue())


def test_redaction_reports_and_errors_mask_names(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pack = _pack_named_after_people(tmp_path)
    for fmt in ("table", "json"):
        result = CliRunner().invoke(app, ["redact", str(pack), str(tmp_path / f"copy-{fmt}"),
                                          "--format", fmt])
        assert "138****5678" in result.output
        _assert_clean(result.output)
    taken = tmp_path / "taken" / "110101199003071233"
    taken.mkdir(parents=True)
    (taken / "x").write_text("x")
    result = CliRunner().invoke(app, ["redact", str(pack), str(taken)])
    assert result.exit_code == 2
    _assert_clean(result.output)
