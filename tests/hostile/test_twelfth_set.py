"""Cases from the twelfth held-out hostile set (a tester who read only the README), each
a test that failed before its fix."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from notforsale.redact.tree import redact
from notforsale.scan import scan_path

ID, ID_M = "110101199003071233", "110101********1233"
ID2, ID2_M = "110105195609096969", "110105********6969"
MOBILE, MOBILE_M = "13812345678", "+86 138****5678"


def _tar(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _damaged(data: bytes, name: bytes) -> bytes:
    """``data`` with the checksum of the header naming ``name`` broken."""
    raw = bytearray(data)
    at = raw.find(name)
    assert at >= 0 and at % 512 == 0
    raw[at + 148:at + 156] = b"0000000\x00"
    return bytes(raw)


@pytest.mark.parametrize("compress", ["", "gz"])
def test_members_after_a_damaged_tar_header_are_read(tmp_path: Path, compress: str) -> None:
    """f38: one header with a broken checksum mid-archive ended the tar there (GNU tar
    skips to the next good header: the members after it were lost, with no record)."""
    data = _damaged(_tar([("a.txt", f"sfz {ID}\n".encode()),
                          ("b.txt", b"lost\n" * 300),  # its data blocks are no headers
                          ("c.txt", f"tel {MOBILE}\n".encode()),
                          ("d.txt", f"sfz {ID2}\n".encode())]), b"b.txt")
    if compress:
        import gzip

        data = gzip.compress(data, mtime=0)
    name = "pack.tar" + (".gz" if compress else "")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / name).write_bytes(data)
    result = scan_path(tmp_path / "src")
    assert {i.finding.masked for i in result.findings} == {ID_M, MOBILE_M, ID2_M}
    assert len(result.errors) == 1 and "damaged header" in result.errors[0].message, \
        result.errors
    report = redact(tmp_path / "src", tmp_path / "out")
    assert report.status != "verified", "a member was not read: the copy cannot be verified"
    for path in (tmp_path / "out").rglob("*"):
        assert not path.is_file() or ID.encode() not in path.read_bytes()


def test_a_tar_whose_first_header_is_damaged_is_not_read_as_a_tar(tmp_path: Path) -> None:
    data = _damaged(_tar([("a.txt", f"sfz {ID}\n".encode())]), b"a.txt")
    (tmp_path / "x.tar").write_bytes(data)
    result = scan_path(tmp_path)
    assert result.errors or result.skipped  # said, never silently nothing
