"""The conformance pack, in every container, against the summary written by hand.

Scanned as a folder, a zip, a zip in a zip, a tar.gz, a 7z and a folder inside a zip, the
pack (see build.py) must give exactly the hand-written summary; redacted, it must end
verified; with a format that cannot be rewritten it must end unverified (exit code 1, the
file listed); with files that are not read, they are skipped and named.
"""

from __future__ import annotations

import copy
import io
import json
import tarfile
from pathlib import Path

import py7zr
import pytest
from typer.testing import CliRunner

from notforsale.cli import app
from notforsale.demo import zip_bytes
from notforsale.redact.tree import redact
from notforsale.scan import scan_path
from tests.conformance import build as pack_builder


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _containers(pack: Path, root: Path) -> dict[str, Path]:
    files = _files(pack)
    out = {"folder": pack}
    (root / "pack.zip").write_bytes(zip_bytes(files))
    out["zip"] = root / "pack.zip"
    (root / "outer.zip").write_bytes(zip_bytes({"batch/pack.zip": zip_bytes(files)}))
    out["zip in zip"] = root / "outer.zip"
    with tarfile.open(root / "pack.tar.gz", "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    out["tar.gz"] = root / "pack.tar.gz"
    with py7zr.SevenZipFile(root / "pack.7z", "w") as archive:
        for name, data in files.items():
            archive.writestr(data, name)
    out["7z"] = root / "pack.7z"
    (root / "nested.zip").write_bytes(zip_bytes({f"seized/pack/{n}": d for n, d in files.items()}))
    out["folder inside a zip"] = root / "nested.zip"
    return out


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("conformance")
    return _containers(pack_builder.build(root / "pack"), root)


CONTAINERS = ["folder", "zip", "zip in zip", "tar.gz", "7z", "folder inside a zip"]


@pytest.mark.parametrize("container", CONTAINERS)
def test_the_summary_written_by_hand(inputs: dict[str, Path], container: str) -> None:
    result = scan_path(inputs[container])
    assert result.summary() == pack_builder.expected()["summary"], (
        [(e.path, e.message) for e in result.errors], [s.path for s in result.skipped])


@pytest.mark.parametrize("container", ["folder", "zip", "tar.gz", "7z"])
def test_the_pack_redacts_and_verifies(inputs: dict[str, Path], tmp_path: Path,
                                       container: str) -> None:
    source = inputs[container]
    target = tmp_path / ("out" if source.is_dir() else "out." + source.name.split(".", 1)[1])
    report = redact(source, target)
    assert report.status == "verified", (report.to_dict()["left_over"], report.not_checked)
    summary = report.summary()
    assert summary["numbers_masked"] >= 21
    assert summary["faces_covered"] >= 3


def _apply(summary: dict[str, object], changes: dict[str, int]) -> dict[str, object]:
    out = copy.deepcopy(summary)
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            out[outer][inner] = value  # type: ignore[index]
        else:
            out[key] = value
    return out


def test_a_format_that_cannot_be_rewritten_leaves_the_copy_unverified(tmp_path: Path) -> None:
    expected = pack_builder.expected()["with_unrewritable"]
    pack = pack_builder.build(tmp_path / "pack")
    pack_builder.add_unrewritable(pack)
    assert scan_path(pack).summary() == _apply(pack_builder.expected()["summary"],  # type: ignore[arg-type]
                                               expected["summary_changes"])  # type: ignore[index]
    result = CliRunner().invoke(app, ["redact", str(pack), str(tmp_path / "out"), "-f", "json"])
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["summary"]["status"] == expected["status"]  # type: ignore[index]
    assert [item["path"] for item in document["not_checked"]] == \
        expected["not_checked"]  # type: ignore[index]
    assert not (tmp_path / "out" / "extra.xls").exists()


def test_files_not_read_are_skipped_and_named(tmp_path: Path) -> None:
    expected = pack_builder.expected()["with_unknown"]
    pack = pack_builder.build(tmp_path / "pack")
    pack_builder.add_unknown(pack)
    result = scan_path(pack)
    assert result.summary() == _apply(pack_builder.expected()["summary"],  # type: ignore[arg-type]
                                      expected["summary_changes"])  # type: ignore[index]
    assert sorted(s.format for s in result.skipped) == expected["skipped_formats"]  # type: ignore[index]
