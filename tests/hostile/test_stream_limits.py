"""Streams that must stay linear and bounded (issue 11, the independent hostile tester).

A table with an unclosed double quote: the quote must not make the rest of the file one
field whose cutting is re-done as the file is read (quadratic) and which ends past the
member limit with "the rest of the file was not read". The line that opens the quote is
read as a row of its own and the rows after it as rows, with their own numbers.

A PDF stream compressed twice (``/Filter [/FlateDecode /FlateDecode]``, or a Flate stream
under an ASCII, run-length or LZW encoding): the decompression guard measures the decoded
size through the whole filter chain, each step bounded, and a stream past the limit is left
out with an error record like a single bomb; the other pages are read.

Everything is generated here; nothing large is committed.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from notforsale.read import pieces
from notforsale.read.limits import Limits, MiB
from notforsale.scan import ScanOptions, scan_path
from tests.hostile.child import peak_mb
from tests.hostile.makers import pdf_of

KiB = 1024
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _resident_id(n: int) -> str:
    """A valid, distinct resident ID for row ``n`` (county 110101, a plausible birth date)."""
    body = f"110101{1950 + n % 50:04d}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
                                % 11]


def _masked(resident_id: str) -> str:
    return resident_id[:6] + "*" * 8 + resident_id[14:]


def _table(size: int, every: int = 1) -> tuple[bytes, dict[int, str]]:
    """A csv of about ``size`` bytes whose line 3 opens a double quote never closed; an ID
    on every ``every``-th row after it. Returns the bytes and {row number: ID}."""
    lines = ["name,id,note", "alice,110101199003071233,x", '"abc,110101199003071233']
    ids: dict[int, str] = {}
    total = sum(len(line) + 1 for line in lines)
    n = 0
    while total < size:
        row = len(lines) + 1
        if n % every == 0:
            ids[row] = _resident_id(n)
            line = f"row{n},{ids[row]},ok"
        else:
            line = f"row{n},none,padding padding padding"
        lines.append(line)
        total += len(line) + 1
        n += 1
    return ("\n".join(lines) + "\n").encode(), ids


def _cut_work(data: bytes, size: int, monkeypatch: pytest.MonkeyPatch
              ) -> tuple[int, list[pieces.Cut]]:
    """Bytes the table cutter examined to cut ``data`` in pieces of about ``size``."""
    work = [0]
    cut = pieces._cut_table

    def counted(chunk: bytes) -> int:
        work[0] += len(chunk)
        return cut(chunk)

    monkeypatch.setattr(pieces, "_cut_table", counted)
    cuts = list(pieces.pieces(io.BytesIO(data), "csv", size, 64 * MiB))
    return work[0], cuts


def test_cutting_a_table_with_an_unclosed_quote_is_linear(
        monkeypatch: pytest.MonkeyPatch) -> None:
    small, _ = _table(1 * MiB)
    large, _ = _table(4 * MiB)
    small_work, small_cuts = _cut_work(small, 16 * KiB, monkeypatch)
    large_work, large_cuts = _cut_work(large, 16 * KiB, monkeypatch)
    for data, cuts in ((small, small_cuts), (large, large_cuts)):
        assert not any(cut.error for cut in cuts)
        assert b"".join(cut.data for cut in cuts) == data  # nothing lost, nothing twice
        assert max(len(cut.data) for cut in cuts) <= 2 * 16 * KiB
    # Four times the bytes: about four times the pieces and the bytes examined (before:
    # one piece of the whole rest, cut again at every read, 16 times the work).
    assert 3.5 * len(small_cuts) <= len(large_cuts) <= 4.5 * len(small_cuts)
    assert large_work <= 5 * small_work, (small_work, large_work)
    # the line that opens the quote is a piece's last line: the next piece starts fresh
    assert any(cut.data.endswith(b'"abc,110101199003071233\n') for cut in small_cuts)


def test_an_unclosed_quote_in_a_compressed_table_does_not_hide_the_rows_after_it(
        tmp_path: Path) -> None:
    """The tester's case: leak.csv.gz, line 3 opens a quote, 4 MB of rows with IDs after.
    Before: the rest was one field, past the member limit: "the rest of the file was not
    read" and none of the later IDs found (and cut again at every read: quadratic)."""
    data, ids = _table(4 * MiB, every=16)
    (tmp_path / "leak.csv.gz").write_bytes(gzip.compress(data, 6))
    result = scan_path(tmp_path / "leak.csv.gz", ScanOptions(limits=Limits(
        piece_bytes=256 * KiB, max_member_bytes=1 * MiB)))
    assert not result.errors, [e.message for e in result.errors]
    found = {(item.location.row, item.finding.masked) for item in result.findings}
    last = max(ids)
    assert (last, _masked(ids[last])) in found  # the last row, with its own row number
    assert {(row, _masked(value)) for row, value in ids.items()} <= found
    # the ID on the line that opens the quote is found too
    assert "110101********1233" in {masked for row, masked in found if row == 3}


# -- PDF streams compressed through a chain of filters -----------------------------------


def _a85(data: bytes) -> bytes:
    return base64.a85encode(data) + b"~>"


def _ahx(data: bytes) -> bytes:
    return data.hex().encode() + b">"


def _run_length(data: bytes) -> bytes:
    out = bytearray()
    for at in range(0, len(data), 128):
        piece = data[at:at + 128]
        out += bytes([len(piece) - 1]) + piece  # literal runs only
    return bytes(out + b"\x80")


def _lzw(data: bytes) -> bytes:
    """LZW as PDF writes it (MSB first); the table is cleared before codes need 10 bits, so
    every code is 9 bits wide and the early-change rule never comes into play."""
    table = {bytes([i]): i for i in range(256)}
    codes = [256]
    current = b""
    for value in data:
        candidate = current + bytes([value])
        if candidate in table:
            current = candidate
            continue
        codes.append(table[current])
        table[candidate] = len(table) + 2
        current = bytes([value])
        if len(table) + 2 >= 500:
            codes.append(256)
            table = {bytes([i]): i for i in range(256)}
    if current:
        codes.append(table[current])
    codes.append(257)
    bits = "".join(format(code, "09b") for code in codes)
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def _deflate(content: bytes, spaces: int) -> bytes:
    """``content`` then ``spaces`` spaces, deflated a megabyte at a time."""
    compressor = zlib.compressobj(9)
    body = compressor.compress(content)
    chunk = b" " * MiB
    for _ in range(spaces // MiB):
        body += compressor.compress(chunk)
    return body + compressor.compress(b" " * (spaces % MiB)) + compressor.flush()


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "FlateDecode": zlib.compress, "ASCIIHexDecode": _ahx, "ASCII85Decode": _a85,
    "RunLengthDecode": _run_length, "LZWDecode": _lzw}

#: Chains whose last filter (the one applied first) is a Flate bomb.
CHAINS = [("FlateDecode", "FlateDecode"), ("ASCIIHexDecode", "FlateDecode"),
          ("ASCII85Decode", "FlateDecode"), ("RunLengthDecode", "FlateDecode"),
          ("LZWDecode", "FlateDecode"), ("FlateDecode", "FlateDecode", "FlateDecode")]

PAGE = b"BT /F1 12 Tf 72 720 Td (ID 110101199003071233) Tj ET\n"


def _encoded(chain: tuple[str, ...], spaces: int) -> bytes:
    """PAGE and ``spaces`` spaces encoded so that ``chain`` (a PDF /Filter array, first
    applied first when decoding) decodes it."""
    data = _deflate(PAGE, spaces)
    for name in reversed(chain[:-1]):
        data = ENCODERS[name](data)
    return data


def _pdf(first: bytes, chain: tuple[str, ...], after: bytes = b"phone 13812345678") -> bytes:
    """Two pages: the first's content stream ``first`` under the filter ``chain``, the
    second's a small Flate stream showing ``after``."""
    font = (b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont "
            b"/Helvetica >> >> >>")
    filters = b"[" + b" ".join(b"/" + name.encode() for name in chain) + b"]"
    small = zlib.compress(b"BT /F1 12 Tf 72 720 Td (" + after + b") Tj ET\n")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [4 0 R 6 0 R] /Count 2 >>",
               b"<< /Length %d /Filter %s >>\nstream\n" % (len(first), filters) + first
               + b"\nendstream",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
               + font + b" >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(small) + small
               + b"\nendstream",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
               + font + b" >>"]
    return pdf_of(objects)


def _name(chain: tuple[str, ...]) -> str:
    return "+".join(name.removesuffix("Decode") for name in chain)


@pytest.mark.parametrize("chain", CHAINS, ids=_name)
def test_a_chained_stream_under_the_limit_is_read(tmp_path: Path,
                                                   chain: tuple[str, ...]) -> None:
    """The encoders here and the guard's decoders agree with PDFium: a small stream under
    each chain is read, the ID on its page found, nothing refused."""
    (tmp_path / "ok.pdf").write_bytes(_pdf(_encoded(chain, 1000), chain))
    result = scan_path(tmp_path / "ok.pdf", ScanOptions(limits=Limits(max_member_bytes=4 * MiB)))
    assert not result.errors, [e.message for e in result.errors]
    assert sorted((i.location.page, i.finding.type) for i in result.findings) == [
        (1, "CN_RESIDENT_ID"), (2, "PHONE_NUMBER")]


@pytest.mark.parametrize("chain", CHAINS, ids=_name)
def test_a_stream_bomb_under_a_chain_of_filters_is_left_out(tmp_path: Path,
                                                            chain: tuple[str, ...]) -> None:
    """Before: the guard inflated a stream once, and only one starting like zlib: the
    outer layer of a double Flate is small, an ASCII or LZW layer hid the zlib header, and
    PDFium inflated the whole chain (a scan reached 2.1 GB)."""
    spaces = 24 * MiB
    (tmp_path / "bomb.pdf").write_bytes(_pdf(_encoded(chain, spaces), chain))
    result = scan_path(tmp_path / "bomb.pdf", ScanOptions(limits=Limits(
        max_member_bytes=4 * MiB)))
    assert len(result.errors) == 1, [e.message for e in result.errors]
    assert "expands past" in result.errors[0].message
    assert "bomb.pdf (stream at byte " in result.errors[0].path
    assert [(i.location.page, i.finding.type) for i in result.findings] == [
        (2, "PHONE_NUMBER")]


def _zeros_deflated(size: int, times: int) -> bytes:
    """A zlib stream of ``size * times`` zeros, made from one deflated block of ``size``
    repeated (a full flush makes each alike), the trailer's checksum counted: 2 GiB in
    ~1 s, where compressing them took ~13 s of the suite."""
    zeros = bytes(size)
    compressor = zlib.compressobj(9)
    head = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(times):
        checksum = zlib.adler32(zeros, checksum)
    return head + block * (times - 1) + b"\x03\x00" + checksum.to_bytes(4, "big")


def test_zeros_deflated_inflate_to_what_they_say() -> None:
    data = _zeros_deflated(1 * MiB, 5)
    assert zlib.decompress(data) == bytes(5 * MiB)


def test_a_twice_compressed_two_gigabyte_stream_stays_bounded(tmp_path: Path) -> None:
    """The tester's PDF: 2 GiB of zeros deflated twice (a few KB); scanned in a child
    process with the default limits, its peak memory measured (VmHWM)."""
    inner = _zeros_deflated(16 * MiB, 128)
    chain = ("FlateDecode", "FlateDecode")
    (tmp_path / "zeros.pdf").write_bytes(_pdf(zlib.compress(inner, 9), chain))
    peak, _ = peak_mb("scan", str(tmp_path / "zeros.pdf"), "-f", "json", "-o",
                      str(tmp_path / "r.json"))
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["errors"] == 1
    assert any(f["type"] == "PHONE_NUMBER" for f in report["findings"])
    # measured ~135 MB with the chain measured; before: 3.2 GB (PDFium inflated both layers)
    assert peak < 600, f"scan peaked at {peak:.0f} MB"


def test_a_filter_chain_given_by_reference_escaped_or_not_found_is_measured() -> None:
    """``/Filter 7 0 R`` is read from object 7; names' ``#xx`` escapes are decoded (an
    ASCII hex layer named ``/ASCIIHex#44ecode`` hides the zlib header); a stream whose
    /Filter the guard cannot see (its dictionary padded past the window searched) is
    inflated while it looks like zlib: either way every layer is measured."""
    from notforsale.read import pdf

    twice = zlib.compress(_deflate(PAGE, 8 * MiB), 9)
    hexed = _ahx(twice)
    cases = [(b"7 0 obj\n[/FlateDecode /FlateDecode]\nendobj\n3 0 obj\n"
              b"<< /Length %d /Filter 7 0 R >>\nstream\n" % len(twice), twice, b"FlateDecode"),
             (b"3 0 obj\n<< /Length %d /Fil#74er [/ASCIIHex#44ecode /FlateDecode] >>\n"
              b"stream\n" % len(hexed), hexed, b"ASCIIHexDecode"),
             (b"3 0 obj\n<< /Length %d /Pad (%s) >>\nstream\n" % (len(twice), b"x" * 70_000),
              twice, b"FlateDecode")]
    for head, body, first in cases:
        data = head + body + b"\nendstream\nendobj\n"
        assert pdf.expanded_streams(data, 4 * MiB) == [(len(head), first)]
        assert pdf.expanded_streams(data, 16 * MiB) == []


def test_standard_input_without_line_ends_is_read_in_bounded_pieces() -> None:
    """Standard input of one 4 MB line: before, it was held whole, re-joined and searched
    again at every read (quadratic); now a line longer than four reads is cut at its last
    space, and a number after the cuts is still found."""
    from notforsale.read.text_files import stdin_pieces

    for size in (1 * MiB, 4 * MiB):
        words = [f"w{i}" for i in range(size // 8)]
        text = " ".join(words) + " 身份证 110101199003071233"
        cuts = list(stdin_pieces(io.BytesIO(text.encode()), chunk=16 * KiB))
        assert "".join(piece for _, piece in cuts) == text
        assert max(len(piece) for _, piece in cuts) <= 4 * 16 * KiB + 16 * KiB
        assert "110101199003071233" in cuts[-1][1]
        assert all(lines == 0 for lines, _ in cuts)
