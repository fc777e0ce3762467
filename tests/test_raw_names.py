"""Names that are raw numbers and fail to read leave no raw number anywhere.

Seized packs name files, folders, sheets and JSON keys after the people in them, and many
of those files are broken. Every CLI command and the service are run on such inputs;
stdout, stderr, the logs, every report format, the redacted copy's names and the database
must hold the masked forms only (paths are masked once, where they are read).
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from notforsale.cli import app
from tests import builders as b

RAW = ["110101199003071233", "13812345678", "6222021234567890128", "11010119900307109X",
       "440305198512310026"]


def _assert_clean(blob: str, where: str) -> None:
    digits = re.sub(r"[^0-9Xx]", "", blob)
    for value in RAW:
        assert value not in blob, f"raw value in {where}"
        assert value not in digits, f"raw digits in {where}, even with separators"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    root = tmp_path / "d"
    (root / RAW[3]).mkdir(parents=True)
    (root / f"{RAW[0]}.txt").write_bytes(b"\x80\xff\x00\xfe\x81 undecodable")
    (root / f"{RAW[1]}.jpg").write_bytes(b"\xff\xd8\xff broken jpeg")
    (root / f"{RAW[2]}.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (root / RAW[3] / f"{RAW[4]}.docx").write_bytes(b"PK\x03\x04 broken docx")
    (root / RAW[3] / f"{RAW[4]}.pdf").write_bytes(b"%PDF-1.4 broken")
    (root / "keys.json").write_text(json.dumps({RAW[0]: "x", "n": {RAW[4]: 1}}),
                                    encoding="utf-8")
    (root / "sheet.xlsx").write_bytes(_xlsx_titled(RAW[1]))
    (root / f"{RAW[0]}.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40)
    return root


def _xlsx_titled(title: str) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = title
    book.active.append(["电话"])
    book.active.append([RAW[1]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _invoke(args: list[str], caplog: pytest.LogCaptureFixture) -> str:
    result = CliRunner().invoke(app, ["--verbose", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result.output + (result.stderr if result.stderr_bytes else "") + caplog.text


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "html"])
def test_scan_reports_and_stderr(pack: Path, tmp_path: Path, fmt: str,
                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    out = tmp_path / f"report.{fmt}"
    seen = _invoke(["scan", str(pack), "-f", fmt, "-o", str(out)], caplog)
    report = out.read_text(encoding="utf-8")
    assert "110101********1233" in report
    assert "error" in report.lower() or fmt == "jsonl"
    _assert_clean(seen + report, f"scan -f {fmt}")
    if fmt != "html":
        seen = _invoke(["scan", str(pack), "-f", fmt], caplog)
        _assert_clean(seen, f"scan -f {fmt} to stdout")


def test_scan_of_missing_paths_named_by_numbers(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen = _invoke(["scan", str(tmp_path / f"{RAW[0]}.zip"), str(tmp_path / RAW[1])], caplog)
    assert "no such file" in seen
    _assert_clean(seen, "scan of missing paths")


def test_redact_reports_names_and_copy(pack: Path, tmp_path: Path,
                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for fmt in ("table", "json"):
        target = tmp_path / f"copy-{fmt}"
        seen = _invoke(["redact", str(pack), str(target), "-f", fmt], caplog)
        _assert_clean(seen, f"redact -f {fmt}")
        names = " ".join(str(p.relative_to(target)) for p in target.rglob("*"))
        _assert_clean(names, "names in the copy")
        for path in target.rglob("*"):
            if path.is_file():
                _assert_clean(path.read_bytes().decode("latin-1"), f"copy of {path.name}")
    seen = _invoke(["redact", str(tmp_path / RAW[0]), str(tmp_path / "x")], caplog)
    _assert_clean(seen, "redact of a missing source")


def test_screen_of_a_file_named_by_a_number(tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen = _invoke(["screen", str(tmp_path / f"{RAW[0]}.jsonl")], caplog)
    assert "no such file" in seen
    bad = tmp_path / f"{RAW[1]}.jsonl"
    bad.write_bytes(b"\x80\xff\x00\xfe")
    seen += _invoke(["screen", str(bad)], caplog)
    _assert_clean(seen, "screen")


def test_service_upload_named_by_a_number_that_fails_to_read(tmp_path: Path) -> None:
    from notforsale.service.app import create_app
    from notforsale.service.settings import ServiceSettings
    from notforsale.store import repository
    from notforsale.store.db import open_database

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with open_database(url)() as session:
        token = repository.create_token(session, "ann")
    client = TestClient(create_app(ServiceSettings(db_url=url)))
    auth = {"Authorization": f"Bearer {token}"}
    answers = []
    for name, data in ((f"{RAW[0]}.zip", b"PK\x03\x04 broken"),
                       (f"{RAW[1]}.docx", b.docx([f"身份证 {RAW[4]}"])),
                       (f"{RAW[2]}.bin", b"\x00\x01")):
        answer = client.post("/v1/files/scan", headers=auth, files={"file": (name, data)})
        assert answer.status_code == 200, answer.text
        answers.append(answer.text)
    assert "110101********1233.zip" in answers[0]
    assert json.loads(answers[2])["summary"]["skipped"] == 1
    cases = client.get("/v1/cases", headers=auth).text
    _assert_clean(" ".join(answers) + cases, "service answers")
    engine = create_engine(url)
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).fetchall()
            _assert_clean(" ".join(str(row) for row in rows), f"table {table}")
    engine.dispose()
