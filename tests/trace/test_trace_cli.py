"""``notforsale hash`` and ``notforsale trace``: lists from packs, packs against lists."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageOps
from typer.testing import CliRunner

from notforsale.cli import app

from .conftest import astronaut, caption, cropped, jpeg

runner = CliRunner()
RAW = "110101199003071233"
OTHER = Image.effect_mandelbrot((480, 360), (-2.0, -1.2, 1.0, 1.2), 80).convert("RGB")


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A seized pack: photos named by ID number, a nested zip, a text file, a broken image."""
    root = tmp_path / "seized"
    (root / "faces").mkdir(parents=True)
    (root / "faces" / f"{RAW}.jpg").write_bytes(jpeg(astronaut()))
    with zipfile.ZipFile(root / "batch2.zip", "w") as archive:
        archive.writestr("more/zhangsan_portrait.png", jpeg(OTHER))
    (root / "faces" / f"{RAW}.txt").write_text(f"身份证 {RAW}", encoding="utf-8")
    (root / "faces" / f"broken_{RAW}.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return root


def test_hash_writes_a_list_without_paths_or_numbers(pack: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack.hashes"
    result = runner.invoke(app, ["hash", str(pack), "-o", str(out), "--case", f"CASE {RAW}"])
    assert result.exit_code == 1, result.output  # written, but one member was an error
    assert "2 images and 0 videos hashed" in result.output and "1 other files skipped" in result.output
    assert "1 errors" in result.output
    assert RAW not in result.output and "110101********1233" in result.output  # the error
    text = out.read_text(encoding="utf-8")
    for leaked in (RAW, "faces", "batch2", "zhangsan", "broken", str(tmp_path)):
        assert leaked not in text, leaked
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["entries"] == 2 and lines[0]["case"] == "CASE 110101********1233"
    assert all(entry["hashes"][0]["kind"] == "pdq" for entry in lines[1:])


def test_hash_exports_threatexchange_lines(pack: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack.te"
    result = runner.invoke(app, ["hash", str(pack), "-o", str(out), "-f", "threatexchange"])
    assert result.exit_code == 1
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(line.startswith("pdq ") and len(line) == 68
                                   for line in lines)


@pytest.mark.parametrize(("setup", "message", "why"), [
    ("exists", "exists", "an existing output is never overwritten"),
    ("empty", "no image or video could be hashed", "nothing to hash is an input error"),
])
def test_hash_usage_errors_exit_2(tmp_path: Path, setup: str, message: str, why: str) -> None:
    out = tmp_path / "out.hashes"
    source = tmp_path / "src"
    source.mkdir()
    (source / "notes.txt").write_text("nothing", encoding="utf-8")
    if setup == "exists":
        out.write_text("keep", encoding="utf-8")
    result = runner.invoke(app, ["hash", str(source), "-o", str(out)])
    assert result.exit_code == 2, why
    assert message in result.output
    if setup == "exists":
        assert out.read_text(encoding="utf-8") == "keep"


def test_trace_finds_copies_with_distances(pack: Path, tmp_path: Path) -> None:
    listing = tmp_path / "pack.hashes"
    runner.invoke(app, ["hash", str(pack), "-o", str(listing)])
    found = tmp_path / "found"
    found.mkdir()
    (found / f"copy_{RAW}.jpg").write_bytes(jpeg(ImageOps.mirror(astronaut()), 50))
    (found / "cropped.jpg").write_bytes(jpeg(caption(cropped(OTHER, .04, .04, .04, .04)), 60))
    (found / "unrelated.jpg").write_bytes(jpeg(Image.effect_noise((300, 300), 70)
                                               .convert("RGB")))
    result = runner.invoke(app, ["trace", str(found), "--against", str(listing)])
    assert result.exit_code == 1, result.output
    rows = [line.split("\t") for line in result.output.splitlines() if "\t" in line]
    assert {row[0].rsplit("/", 1)[-1] for row in rows} == {"copy_110101********1233.jpg",
                                                           "cropped.jpg"}
    assert RAW not in result.output
    assert all(row[1] == "pack" and int(row[4].split()[1]) <= 31 for row in rows)
    assert "3 images and videos traced against 2 entries of 1 lists: 2 matched" in result.output

    jsonl = runner.invoke(app, ["trace", str(found), "-a", str(listing), "-f", "jsonl"])
    records = [json.loads(line) for line in jsonl.output.splitlines()]
    assert len(records) == 3 and sum(bool(r["matches"]) for r in records) == 2


def test_trace_against_a_threatexchange_file(tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(jpeg(astronaut()))
    te = tmp_path / "from-b.txt"
    runner.invoke(app, ["hash", str(photo), "-o", str(te), "-f", "threatexchange"])
    result = runner.invoke(app, ["trace", str(photo), "-a", str(te)])
    assert result.exit_code == 1 and "from-b" in result.output


def test_trace_with_an_unreadable_list_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.hashes"
    bad.write_text('{"format": "notforsale-hash-list", "version": 9}\n', encoding="utf-8")
    result = runner.invoke(app, ["trace", str(tmp_path), "--against", str(bad)])
    assert result.exit_code == 2 and "version 9 is not known" in result.output


def test_trace_with_no_match_exits_0(tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(jpeg(astronaut()))
    listing = tmp_path / "l.hashes"
    other = tmp_path / "other.jpg"
    other.write_bytes(jpeg(OTHER))
    runner.invoke(app, ["hash", str(other), "-o", str(listing)])
    result = runner.invoke(app, ["trace", str(photo), "--against", str(listing)])
    assert result.exit_code == 0 and "0 matched" in result.output
