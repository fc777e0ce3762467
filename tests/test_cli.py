"""The command line: formats, exit codes, errors, help."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from notforsale.cli import app

runner = CliRunner()


def test_scan_stdin_jsonl_exit_1() -> None:
    result = runner.invoke(app, ["scan", "-", "--format", "jsonl"], input="手机 13812345678\n")
    assert result.exit_code == 1
    record = json.loads(result.output.splitlines()[0])
    assert record["type"] == "PHONE_NUMBER"
    assert record["masked"] == "+86 138****5678"
    assert record["location"] == {"path": "-", "line": 1, "column": 4}


def test_scan_clean_file_exit_0(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "clean.txt"
    path.write_text("订单号 202311271234567890，价格 12.50 元\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(path)])
    assert result.exit_code == 0, result.output
    assert "distinct values: none" in result.output


def test_json_document(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "gbk.txt"
    path.write_bytes("身份证号：110101199003071233\n第二行 手机 13812345678".encode("gbk"))
    result = runner.invoke(app, ["scan", str(path), "-f", "json"])
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["summary"] == {
        "files": 1, "skipped": 0, "images": 0, "videos": 0, "faces": 0, "images_with_faces": 0,
        "entities": {"CN_RESIDENT_ID": 1, "BANK_CARD": 0, "PHONE_NUMBER": 1, "EMAIL_ADDRESS": 0},
        "profiles": 0, "full_kits": 0, "persons": 0, "faces_unassigned": 0, "errors": 0,
        "findings_not_kept": 0}
    assert document["findings"][1]["location"]["line"] == 2


def test_missing_file_exit_2_with_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["scan", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_unreadable_encoding_is_an_error_and_the_scan_goes_on(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x80\xff\x00\xfe\x81")
    good = tmp_path / "good.txt"
    good.write_text("13812345678", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(bad), str(good), "-f", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    # One file read, one error: every file ends in exactly one state.
    assert (document["summary"]["files"], document["summary"]["errors"]) == (1, 1)
    assert document["summary"]["entities"]["PHONE_NUMBER"] == 1
    assert document["errors"] == [{"path": str(bad),
                                   "error": "not text in UTF-8, UTF-16 or GB18030"}]


def test_bad_format_is_a_usage_error() -> None:
    result = runner.invoke(app, ["scan", "-", "--format", "xml"], input="x")
    assert result.exit_code == 2


def test_every_command_and_option_is_documented() -> None:
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    for command in ("scan", "screen", "demo"):
        assert command in top.output
        help_text = runner.invoke(app, [command, "--help"]).output
        assert help_text.strip()
    scan_help = runner.invoke(app, ["scan", "--help"]).output
    for option in ("--format", "--min-score", "--ocr", "--output", "--max-depth", "--max-ratio",
                   "--max-member-bytes", "--max-total-bytes", "--max-files", "--no-faces"):
        assert option in scan_help


def test_demo_builds_and_scans_a_pack(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["demo", "--output", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert "5 profile(s), 3 full kit(s)" in result.output
    assert "202311" not in result.output
    assert (tmp_path / "demo" / "report.html").is_file()


def test_demo_service_database_starts_fresh_each_time(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`demo --serve` seeds a new database each run: the same cases, one token that works
    (reason: a second run must not pile up copies of the sample cases)."""
    from notforsale.demo import SAMPLE_LISTINGS, build_pack, seed_service
    from notforsale.store import repository
    from notforsale.store.db import open_database

    pack = build_pack(tmp_path)
    counts = []
    for _ in range(2):
        url, token = seed_service(tmp_path, pack)
        with open_database(url)() as session:
            counts.append(repository.list_cases(session, decision="open")[0])
        assert repository.token_owner(open_database(url), token) == "demo-moderator"
        open_database.cache_clear()
    assert counts[0] == counts[1] > 1
    assert counts[0] <= len(SAMPLE_LISTINGS) + 1
