"""Walking folders and archives: nesting, encodings, limits, hostile members."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import py7zr
import pytest

from notforsale.read.limits import Limits
from notforsale.read.walk import Member, MemberError, Walker


def _zip(entries: dict[str, bytes], *, gbk_names: bool = False) -> bytes:
    """A zip archive; with ``gbk_names``, names in GBK without the UTF-8 flag, as
    Chinese Windows tools write them (zipfile itself would write UTF-8)."""
    buffer = io.BytesIO()
    swaps = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries.items()):
            if gbk_names and not name.isascii():
                raw = name.encode("gbk")
                placeholder = f"~{index}~".ljust(len(raw), "~").encode("ascii")
                swaps.append((placeholder, raw))
                name = placeholder.decode("ascii")
            archive.writestr(name, data)
    out = buffer.getvalue()
    for placeholder, raw in swaps:
        out = out.replace(placeholder, raw)
    return out


def _walk(path: Path, limits: Limits | None = None) -> tuple[dict[str, bytes], dict[str, str]]:
    members, errors = {}, {}
    for item in Walker(limits).walk(path):
        if isinstance(item, Member):
            members[item.path] = item.data
        elif isinstance(item, MemberError):
            errors[item.path] = item.message
    return members, errors


def test_nested_zip_with_gbk_names(tmp_path: Path) -> None:
    inner = _zip({"faces/21.jpg": b"jpeg", "名单.txt": b"13812345678"}, gbk_names=True)
    (tmp_path / "pack.zip").write_bytes(_zip({"第二批.zip": inner, "readme.txt": b"hi"}))
    members, errors = _walk(tmp_path / "pack.zip")
    root = str(tmp_path / "pack.zip")
    assert set(members) == {f"{root}!/第二批.zip!/faces/21.jpg", f"{root}!/第二批.zip!/名单.txt",
                            f"{root}!/readme.txt"}
    assert errors == {}


@pytest.mark.parametrize("mode,suffix", [("w:gz", ".tar.gz"), ("w:bz2", ".tar.bz2"),
                                         ("w:xz", ".tar.xz"), ("w", ".tar")])
def test_tar_variants(tmp_path: Path, mode: str, suffix: str) -> None:
    path = tmp_path / f"pack{suffix}"
    with tarfile.open(path, mode) as archive:
        data = b"id 110101199003071233"
        info = tarfile.TarInfo("people/a.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("people/escape")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    members, errors = _walk(path)
    assert list(members.values()) == [b"id 110101199003071233"]
    assert list(errors.values()) == ["link not followed"]


def test_7z_and_encrypted_7z(tmp_path: Path) -> None:
    plain = tmp_path / "a.7z"
    with py7zr.SevenZipFile(plain, "w") as archive:
        archive.writestr(b"13812345678", "x/phone.txt")
        archive.writestr(_zip({"in.txt": b"nested"}), "x/inner.zip")
    secret = tmp_path / "b.7z"
    with py7zr.SevenZipFile(secret, "w", password="pw") as archive:
        archive.writestr(b"13812345678", "phone.txt")
    members, errors = _walk(tmp_path)
    assert members == {f"{plain}!/x/phone.txt": b"13812345678",
                       f"{plain}!/x/inner.zip!/in.txt": b"nested"}
    assert errors == {str(secret): "encrypted 7z archive; not read"}


def test_encrypted_zip_member_is_an_error(tmp_path: Path) -> None:
    data = bytearray(_zip({"secret.txt": b"13812345678", "open.txt": b"ok"}))
    # Set the "encrypted" flag of the first member in its local and central headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 0x1
    (tmp_path / "locked.zip").write_bytes(bytes(data))
    members, errors = _walk(tmp_path / "locked.zip")
    assert list(members) == [f"{tmp_path / 'locked.zip'}!/open.txt"]
    assert list(errors.values()) == ["encrypted member; not read"]


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bomb.zip").write_bytes(_zip({"zeros.bin": bytes(64 * 1024 * 1024),
                                              "ok.txt": b"fine"}))
    members, errors = _walk(tmp_path / "bomb.zip")
    assert list(members.values()) == [b"fine"]
    assert "ratio" in next(iter(errors.values()))


def _tar_stream(mode: str, entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as archive:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


@pytest.mark.parametrize("mode,suffix", [("w:xz", "tar.xz"), ("w:gz", "tar.gz"),
                                         ("w:bz2", "tar.bz2")])
def test_a_tar_member_past_the_ratio_costs_only_itself(tmp_path: Path, mode: str,
                                                       suffix: str) -> None:
    """A compressed tar is one stream: a bomb between good members used to end the archive
    (the members after it lost). It is now skipped through, bounded reads, no memory; a
    record says it was not read."""
    data = _tar_stream(mode, [("a.txt", b"before"), ("zeros.bin", bytes(64 * 1024 * 1024)),
                              ("z.txt", b"after")])
    (tmp_path / f"pack.{suffix}").write_bytes(data)
    members, errors = _walk(tmp_path / f"pack.{suffix}")
    assert sorted(members.values()) == [b"after", b"before"]
    assert list(errors) == [f"{tmp_path / f'pack.{suffix}'}!/zeros.bin"]
    assert "ratio" in next(iter(errors.values()))


def test_a_tar_stream_stops_after_skipping_too_much(tmp_path: Path) -> None:
    """Skipping costs decompression time: past the skip allowance the rest is not read,
    and one record says so."""
    data = _tar_stream("w:gz", [("a.bin", bytes(32 * 1024 * 1024)),
                                ("b.bin", bytes(32 * 1024 * 1024)), ("z.txt", b"after")])
    (tmp_path / "pack.tar.gz").write_bytes(data)
    members, errors = _walk(tmp_path / "pack.tar.gz",
                            Limits(max_skipped_stream_bytes=40 * 1024 * 1024))
    assert members == {}
    assert [m for m in errors.values()][0].startswith("compression ratio")
    assert "rest of the archive not read" in list(errors.values())[-1]


def test_nesting_depth_limit(tmp_path: Path) -> None:
    data = b"core"
    for _ in range(5):
        data = _zip({"next.zip" if data != b"core" else "core.txt": data})
    (tmp_path / "deep.zip").write_bytes(data)
    members, errors = _walk(tmp_path / "deep.zip", Limits(max_depth=3))
    assert members == {}
    assert "nested deeper than 3" in next(iter(errors.values()))


def test_corrupt_archive_and_path_escape(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    (tmp_path / "escape.zip").write_bytes(_zip({"../../etc/evil.txt": b"x", "ok.txt": b"y"}))
    members, errors = _walk(tmp_path)
    assert list(members.values()) == [b"y"]
    messages = sorted(errors.values())
    assert messages[0] == "path climbs out of the archive; not read"
    assert messages[1].startswith("zip without its central directory (cut short?): 0 member")


def test_symlinks_in_folders_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("13812345678")
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "a.txt").write_text("a")
    os.symlink(outside, pack / "link_dir")
    os.symlink(outside / "secret.txt", pack / "link_file.txt")
    members, errors = _walk(pack)
    assert [Path(p).name for p in members] == ["a.txt"]
    assert sorted(Path(p).name for p in errors) == ["link_dir", "link_file.txt"]


def test_member_and_file_limits(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 2000)
    for i in range(3):
        (tmp_path / f"s{i}.txt").write_bytes(b"s")
    members, errors = _walk(tmp_path, Limits(max_member_bytes=1000, max_files=3))
    assert len(members) == 2
    assert any("member limit" in m for m in errors.values())
    assert any("file limit" in m for m in errors.values())
