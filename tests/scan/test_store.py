"""The results store: a scan too large for memory spills to disk and reads the same.

The spill point is lowered so a small pack spills; everything the result says must equal
what the same scan says in memory, the report must stream from the store, and the spilled
file must be gone once the result is.
"""

from __future__ import annotations

import gc
import io
import json
from pathlib import Path

import pytest

from notforsale.report.render import render
from notforsale.scan import scan_path
from notforsale.store import results
from tests.scan.test_linking import build_pack


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("store") / "pack"
    build_pack(root)
    big = "\n".join(f"{i},13812{i:06d}" for i in range(3_000))
    (root / "numbers.csv").write_text("id,mobile\n" + big, encoding="utf-8")
    return root


def _document(result) -> dict:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    render(result, "json", out)
    return json.loads(out.getvalue())


def test_a_spilled_scan_reads_like_one_in_memory(pack: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    in_memory = scan_path(pack)
    assert in_memory.store is None and isinstance(in_memory.findings, tuple)
    monkeypatch.setattr(results, "SPILL_ROWS", 500)
    monkeypatch.setenv("NOTFORSALE_DATA_DIR", str(tmp_path / "data"))
    spilled = scan_path(pack)
    assert spilled.store is not None and spilled.store.spilled
    files = list((tmp_path / "data" / "scans").iterdir())
    assert len(files) >= 1
    assert spilled.summary() == in_memory.summary()
    assert list(spilled.findings) == list(in_memory.findings)
    assert spilled.findings[5:8] == list(in_memory.findings[5:8])
    assert spilled.profiles == in_memory.profiles
    assert _document(spilled) == _document(in_memory)
    del spilled
    gc.collect()
    assert not any(p.suffix == ".sqlite" for p in (tmp_path / "data" / "scans").iterdir()), \
        "the spilled store is removed with its result"


def test_a_store_named_by_the_user_is_kept(pack: Path, tmp_path: Path) -> None:
    path = tmp_path / "scan.sqlite"
    result = scan_path(pack, store=path)
    assert path.exists() and result.summary()["profiles"] == 8
