"""An unexpected failure anywhere ends with exit code 2 (never 1, "findings") and a report
of what was done; a crashed redaction leaves no half-written copy; names are not markup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from notforsale.cli import app
from tests.hostile import makers


def test_a_reader_that_crashes_is_an_error_record(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from notforsale.read import documents

    def boom(member, ctx):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("a bug")
        yield

    monkeypatch.setattr(documents, "read_delimited", boom)
    (tmp_path / "a.csv").write_text("x", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(makers.GOOD)
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "-f", "json"])
    document = json.loads(result.stdout)
    assert result.exit_code == 1  # the good file's finding
    assert document["errors"] == [{"path": str(tmp_path / "a.csv"),
                                   "error": "could not be read as delimited table "
                                            "(ZeroDivisionError)"}]


def test_a_scan_that_stops_reports_what_it_did_with_exit_code_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from notforsale.read import walk

    original = walk.Walker.walk

    def walk_then_fail(self, path, base=None):  # type: ignore[no-untyped-def]
        yield from original(self, path, base)
        raise MemoryError("out of memory")

    monkeypatch.setattr(walk.Walker, "walk", walk_then_fail)
    (tmp_path / "b.txt").write_bytes(makers.GOOD)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["scan", str(tmp_path / "b.txt"), "-f", "json", "-o",
                                      str(out)])
    assert result.exit_code == 2
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["summary"]["files"] == 1
    assert document["errors"][-1]["path"] == "(scan)"
    assert "stopped early" in document["errors"][-1]["error"]


def test_a_crashed_redaction_leaves_no_copy(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from notforsale.redact import tree

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    (tmp_path / "src").mkdir()
    for index in range(5):
        (tmp_path / "src" / f"{index}.txt").write_bytes(makers.GOOD)
    monkeypatch.setattr(tree, "_verify", crash)
    with pytest.raises(KeyboardInterrupt):
        tree.redact(tmp_path / "src", tmp_path / "out")
    # The copy was complete, so it was moved into place before the check; a failure while
    # writing leaves nothing:
    monkeypatch.undo()

    def fail_on_third(self, member):  # type: ignore[no-untyped-def]
        if member.path.startswith("2"):
            raise KeyboardInterrupt
        return original(self, member)

    original = tree._Redactor._file
    monkeypatch.setattr(tree._Redactor, "_file", fail_on_third)
    with pytest.raises(KeyboardInterrupt):
        tree.redact(tmp_path / "src", tmp_path / "out2", tree.RedactOptions(workers=1))
    assert not (tmp_path / "out2").exists()
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_a_member_named_like_rich_markup_is_shown_as_it_is(tmp_path: Path) -> None:
    from notforsale.demo import zip_bytes

    (tmp_path / "pack.zip").write_bytes(zip_bytes({"x[/bold].png": b"\x89PNG broken",
                                                   "y[red]z.txt": makers.GOOD}))
    result = CliRunner().invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "x[/bold].png" in result.stdout and "y[red]z.txt" in result.stdout
