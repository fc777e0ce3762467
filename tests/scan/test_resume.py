"""A scan kept in a store resumes where it stopped: finished inputs are not read again, and
the resumed scan reports what one uninterrupted scan reports."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from notforsale import scan as scan_module
from notforsale.errors import InputError
from notforsale.read.limits import Limits
from notforsale.scan import ScanOptions, scan_path
from tests.scan.test_executors import _view
from tests.scan.test_pieces import _csv, _people

OPTIONS = ScanOptions(workers=1, faces=False, ocr="never", limits=Limits(piece_bytes=400))


class Stop(BaseException):
    """Stands for Ctrl-C or a killed process (not an error the scan reports)."""


def _folder(root: Path) -> Path:
    root.mkdir()
    people = _people(40)
    for index, (name, rid, card, phone) in enumerate(people[:20]):
        (root / f"{index:02d}.txt").write_text(f"{name} 身份证 {rid} 卡 {card} 手机 {phone}\n",
                                               encoding="utf-8")
    (root / "zz_leak.csv").write_bytes(_csv(people[20:]))  # read in pieces
    return root


def test_an_interrupted_scan_resumes_without_reading_finished_inputs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _folder(tmp_path / "pack")
    expected = _view(scan_path(root, OPTIONS))
    monkeypatch.setattr(scan_module, "COMMIT_EVERY", 0.0)
    store = tmp_path / "scan.sqlite"
    seen: list[str] = []

    def stop_at_the_twelfth(path: str) -> None:
        seen.append(path)
        if len(seen) == 12:
            raise Stop

    with pytest.raises(Stop):
        scan_path(root, OPTIONS, progress=stop_at_the_twelfth, store=store)
    first = list(seen)
    seen.clear()
    resumed = scan_path(root, OPTIONS, progress=seen.append, store=store, resume=True)
    assert _view(resumed) == expected
    assert len(seen) < len(first) + 10, "most of the first run's inputs are not read again"
    again = set(first[:8]) & set(seen)
    assert not again, f"finished inputs read again: {sorted(again)}"
    resumed.store.close() if resumed.store is not None else None


def test_a_store_that_exists_is_not_overwritten_nor_mixed(tmp_path: Path) -> None:
    root = _folder(tmp_path / "pack")
    store = tmp_path / "scan.sqlite"
    result = scan_path(root, OPTIONS, store=store)
    if result.store is not None:
        result.store.close()
    with pytest.raises(InputError, match="exists"):
        scan_path(root, OPTIONS, store=store)


@pytest.mark.parametrize(("change", "message", "reason"), [
    ({"min_score": 0.9}, "other settings", "findings would mix two settings"),
    ({"key": "another key"}, "another fingerprint key", "fingerprints would not match"),
])
def test_a_resume_with_other_settings_or_key_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: dict[str, object],
        message: str, reason: str) -> None:
    root = _folder(tmp_path / "pack")
    store = tmp_path / "scan.sqlite"
    result = scan_path(root, OPTIONS, store=store)
    if result.store is not None:
        result.store.close()
    options = OPTIONS
    if "key" in change:
        monkeypatch.setenv("NOTFORSALE_KEY", str(change["key"]))
    else:
        options = replace(OPTIONS, **change)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=message):
        scan_path(root, options, store=store, resume=True)


def test_resume_needs_a_store(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no results store"):
        scan_path(tmp_path, OPTIONS, store=tmp_path / "missing.sqlite", resume=True)


def test_faces_read_before_a_resume_are_counted_unassigned_never_dropped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from notforsale.demo import _astronaut, jpeg_bytes

    root = tmp_path / "pack"
    root.mkdir()
    for index in range(4):
        (root / f"{index}.jpg").write_bytes(jpeg_bytes(_astronaut()))
    options = ScanOptions(workers=1, ocr="never")
    monkeypatch.setattr(scan_module, "COMMIT_EVERY", 0.0)
    store = tmp_path / "scan.sqlite"
    seen: list[str] = []

    def stop_at_the_fourth(path: str) -> None:
        seen.append(path)
        if len(seen) == 4:
            raise Stop

    with pytest.raises(Stop):
        scan_path(root, options, progress=stop_at_the_fourth, store=store)
    resumed = scan_path(root, options, store=store, resume=True)
    before = [f for f in resumed.faces_unassigned if "resumed" in f.reason]
    assigned = sum(len(p.faces) for p in resumed.persons)
    assert before, "faces of the first run are told"
    assert assigned + len(resumed.faces_unassigned) == 4, "every face is a person's or told"
