"""Cases the eleventh independent hostile set found (a tester who read only the README; 40
cases run once on edd5ca7: 15 pass, 9 warn, 16 fail). Fixed against, so no longer held
out; each test failed before its fix."""

from __future__ import annotations

import base64
import gzip
import zlib
from pathlib import Path

import pytest

from notforsale.redact.tree import redact
from notforsale.scan import scan_path

ID, ID_M = "110101199003071233", "110101********1233"
MOBILE, MOBILE_M = "13812345678", "+86 138****5678"


def _scan_and_redact(tmp_path: Path, files: dict[str, bytes]) -> tuple[set[str], object]:
    (tmp_path / "src").mkdir()
    for name, data in files.items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_bytes(data)
    result = scan_path(tmp_path / "src")
    report = redact(tmp_path / "src", tmp_path / "out")
    return {i.finding.masked for i in result.findings}, report


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


ENCODED = [
    # (file name, content, expected masked, an encoded piece that must be gone, reason)
    ("esc.js", "var id = '" + "".join(f"\\{ord(c):03o}" for c in ID) + "';\n", {ID_M},
     "\\061\\061\\060", "e05: octal escapes \\061"),
    ("esc2.js", "tel = '" + "".join(f"\\u{{{ord(c):x}}}" for c in MOBILE) + "';\n",
     {MOBILE_M}, "\\u{31}\\u{33}", "e05: ES6 code-point escapes \\u{31}"),
    ("esc.txt", "GET /q?tel=" + "".join(f"%u{ord(c):04X}" for c in MOBILE) + " ok\n",
     {MOBILE_M}, "%u0031%u0033", "e05: IIS %u0031 escapes"),
    ("refs.txt", "id " + "".join(f"&#{ord(c)}" for c in ID) + " ok\n", {ID_M},
     "&#49&#49&#48", "e05: decimal references without semicolons"),
    ("b32.txt", "k " + base64.b32encode(f"sfz {ID}".encode()).decode() + " ok\n", {ID_M},
     base64.b32encode(f"sfz {ID}".encode()).decode(), "e06: base32"),
    ("a85.txt", "k " + base64.a85encode(f"sfz {ID}".encode(), adobe=True).decode() + " ok\n",
     {ID_M}, base64.a85encode(f"sfz {ID}".encode(), adobe=True).decode(),
     "e06: ascii85 <~…~>"),
    ("url.txt", "t=" + base64.urlsafe_b64encode(MOBILE.encode()).decode().rstrip("=")
     + " ok\n", {MOBILE_M}, base64.urlsafe_b64encode(MOBILE.encode()).decode().rstrip("="),
     "e06: base64url of a bare phone, no padding (15 characters)"),
    ("u16.txt", "k " + _b64(f"sfz {ID}".encode("utf-16-le")) + " ok\n", {ID_M},
     _b64(f"sfz {ID}".encode("utf-16-le")), "e06: base64 of UTF-16LE"),
    ("gz.json", '{"blob": "' + _b64(gzip.compress(f"sfz {ID}".encode(), mtime=0)) + '"}\n',
     {ID_M}, _b64(gzip.compress(f"sfz {ID}".encode(), mtime=0)),
     "e07: base64 of gzip (H4sI…) in a JSON field"),
    ("z.log", "payload=" + _b64(zlib.compress(f"tel {MOBILE}".encode())) + " ok\n",
     {MOBILE_M}, _b64(zlib.compress(f"tel {MOBILE}".encode())),
     "e07: base64 of zlib (eJ…) in a log line"),
    ("kit.tex", "\\texttt{" + "}\\allowbreak\\texttt{".join(
        [ID[:6], ID[6:14], ID[14:]]) + "} ok\n", {ID_M}, "\\allowbreak",
     "e08: TeX groups joined by \\allowbreak"),
    ("kit2.tex", "tel " + "{}".join([MOBILE[:3], MOBILE[3:7], MOBILE[7:]]) + " ok\n",
     {MOBILE_M}, "{}", "e08: empty TeX groups"),
    ("kit3.tex", "sfz " + "\\,".join(ID) + " ok\n", {ID_M}, "1\\,1\\,0",
     "e08: a thin space between every digit"),
]


@pytest.mark.parametrize("name, content, expected, gone, reason", ENCODED,
                         ids=[c[4] for c in ENCODED])
def test_numbers_written_encoded_are_read_and_masked(tmp_path: Path, name: str,
                                                     content: str, expected: set[str],
                                                     gone: str, reason: str) -> None:
    found, report = _scan_and_redact(tmp_path, {name: content.encode()})
    assert found == expected, reason
    assert report.status == "verified", (reason, report.to_dict())  # type: ignore[attr-defined]
    copy = (tmp_path / "out" / name).read_text(encoding="utf-8")
    assert ID not in copy and MOBILE not in copy and gone not in copy, (reason, copy)
    if "ok" in content:
        assert "ok" in copy


def test_a_gzip_inside_base64_is_inflated_within_a_bound(tmp_path: Path) -> None:
    """A base64 word of a gzip bomb (64 MiB of zeros) is not inflated past the bound."""
    import time

    bomb = _b64(gzip.compress(bytes(64 * 1024 * 1024), mtime=0))
    (tmp_path / "b.txt").write_text(f"x {bomb}\nsfz {ID}\n", encoding="utf-8")
    started = time.monotonic()
    result = scan_path(tmp_path)
    assert time.monotonic() - started < 20
    assert {i.finding.masked for i in result.findings} == {ID_M}
